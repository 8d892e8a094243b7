package dev.refusal;

import dev.refusal.internal.diagnosis.RealSystemView;
import dev.refusal.internal.diagnosis.SystemView;
import dev.refusal.internal.guard.CoarseTicker;
import dev.refusal.internal.guard.CoreAccess;
import dev.refusal.internal.guard.GuardEngine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;

/**
 * Runs calls to an endpoint under a refusal-aware circuit breaker and retry, both resilience4j's,
 * driven by the {@link Diagnoser}'s verdict on each connect failure.
 *
 * <p>What it decides, by default ({@link RefusalGuardConfig} tells the numbers as one story):
 *
 * <ul>
 *   <li>A connect-phase failure sent no request byte, so it may be retried for any call, POST
 *       included. A failure after the request was written ({@link FailureKind#RESET}) is retried
 *       only for calls marked idempotent ({@link #callIdempotent}); anything else, {@link Error}s
 *       included, reaches the caller untouched after one attempt.
 *   <li>{@code NO_LISTENER}, {@code RESTARTING}, {@code ACCEPT_QUEUE_FULL} (and a failure it
 *       could not diagnose) back off exponentially with jitter, inside a restart window.
 *   <li>Misconfiguration ({@code LOOPBACK_ONLY_BIND}, {@code WRONG_INTERFACE_BIND}, {@code
 *       ADDRESS_FAMILY_MISMATCH}, {@code LOOPBACK_IN_CONTAINER}, {@code PROXY_REFUSED}, …) fails
 *       on the first attempt with the remedy, logged at WARN once per endpoint per interval.
 *   <li>{@code LOCAL_*} exhaustion never retries: retrying makes it worse.
 *   <li>Each endpoint has its own breaker, opened by consecutive connect-phase failures. While it
 *       is open, calls are rejected without dialling, without I/O and without a stack trace; a
 *       call whose next attempt finds it open waits again within its own limits. The guard's
 *       own threads watch for the service's return (a bare TCP connect, no request byte; for a
 *       service on this host, the host's socket count) and let trial calls through as soon as
 *       it accepts.
 *   <li>A retry budget per guard keeps retries to a fraction of calls during an outage.
 * </ul>
 *
 * <p>This class is thread-safe; share one guard per client. The registry of endpoints is bounded
 * in size and forgets idle endpoints, so a client that talks to many hosts does not leak. A guard
 * starts up to two daemon threads of its own when a circuit first opens or a call first waits
 * asynchronously (none with {@link Builder#scheduler}), and {@link #close()} ends them; besides,
 * one daemon thread per JVM refreshes the coarse clock every 50 ms and never blocks. Every
 * method throws {@link NullPointerException} for a null argument.
 */
public final class RefusalGuard implements AutoCloseable {

  private final RefusalGuardConfig config;
  private final Diagnoser diagnoser;
  private final GuardEngine engine;

  private RefusalGuard(Builder b) {
    this.config = b.config.build();
    this.diagnoser = b.diagnoser != null ? b.diagnoser : Diagnoser.defaults();
    Ticker coarse = b.ticker != null ? b.ticker : CoarseTicker.INSTANCE;
    Ticker ticker = b.ticker != null ? b.ticker : Ticker.system();
    this.engine = new GuardEngine(config, new Access(diagnoser), ticker, coarse, b.scheduler,
        b.system, b.jitter);
    for (RefusalListener l : b.listeners) {
      engine.events().add(l);
    }
  }

  /** Returns a builder with every default set. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns a guard with every default, and a diagnoser of its own. */
  public static RefusalGuard defaults() {
    return builder().build();
  }

  /** Returns a guard with {@code config}, and every other default. */
  public static RefusalGuard of(RefusalGuardConfig config) {
    return builder().config(config).build();
  }

  /**
   * Runs {@code call} against {@code endpoint}: under the endpoint's breaker, retried by cause
   * when it fails in the connect phase, diagnosed when it gives up.
   *
   * @return what {@code call} returned
   * @throws DiagnosedConnectException when the circuit is open, or a refused connect (a plain
   *     {@code ConnectException}, {@code SocketException} or {@code IOException}) is not (or no
   *     longer) retried; the original failure is its cause
   * @throws java.io.IOException another connect failure that is not retried, of the type {@code
   *     call} threw ({@code SocketTimeoutException}, {@code UnknownHostException}, a client's own
   *     subclass, …), carrying the diagnosis for {@link Diagnosis#find}
   * @throws Exception any other exception from {@code call}, untouched; an {@link Error} from it
   *     likewise
   */
  public <T> T call(Endpoint endpoint, Callable<T> call) throws Exception {
    return call(endpoint, call, CallOptions.DEFAULTS);
  }

