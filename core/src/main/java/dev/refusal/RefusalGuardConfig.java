package dev.refusal;

import dev.refusal.internal.Checks;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * The settings of a {@link RefusalGuard}: its breaker, its retries and its recovery watch.
 * Immutable and thread-safe; {@link #custom()} and {@link #from(RefusalGuardConfig)} return a
 * builder, {@link #ofDefaults()} the defaults.
 *
 * <p>The defaults tell one story: a call rides out a restart of its service of up to 2 s. Each
 * wait between attempts lies between half and all of its ceiling (200 ms, growing by 1.6 per
 * attempt), so six waits last at least 2.6 s and at most 5.3 s; seven attempts and a 6 s restart
 * window therefore always reach a service that listens again within 2 s of the call's start.
 * Ten consecutive connect failures open the circuit, more than one call's seven attempts, so a
 * single call can never open it alone; two calls failing together can.
 */
public final class RefusalGuardConfig {

  /** Default breaker threshold: 10 consecutive connect failures. */
  public static final int DEFAULT_FAILURE_THRESHOLD = 10;
  /** Default trial calls let through when half-open: 2. */
  public static final int DEFAULT_HALF_OPEN_CALLS = 2;
  /** Default longest wait in the open state before trial calls, recovery seen or not: 30 s. */
  public static final Duration DEFAULT_OPEN_WAIT = Duration.ofSeconds(30);
  /** Default longest time half-open without a trial's outcome before reopening: 10 s. */
  public static final Duration DEFAULT_HALF_OPEN_MAX_WAIT = Duration.ofSeconds(10);
  /** Default attempts per call, the first included: 7. */
  public static final int DEFAULT_MAX_ATTEMPTS = 7;
  /** Default first backoff ceiling: 200 ms. */
  public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(200);
  /** Default backoff multiplier: 1.6, gRPC's. */
  public static final double DEFAULT_BACKOFF_MULTIPLIER = 1.6;
  /** Default backoff ceiling: 5 s (gRPC's 120 s is for reconnects, too long to hold a request). */
  public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(5);
  /** Default time a call keeps retrying through a restart: 6 s. */
  public static final Duration DEFAULT_RESTART_WINDOW = Duration.ofSeconds(6);
  /** Default share of calls that may be retried: 20% (Envoy's and Finagle's budget). */
  public static final double DEFAULT_RETRY_BUDGET_RATIO = 0.2;
  /** Default retries always allowed per second, whatever the traffic: 10 (Finagle's floor). */
  public static final int DEFAULT_RETRY_BUDGET_MIN_PER_SECOND = 10;
  /** Default first interval of the background recovery probe: 250 ms, growing by 1.6 to 5 s. */
  public static final Duration DEFAULT_RECOVERY_PROBE_INTERVAL = Duration.ofMillis(250);
  /** Default shortest gap between probes made because calls keep arriving while open: 100 ms. */
  public static final Duration DEFAULT_RECOVERY_PROBE_GAP = Duration.ofMillis(100);
  /** Default bound on endpoints remembered: 10,000. */
  public static final int DEFAULT_MAX_ENDPOINTS = 10_000;
  /** Default time after which an endpoint nobody calls is forgotten: 10 min. */
  public static final Duration DEFAULT_ENDPOINT_IDLE_EXPIRY = Duration.ofMinutes(10);
  /** Default interval between WARN lines for one misconfigured endpoint: 1 min. */
  public static final Duration DEFAULT_WARN_INTERVAL = Duration.ofMinutes(1);

  private static final RefusalGuardConfig DEFAULTS = new Builder().build();

  private final int failureThreshold;
  private final int halfOpenCalls;
  private final Duration openWait;
  private final Duration halfOpenMaxWait;
  private final int maxAttempts;
  private final Duration initialBackoff;
  private final double backoffMultiplier;
  private final Duration maxBackoff;
  private final Duration restartWindow;
  private final double retryBudgetRatio;
  private final int retryBudgetMinPerSecond;
  private final Duration recoveryProbeInterval;
  private final Duration recoveryProbeGap;
  private final int maxEndpoints;
  private final Duration endpointIdleExpiry;
  private final Duration warnInterval;
  private final Set<RefusalCause> retryOn;

  private RefusalGuardConfig(Builder b) {
    this.failureThreshold = b.failureThreshold;
    this.halfOpenCalls = b.halfOpenCalls;
    this.openWait = b.openWait;
    this.halfOpenMaxWait = b.halfOpenMaxWait;
    this.maxAttempts = b.maxAttempts;
    this.initialBackoff = b.initialBackoff;
    this.backoffMultiplier = b.backoffMultiplier;
    this.maxBackoff = b.maxBackoff;
    this.restartWindow = b.restartWindow;
    this.retryBudgetRatio = b.retryBudgetRatio;
    this.retryBudgetMinPerSecond = b.retryBudgetMinPerSecond;
    this.recoveryProbeInterval = b.recoveryProbeInterval;
    this.recoveryProbeGap = b.recoveryProbeGap;
    this.maxEndpoints = b.maxEndpoints;
    this.endpointIdleExpiry = b.endpointIdleExpiry;
    this.warnInterval = b.warnInterval;
    this.retryOn = Collections.unmodifiableSet(EnumSet.copyOf(b.retryOn));
  }

  /** The defaults, as the class documentation tells them. */
  public static RefusalGuardConfig ofDefaults() {
    return DEFAULTS;
  }

  /** A builder that starts from the defaults. */
  public static Builder custom() {
    return new Builder();
  }

  /**
   * A builder that starts from {@code base}.
   *
   * @throws NullPointerException if {@code base} is null
   */
  public static Builder from(RefusalGuardConfig base) {
    return new Builder(Objects.requireNonNull(base, "base"));
  }

  /** Consecutive connect failures that open an endpoint's circuit. */
  public int failureThreshold() {
    return failureThreshold;
  }

  /** Trial calls let through while half-open. */
  public int halfOpenCalls() {
    return halfOpenCalls;
  }

  /** The longest an open circuit waits before trial calls when recovery was not seen. */
  public Duration openWait() {
    return openWait;
  }

  /** The longest a circuit stays half-open without a trial's outcome before it reopens. */
  public Duration halfOpenMaxWait() {
    return halfOpenMaxWait;
  }

  /** Attempts per call, the first included. */
  public int maxAttempts() {
    return maxAttempts;
  }

  /** The ceiling of the first wait between attempts. */
  public Duration initialBackoff() {
    return initialBackoff;
  }

  /** The growth of the wait ceiling per attempt. */
  public double backoffMultiplier() {
    return backoffMultiplier;
  }

  /** The cap of the wait ceiling. */
  public Duration maxBackoff() {
    return maxBackoff;
  }

  /** How long one call keeps retrying through a restart. */
  public Duration restartWindow() {
    return restartWindow;
  }

  /** The share of calls that may be retried. */
  public double retryBudgetRatio() {
    return retryBudgetRatio;
  }

  /** The retries always allowed per second. */
  public int retryBudgetMinPerSecond() {
    return retryBudgetMinPerSecond;
  }

  /** The first interval of the background recovery probe. */
  public Duration recoveryProbeInterval() {
    return recoveryProbeInterval;
  }

  /** The shortest gap between recovery probes made because calls arrive while open. */
  public Duration recoveryProbeGap() {
    return recoveryProbeGap;
  }

  /** Endpoints remembered at most. */
  public int maxEndpoints() {
    return maxEndpoints;
  }

  /** Time after which an endpoint nobody calls is forgotten. */
  public Duration endpointIdleExpiry() {
    return endpointIdleExpiry;
  }

  /** Interval between WARN lines for one misconfigured endpoint. */
  public Duration warnInterval() {
    return warnInterval;
  }

  /** The causes retried with backoff; an unmodifiable set. */
  public Set<RefusalCause> retryOn() {
    return retryOn;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof RefusalGuardConfig)) {
      return false;
    }
    RefusalGuardConfig c = (RefusalGuardConfig) o;
    return toString().equals(c.toString());
  }

  @Override
  public int hashCode() {
    return toString().hashCode();
  }

  /** Every setting, by name: what a program prints to show how its guard is configured. */
  @Override
  public String toString() {
    return "RefusalGuardConfig{failureThreshold=" + failureThreshold
        + ", halfOpenCalls=" + halfOpenCalls
        + ", openWait=" + openWait
        + ", halfOpenMaxWait=" + halfOpenMaxWait
        + ", maxAttempts=" + maxAttempts
        + ", backoff=" + initialBackoff + " x" + backoffMultiplier + " up to " + maxBackoff
        + ", restartWindow=" + restartWindow
        + ", retryBudget=" + retryBudgetRatio + " + " + retryBudgetMinPerSecond + "/s"
        + ", recoveryProbeInterval=" + recoveryProbeInterval
        + ", recoveryProbeGap=" + recoveryProbeGap
        + ", maxEndpoints=" + maxEndpoints
        + ", endpointIdleExpiry=" + endpointIdleExpiry
        + ", warnInterval=" + warnInterval
        + ", retryOn=" + retryOn + '}';
  }

  /**
   * Builds a {@link RefusalGuardConfig}. Not thread-safe; every setter checks its value and names
   * it in the exception, and {@link #build()} copies every setting.
   */
  public static final class Builder {
    private int failureThreshold = DEFAULT_FAILURE_THRESHOLD;
    private int halfOpenCalls = DEFAULT_HALF_OPEN_CALLS;
    private Duration openWait = DEFAULT_OPEN_WAIT;
    private Duration halfOpenMaxWait = DEFAULT_HALF_OPEN_MAX_WAIT;
    private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
    private Duration initialBackoff = DEFAULT_INITIAL_BACKOFF;
    private double backoffMultiplier = DEFAULT_BACKOFF_MULTIPLIER;
    private Duration maxBackoff = DEFAULT_MAX_BACKOFF;
    private Duration restartWindow = DEFAULT_RESTART_WINDOW;
    private double retryBudgetRatio = DEFAULT_RETRY_BUDGET_RATIO;
    private int retryBudgetMinPerSecond = DEFAULT_RETRY_BUDGET_MIN_PER_SECOND;
    private Duration recoveryProbeInterval = DEFAULT_RECOVERY_PROBE_INTERVAL;
    private Duration recoveryProbeGap = DEFAULT_RECOVERY_PROBE_GAP;
    private int maxEndpoints = DEFAULT_MAX_ENDPOINTS;
    private Duration endpointIdleExpiry = DEFAULT_ENDPOINT_IDLE_EXPIRY;
    private Duration warnInterval = DEFAULT_WARN_INTERVAL;
    private Set<RefusalCause> retryOn = transientCauses();

    private Builder() {}

    /** The default retry set: the causes that call themselves transient. */
    private static Set<RefusalCause> transientCauses() {
      Set<RefusalCause> causes = EnumSet.noneOf(RefusalCause.class);
      for (RefusalCause c : RefusalCause.values()) {
        if (c.isTransient()) {
          causes.add(c);
        }
      }
      return causes;
    }

    private Builder(RefusalGuardConfig c) {
      failureThreshold = c.failureThreshold;
      halfOpenCalls = c.halfOpenCalls;
      openWait = c.openWait;
      halfOpenMaxWait = c.halfOpenMaxWait;
      maxAttempts = c.maxAttempts;
      initialBackoff = c.initialBackoff;
      backoffMultiplier = c.backoffMultiplier;
      maxBackoff = c.maxBackoff;
      restartWindow = c.restartWindow;
      retryBudgetRatio = c.retryBudgetRatio;
      retryBudgetMinPerSecond = c.retryBudgetMinPerSecond;
      recoveryProbeInterval = c.recoveryProbeInterval;
      recoveryProbeGap = c.recoveryProbeGap;
      maxEndpoints = c.maxEndpoints;
      endpointIdleExpiry = c.endpointIdleExpiry;
      warnInterval = c.warnInterval;
      retryOn = EnumSet.copyOf(c.retryOn);
    }

    /** Consecutive connect failures that open an endpoint's circuit, 1 to 1000; default 10. */
    public Builder failureThreshold(int failures) {
      this.failureThreshold = Checks.range("failureThreshold", failures, 1, 1_000);
      return this;
    }

    /** Trial calls let through while half-open, 1 to 100; default 2. */
    public Builder halfOpenCalls(int calls) {
      this.halfOpenCalls = Checks.range("halfOpenCalls", calls, 1, 100);
      return this;
    }

    /**
     * The longest an open circuit waits before letting trial calls through when the recovery
     * watch has not seen the service back, 1 ms to 1 h; default 30 s.
     */
    public Builder openWait(Duration wait) {
      this.openWait = Checks.range("openWait", wait, Duration.ofMillis(1), Duration.ofHours(1));
      return this;
    }

    /**
     * The longest a circuit stays half-open without the outcome of a trial call, 1 ms to 1 h;
     * default 10 s. A backstop: when it has passed, the next call reopens the circuit and the
     * recovery watch starts again, so a trial that never ends cannot keep the circuit shut.
     */
    public Builder halfOpenMaxWait(Duration wait) {
      this.halfOpenMaxWait = Checks.range("halfOpenMaxWait", wait, Duration.ofMillis(1),
          Duration.ofHours(1));
      return this;
    }

    /**
     * Attempts per call, the first included, 1 to 100; default 7. An attempt that found the
     * circuit open, and so dialled nothing, counts too: it used one of the call's turns.
     */
    public Builder maxAttempts(int attempts) {
      this.maxAttempts = Checks.range("maxAttempts", attempts, 1, 100);
      return this;
    }

    /**
     * The backoff: the ceiling of the first wait (default 200 ms), its growth per attempt
     * (default 1.6) and its cap (default 5 s). Each wait is uniform between half the ceiling and
     * the ceiling, so clients that failed together come back spread out, and every wait lasts at
     * least half its ceiling.
     */
    public Builder backoff(Duration initial, double multiplier, Duration max) {
      this.initialBackoff = Checks.range("initial backoff", initial, Duration.ZERO,
          Duration.ofMinutes(10));
      if (!(multiplier >= 1.0 && multiplier <= 10.0)) {
        throw new IllegalArgumentException(
            "backoff multiplier must be between 1.0 and 10.0, but was " + multiplier);
      }
      this.backoffMultiplier = multiplier;
      this.maxBackoff = Checks.range("max backoff", max, initial, Duration.ofMinutes(10));
      return this;
    }

    /** How long one call keeps retrying through a restart, 0 to 10 min; default 6 s. */
    public Builder restartWindow(Duration window) {
      this.restartWindow = Checks.range("restartWindow", window, Duration.ZERO,
          Duration.ofMinutes(10));
      return this;
    }

    /**
     * The retry budget: the share of calls that may be retried (0 to 1, default 0.2) and the
     * retries always allowed per second (0 to 10,000, default 10).
     */
    public Builder retryBudget(double ratio, int minPerSecond) {
      if (!(ratio >= 0 && ratio <= 1)) {
        throw new IllegalArgumentException(
            "retry budget ratio must be between 0 and 1, but was " + ratio);
      }
      this.retryBudgetRatio = ratio;
      this.retryBudgetMinPerSecond = Checks.range("retry budget minPerSecond", minPerSecond, 0,
          10_000);
      return this;
    }

    /** First interval of the background recovery probe, 10 ms to 1 min; default 250 ms. */
    public Builder recoveryProbeInterval(Duration interval) {
      this.recoveryProbeInterval = Checks.range("recoveryProbeInterval", interval,
          Duration.ofMillis(10), Duration.ofMinutes(1));
      return this;
    }

    /**
     * While calls keep arriving at an open circuit, the shortest gap between the bare connect
     * probes they cause, 10 ms to 1 min; default 100 ms. Smaller notices a remote service's
     * return sooner and dials it more often. The probes run on the guard's thread, never on the
     * rejected call's.
     */
    public Builder recoveryProbeGap(Duration gap) {
      this.recoveryProbeGap = Checks.range("recoveryProbeGap", gap, Duration.ofMillis(10),
          Duration.ofMinutes(1));
      return this;
    }

    /** Endpoints remembered at most, 1 to 10,000,000; default 10,000. */
    public Builder maxEndpoints(int max) {
      this.maxEndpoints = Checks.range("maxEndpoints", max, 1, 10_000_000);
      return this;
    }

    /** Time after which an endpoint nobody calls is forgotten, 1 s to 1 day; default 10 min. */
    public Builder endpointIdleExpiry(Duration expiry) {
      this.endpointIdleExpiry = Checks.range("endpointIdleExpiry", expiry, Duration.ofSeconds(1),
          Duration.ofDays(1));
      return this;
    }

    /** Interval between WARN lines for one misconfigured endpoint, 0 to 1 day; default 1 min. */
    public Builder warnInterval(Duration interval) {
      this.warnInterval = Checks.range("warnInterval", interval, Duration.ZERO,
          Duration.ofDays(1));
      return this;
    }

    /**
     * The causes retried with backoff. The default is the transient causes ({@link
     * RefusalCause#isTransient()}): NO_LISTENER, RESTARTING, ACCEPT_QUEUE_FULL and UNKNOWN;
     * LOCAL_* exhaustion is refused here, since retrying it makes it worse.
     *
     * @throws IllegalArgumentException if the set is empty or names a LOCAL_* cause
     */
    public Builder retryOn(Set<RefusalCause> causes) {
      Objects.requireNonNull(causes, "causes");
      if (causes.isEmpty()) {
        throw new IllegalArgumentException("retryOn must name at least one cause");
      }
      if (causes.contains(RefusalCause.LOCAL_FD_EXHAUSTION)
          || causes.contains(RefusalCause.LOCAL_PORT_EXHAUSTION)) {
        throw new IllegalArgumentException(
            "retryOn must not name LOCAL_FD_EXHAUSTION or LOCAL_PORT_EXHAUSTION: retrying them"
                + " makes them worse, but was " + causes);
      }
      this.retryOn = EnumSet.copyOf(causes);
      return this;
    }

    /** Returns a config with these settings. */
    public RefusalGuardConfig build() {
      return new RefusalGuardConfig(this);
    }
  }
}