  /**
   * Like {@link #call(Endpoint, Callable)}, but the call is idempotent: a failure after the
   * request was written (a reset, a connection closed before the response) is retried too.
   */
  public <T> T callIdempotent(Endpoint endpoint, Callable<T> call) throws Exception {
    return call(endpoint, call, CallOptions.DEFAULTS.idempotent(true));
  }

  /**
   * Like {@link #call(Endpoint, Callable)}, with options: idempotence, a deadline for the whole
   * call, and a cancellation signal that ends a backoff wait at once. A wait ended by
   * cancellation or by an interrupt throws the last failure, with a {@link
   * java.util.concurrent.CancellationException} or the {@link InterruptedException} added as
   * suppressed (the interrupt flag is restored).
   */
  public <T> T call(Endpoint endpoint, Callable<T> call, CallOptions options) throws Exception {
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(call, "call");
    Objects.requireNonNull(options, "options");
    return engine.blocking().call(endpoint, call, options);
  }

  /**
   * Runs an asynchronous call under the same rules, never blocking a thread to wait: {@code
   * attempt} starts one attempt, and retries are scheduled on the guard's threads after their
   * backoff (the supplier is then called there, so it must not block). The returned future
   * always completes. Cancelling it (or completing it yourself) ends a wait at once, starts no
   * further attempt and gives the endpoint's permit back; a cancellation stage in {@code options}
   * is checked when each wait ends.
   *
   * @return a future that completes with the first successful attempt's value, or
   *     exceptionally with the last attempt's failure, diagnosed as {@link #call(Endpoint,
   *     Callable)} throws it
   */
  public <T> CompletableFuture<T> callAsync(Endpoint endpoint,
      Supplier<? extends CompletionStage<T>> attempt, CallOptions options) {
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(attempt, "attempt");
    Objects.requireNonNull(options, "options");
    return engine.async().call(endpoint, attempt, options);
  }

  /** The circuit state of {@code endpoint}; CLOSED for an endpoint never called. */
  public CircuitState circuitState(Endpoint endpoint) {
    return engine.state(Objects.requireNonNull(endpoint, "endpoint"));
  }

  /** How many endpoints the guard remembers now (approximately; for monitoring). */
  public long endpointCount() {
    return engine.endpointCount();
  }

  /** The diagnoser this guard uses. */
  public Diagnoser diagnoser() {
    return diagnoser;
  }

  /** The settings this guard runs with. */
  public RefusalGuardConfig config() {
    return config;
  }

  /**
   * Adds a listener; it hears every event from now on, after the listeners added before it.
   * Safe to call while calls run (a metrics binder does).
   */
  public void addListener(RefusalListener listener) {
    engine.events().add(Objects.requireNonNull(listener, "listener"));
  }

  /** Removes a listener added before; true when it was there. */
  public boolean removeListener(RefusalListener listener) {
    return engine.events().remove(Objects.requireNonNull(listener, "listener"));
  }

  /**
   * Ends the guard's recovery watches and its own threads; asynchronous calls waiting for their
   * next attempt end at once with their last failure. Calls made afterwards still run under the
   * breaker, without background recovery. Idempotent; a scheduler given to the builder is left
   * running.
   */
  @Override
  public void close() {
    engine.close();
  }

  /** The package-private parts of the public API the guard's inside needs. */
  private static final class Access implements CoreAccess {
    private final Diagnoser diagnoser;

    Access(Diagnoser diagnoser) {
      this.diagnoser = diagnoser;
    }

    @Override
    public Diagnosis diagnose(Endpoint dialled, Throwable failure) {
      return diagnoser.diagnose(dialled, failure);
    }

    @Override
    public CompletableFuture<Diagnosis> diagnoseAsync(Endpoint dialled, Throwable failure) {
      return diagnoser.diagnoseAsync(dialled, failure);
    }

    @Override
    public void recordSuccessAgo(Endpoint endpoint, long agoNanos) {
      diagnoser.recordSuccessAgo(endpoint, agoNanos);
    }

    @Override
    public DiagnosedConnectException rejection(String message, Diagnosis diagnosis,
        Throwable lastFailure) {
      return DiagnosedConnectException.rejection(message, diagnosis, lastFailure);
    }
  }

  /**
   * Configures a {@link RefusalGuard}: its settings (the same names as {@link
   * RefusalGuardConfig.Builder}), its diagnoser, listeners, time and threads. Not thread-safe;
   * {@link #build()} copies every setting, so a builder can be reused.
   */
  public static final class Builder {
    private RefusalGuardConfig.Builder config = RefusalGuardConfig.custom();
    private Diagnoser diagnoser;
    private final List<RefusalListener> listeners = new ArrayList<>();
    private Ticker ticker;
    private ScheduledExecutorService scheduler;
    private SystemView system = RealSystemView.INSTANCE;
    private DoubleSupplier jitter = () -> ThreadLocalRandom.current().nextDouble();

    private Builder() {}

    /** Starts from {@code config}, replacing every setting made so far. */
    public Builder config(RefusalGuardConfig config) {
      this.config = RefusalGuardConfig.from(Objects.requireNonNull(config, "config"));
      return this;
    }

    /**
     * The diagnoser for connect failures. The default is a new {@link Diagnoser#defaults()} for
     * each guard built, so guards never share a diagnosis cache, rate limit or history; give
     * several guards one diagnoser to share them.
     */
    public Builder diagnoser(Diagnoser diagnoser) {
      this.diagnoser = Objects.requireNonNull(diagnoser, "diagnoser");
      return this;
    }

    /** Adds a listener of the guard's events; call it again to add more. */
    public Builder listener(RefusalListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * The guard's time source. The default reads {@link System#nanoTime()} where precision
     * matters and a clock refreshed every 50 ms on the per-call path; a given ticker is used
     * for both.
     */
    public Builder ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /**
     * The guard's time as a {@link java.time.Clock}, read in milliseconds: the name this builder
     * had before {@link #ticker}, which it now stands for ({@code clock.millis()} as the ticker).
     * Prefer {@link #ticker}, which has nanosecond precision.
     */
    public Builder clock(java.time.Clock clock) {
      Objects.requireNonNull(clock, "clock");
      return ticker(() -> java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(clock.millis()));
    }

    /**
     * Runs the guard's waits and recovery watches on {@code scheduler} instead of the guard's
     * own two threads; the guard never shuts it down. Its tasks are short, except recovery
     * dials, which take up to 200 ms, one at a time.
     */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /** See {@link RefusalGuardConfig.Builder#failureThreshold}. */
    public Builder failureThreshold(int failures) {
      config.failureThreshold(failures);
      return this;
    }

    /** See {@link RefusalGuardConfig.Builder#halfOpenCalls}. */
    public Builder halfOpenCalls(int calls) {
      config.halfOpenCalls(calls);
      return this;
    }

    /** See {@link RefusalGuardConfig.Builder#openWait}. */
    public Builder openWait(Duration wait) {
      config.openWait(wait);
      return this;
    }

    /** See {@link RefusalGuardConfig.Builder#halfOpenMaxWait}. */
    public Builder halfOpenMaxWait(Duration wait) {
      config.halfOpenMaxWait(wait);
      return this;
    }

    /** See {@link RefusalGuardConfig.Builder#maxAttempts}. */
    public Builder maxAttempts(int attempts) {
      config.maxAttempts(attempts);
      return this;
    }

    /** See {@link RefusalGuardConfig.Builder#backoff}. */
    public Builder backoff(Duration initial, double multiplier, Duration max) {
      config.backoff(initial, multiplier, max);
      return this;
    }

    /** See {@link RefusalGuardConfig.Builder#restartWindow}. */
    public Builder restartWindow(Duration window) {
      config.restartWindow(window);
      return this;
    }

    /** See {@link RefusalGuardConfig.Builder#retryBudget}. */
    public Builder retryBudget(double ratio, int minPerSecond) {
      config.retryBudget(ratio, minPerSecond);
      return this;
    }

    /** See {@link RefusalGuardConfig.Builder#recoveryProbeInterval}. */
    public Builder recoveryProbeInterval(Duration interval) {
      config.recoveryProbeInterval(interval);
      return this;
    }

    /** See {@link RefusalGuardConfig.Builder#recoveryProbeGap}. */
    public Builder recoveryProbeGap(Duration gap) {
      config.recoveryProbeGap(gap);
      return this;
    }

    /** See {@link RefusalGuardConfig.Builder#maxEndpoints}. */
    public Builder maxEndpoints(int max) {
      config.maxEndpoints(max);
      return this;
    }

    /** See {@link RefusalGuardConfig.Builder#endpointIdleExpiry}. */
    public Builder endpointIdleExpiry(Duration expiry) {
      config.endpointIdleExpiry(expiry);
      return this;
    }

    /** See {@link RefusalGuardConfig.Builder#warnInterval}. */
    public Builder warnInterval(Duration interval) {
      config.warnInterval(interval);
      return this;
    }

    /** See {@link RefusalGuardConfig.Builder#retryOn}. */
    public Builder retryOn(Set<RefusalCause> causes) {
      config.retryOn(causes);
      return this;
    }

    /** Replaces the uniform [0, 1) draw behind the jitter; for tests in this package. */
    Builder jitter(DoubleSupplier jitter) {
      this.jitter = Objects.requireNonNull(jitter, "jitter");
      return this;
    }

    /** Replaces the machine the recovery watch reads and dials; for tests in this package. */
    Builder system(SystemView system) {
      this.system = Objects.requireNonNull(system, "system");
      return this;
    }

    /** Returns a guard with these settings. */
    public RefusalGuard build() {
      return new RefusalGuard(this);
    }
  }
}
