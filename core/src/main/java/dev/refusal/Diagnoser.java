package dev.refusal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.refusal.internal.Checks;
import dev.refusal.internal.diagnosis.DiagnosisRun;
import dev.refusal.internal.diagnosis.ProbeExecutor;
import dev.refusal.internal.diagnosis.RateLimiter;
import dev.refusal.internal.diagnosis.RealSystemView;
import dev.refusal.internal.diagnosis.SystemView;
import dev.refusal.internal.log.RefusalLog;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * Finds out why a connect failed, with bounded local probes, and says so as a {@link Diagnosis}.
 *
 * <p>Probes run cheapest first and stop once the cause is proven: a bare connect to the same
 * port on loopback or the other address family (tens of microseconds), the Linux listener table
 * (milliseconds, read only when needed), a re-probe after a short pause, DNS afresh, descriptor
 * and ephemeral-port use, container markers and the endpoint's history. They dial only the
 * failed endpoint's own port, on its own addresses and on loopback when it is this host.
 *
 * <p>Every diagnosis is bounded by a time budget; when it runs out the diagnosis says what it
 * proved so far, with lower confidence. Concurrent failures on one endpoint share one diagnosis,
 * and results are cached per endpoint for a time-to-live. A global rate limit keeps a flood of
 * distinct endpoints from turning the probes into a scanner.
 *
 * <p>This class is thread-safe. {@link #diagnose} never throws for a failure it is given, and
 * never blocks longer than its budget plus a small margin.
 */
public final class Diagnoser {

  /** Default time budget of one diagnosis: 500 ms. */
  public static final Duration DEFAULT_BUDGET = Duration.ofMillis(500);
  /** Default time a diagnosis is reused for the same endpoint and failure kind: 5 s. */
  public static final Duration DEFAULT_CACHE_TTL = Duration.ofSeconds(5);
  /**
   * Default pause before the same address is dialled again: none. A listener back by then reads
   * as RESTARTING, one not yet back as NO_LISTENER; the guard retries both alike, so waiting on
   * the diagnosis path to tell them apart would only make every diagnosis slower.
   */
  public static final Duration DEFAULT_REPROBE_DELAY = Duration.ZERO;
  /** Default timeout of one probe connect: 200 ms. */
  public static final Duration DEFAULT_PROBE_TIMEOUT = Duration.ofMillis(200);
  /** Default window in which an earlier success makes a refusal look like a restart: 30 s. */
  public static final Duration DEFAULT_RECENT_SUCCESS = Duration.ofSeconds(30);
  /**
   * Default time loopback must have refused in a container, with no success in between, before
   * it is named LOOPBACK_IN_CONTAINER rather than a sidecar still starting: 30 s.
   */
  public static final Duration DEFAULT_LOOPBACK_IN_CONTAINER_AFTER = Duration.ofSeconds(30);
  /** Default bound on endpoints remembered (cache and history): 10,000. */
  public static final int DEFAULT_MAX_ENDPOINTS = 10_000;
  /** Default cap on probing diagnoses started per second, across all endpoints: 20. */
  public static final int DEFAULT_MAX_DIAGNOSES_PER_SECOND = 20;

  private static final RefusalLog log = RefusalLog.of(Diagnoser.class);
  /** Slack on top of the budget for a waiter whose diagnosis runs on another thread. */
  private static final long WAIT_SLACK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private final boolean enabled;
  private final long budgetNanos;
  private final HostResolver resolver;
  private final List<Probe> probes;
  private final SystemView system;
  private final DiagnosisRun.Settings settings;
  private final Ticker ticker;
  private final RateLimiter rateLimiter;
  /** Finished diagnoses; an unfinished one lives in {@link #inFlight}, never expired early. */
  private final Cache<Key, Diagnosis> cache;
  private final ConcurrentHashMap<Key, CompletableFuture<Diagnosis>> inFlight =
      new ConcurrentHashMap<>();
  private final Cache<Endpoint, AtomicLong> lastSuccess;
  /** When each endpoint's refusals began, since its last success; cleared by a success. */
  private final Cache<Endpoint, Long> refusingSince;
  /** Lookups and user probes of running diagnoses. */
  private final ProbeExecutor probeThreads = new ProbeExecutor(16, "refusal-probe-");
  /** Whole diagnoses started by {@code diagnoseAsync}, kept apart so they never starve probes. */
  private final ProbeExecutor asyncThreads = new ProbeExecutor(8, "refusal-diagnosis-");

  private Diagnoser(Builder b) {
    this.enabled = b.enabled;
    this.budgetNanos = b.budget.toNanos();
    this.resolver = b.resolver;
    this.probes = List.copyOf(b.probes);
    this.system = b.system;
    this.settings = new DiagnosisRun.Settings(b.reprobeDelay.toNanos(),
        (int) Math.max(1, b.probeTimeout.toMillis()), b.recentSuccess.toNanos(),
        b.loopbackInContainerAfter.toNanos(), b.probeTargets);
    Clock clock = b.clock;
    this.ticker = clock == null ? Ticker.systemTicker()
        : () -> TimeUnit.MILLISECONDS.toNanos(clock.millis());
    this.rateLimiter = new RateLimiter(b.maxDiagnosesPerSecond, ticker::read);
    this.cache = Caffeine.newBuilder()
        .maximumSize(b.maxEndpoints)
        .expireAfterWrite(b.cacheTtl)
        .ticker(ticker)
        .build();
    this.lastSuccess = Caffeine.newBuilder()
        .maximumSize(b.maxEndpoints)
        .expireAfterAccess(Duration.ofMinutes(10))
        .ticker(ticker)
        .build();
    this.refusingSince = Caffeine.newBuilder()
        .maximumSize(b.maxEndpoints)
        .expireAfterAccess(Duration.ofMinutes(10))
        .ticker(ticker)
        .build();
  }

  /**
   * Returns a new diagnoser with every default of {@link Builder}. Each call returns a new one,
   * with its own cache, rate limit, endpoint history and probe threads, so unrelated users never
   * share an answer, a limit or a blocked lookup.
   */
  public static Diagnoser defaults() {
    return builder().build();
  }

  /** Returns a builder with every default set. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Diagnoses {@code failure} on {@code endpoint}, or returns the cached diagnosis of the same
   * endpoint and failure kind. Blocks for at most the budget (plus a small margin when it waits
   * on a diagnosis another thread started).
   *
   * @param endpoint the endpoint that failed; its address, when set, is the one probed first
   * @param failure what the client threw; its cause chain is read, never rethrown
   * @throws NullPointerException if an argument is null
   */
  public Diagnosis diagnose(Endpoint endpoint, Throwable failure) {
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(failure, "failure");
    FailureKind kind = FailureKind.of(failure);
    if (!enabled) {
      return unprobed(endpoint, kind, "diagnostics are turned off; no probe ran");
    }
    Key key = new Key(endpoint, kind);
    Diagnosis done = cache.getIfPresent(key);
    if (done != null) {
      return done;
    }
    CompletableFuture<Diagnosis> mine = new CompletableFuture<>();
    CompletableFuture<Diagnosis> existing = inFlight.putIfAbsent(key, mine);
    if (existing != null) {
      return await(existing, endpoint, kind);
    }
    try {
      // A run that finished between the cache miss above and this claim has cached its answer
      // (it caches before it lets go of its claim): look again, or it would run twice.
      done = cache.getIfPresent(key);
      if (done != null) {
        mine.complete(done);
        return done;
      }
      return runAndPublish(key, endpoint, kind, mine);
    } finally {
      inFlight.remove(key, mine);
    }
  }

  /**
   * Diagnoses on a probe thread; the future completes with the diagnosis, never exceptionally
   * (unless cancelled), within the budget plus a small margin.
   *
   * @throws NullPointerException if an argument is null
   */
  public CompletableFuture<Diagnosis> diagnoseAsync(Endpoint endpoint, Throwable failure) {
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(failure, "failure");
    CompletableFuture<Diagnosis> result = new CompletableFuture<>();
    boolean started = asyncThreads.tryExecute(() -> {
      try {
        result.complete(diagnose(endpoint, failure));
      } catch (Throwable t) {
        result.complete(unprobed(endpoint, FailureKind.of(failure),
            "the diagnosis failed: " + t.getClass().getSimpleName()));
      }
    });
    if (!started) {
      result.complete(unprobed(endpoint, FailureKind.of(failure),
          "too many diagnoses are running; no probe ran for this one"));
    }
    return result;
  }

  /**
   * Tells the diagnoser that {@code endpoint} just answered, so a refusal soon after reads as a
   * restart. {@link RefusalGuard} calls this; call it yourself only when you diagnose without one.
   */
  public void recordSuccess(Endpoint endpoint) {
    Objects.requireNonNull(endpoint, "endpoint");
    lastSuccess.get(endpoint, k -> new AtomicLong()).set(ticker.read());
    refusingSince.invalidate(endpoint);
  }

  /** Records a success {@code agoNanos} before now; how {@link RefusalGuard} shares history. */
  void recordSuccessAgo(Endpoint endpoint, long agoNanos) {
    lastSuccess.get(endpoint, k -> new AtomicLong()).set(ticker.read() - agoNanos);
    refusingSince.invalidate(endpoint);
  }

  /** The cached diagnosis for this endpoint and kind, if one is complete and fresh. */
  Diagnosis cached(Endpoint endpoint, FailureKind kind) {
    return cache.getIfPresent(new Key(endpoint, kind));
  }

  private Diagnosis runAndPublish(Key key, Endpoint endpoint, FailureKind kind,
      CompletableFuture<Diagnosis> mine) {
    Diagnosis d;
    try {
      d = rateLimiter.tryAcquire()
          ? run(endpoint, kind)
          : unprobed(endpoint, kind, "the probe rate limit ("
              + rateLimiter.perSecond() + " diagnoses per second) is reached; no probe ran");
    } catch (Throwable t) {
      d = unprobed(endpoint, kind, "the diagnosis failed: " + t.getClass().getSimpleName());
    }
    mine.complete(d);
    // Unprobed answers, and runs cut short by an interrupt of this caller, are not worth
    // keeping: the next failure may probe properly.
    boolean unprobed = d.confidence() == Confidence.LOW && d.elapsed().isZero();
    if (!unprobed && !Thread.currentThread().isInterrupted()) {
      cache.put(key, d);
    }
    return d;
  }

  private Diagnosis await(CompletableFuture<Diagnosis> shared, Endpoint endpoint,
      FailureKind kind) {
    try {
      return shared.get(budgetNanos + WAIT_SLACK_NANOS, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return unprobed(endpoint, kind, "interrupted while waiting for the diagnosis");
    } catch (ExecutionException | TimeoutException e) {
      return unprobed(endpoint, kind, "the shared diagnosis of this endpoint did not finish in"
          + " time");
    }
  }

  private Diagnosis run(Endpoint endpoint, FailureKind kind) {
    long start = System.nanoTime();
    long deadline = start + budgetNanos;
    AtomicLong success = lastSuccess.getIfPresent(endpoint);
    long now = ticker.read();
    long ago = success == null ? -1 : Math.max(0, now - success.get());
    long refusingFor = 0;
    if (kind == FailureKind.REFUSED) {
      refusingFor = Math.max(0, now - refusingSince.get(endpoint, k -> now));
    }
    DiagnosisRun run = new DiagnosisRun(endpoint, kind, system, resolver,
        probeThreads::call, settings, start, deadline, ago, refusingFor).run();

    RefusalCause cause = run.cause();
    Confidence confidence = run.confidence();
    String summary = run.summary();
    String remedy = run.remedy();
    List<Evidence> evidence = new ArrayList<>(run.evidence());
    boolean spent = run.budgetSpent();
    for (Probe probe : probes) {
      long left = deadline - System.nanoTime();
      String name = safeName(probe);
      if (left <= 0) {
        evidence.add(Evidence.of(name, "skipped: the time budget was spent"));
        spent = true;
        continue;
      }
      ProbeContext context =
          new ProbeContext(endpoint, kind, run.addresses(), evidence, cause, deadline);
      ProbeResult result;
      try {
        result = probeThreads.call(() -> probe.probe(context), left);
      } catch (RejectedExecutionException e) {
        evidence.add(Evidence.of(name, "skipped: every probe thread is busy"));
        continue;
      } catch (Exception e) {
        evidence.add(Evidence.of(name, "failed: " + e.getClass().getSimpleName()));
        continue;
      }
      if (result == null) {
        evidence.add(Evidence.of(name, "did not finish within the time budget"));
        spent = true;
        continue;
      }
      if (result.observation() != null) {
        evidence.add(Evidence.of(name, result.observation()));
      }
      if (result.cause() != null
          && (cause == RefusalCause.UNKNOWN || result.confidence().compareTo(confidence) < 0)) {
        cause = result.cause();
        confidence = result.confidence();
        summary = result.summary();
        remedy = result.remedy();
      }
    }
    if (spent && !run.budgetSpent()) {
      confidence = confidence.atMost(Confidence.MEDIUM);
    }
    Diagnosis d = Diagnosis.of(endpoint, kind, cause, confidence, summary, remedy, evidence,
        Duration.ofNanos(System.nanoTime() - start));
    if (log.isDebugEnabled()) {
      log.debug().kv("endpoint", endpoint.toString()).kv("cause", cause)
          .kv("confidence", confidence).kv("elapsedMicros",
              d.elapsed().toNanos() / 1_000)
          .log("diagnosed {}", d);
    }
    return d;
  }

  private static String safeName(Probe probe) {
    try {
      String name = probe.name();
      return name == null || name.isBlank() ? probe.getClass().getName() : name;
    } catch (RuntimeException e) {
      return probe.getClass().getName();
    }
  }

  /** A diagnosis from the failure kind alone, for when no probe may run. */
  private static Diagnosis unprobed(Endpoint endpoint, FailureKind kind, String why) {
    RefusalCause cause;
    String summary;
    String remedy = "Run the doctor command against " + endpoint + " for a full diagnosis.";
    switch (kind) {
      case CONNECT_TIMEOUT:
        cause = RefusalCause.CONNECT_TIMEOUT;
        summary = "the connect timed out";
        break;
      case UNKNOWN_HOST:
        cause = RefusalCause.DNS_FAILURE;
        summary = endpoint.host() + " did not resolve";
        break;
      case NO_ROUTE_TO_HOST:
      case NETWORK_UNREACHABLE:
        cause = RefusalCause.UNREACHABLE;
        summary = "there is no route to " + endpoint.host();
        break;
      case LOCAL_ADDRESS_UNAVAILABLE:
        cause = RefusalCause.LOCAL_PORT_EXHAUSTION;
        summary = "no local address or port could be assigned";
        break;
      case LOCAL_FD_EXHAUSTED:
        cause = RefusalCause.LOCAL_FD_EXHAUSTION;
        summary = "this process ran out of file descriptors";
        break;
      case ADDRESS_FAMILY_UNAVAILABLE:
        cause = RefusalCause.ADDRESS_FAMILY_MISMATCH;
        summary = "this JVM or host cannot use the address family of " + endpoint;
        break;
      case CANCELED:
        cause = RefusalCause.UNKNOWN;
        summary = "the call was cancelled or its thread interrupted; this is not a connect"
            + " failure";
        remedy = "Nothing to fix at the connection level.";
        break;
      default:
        cause = RefusalCause.UNKNOWN;
        summary = kind == FailureKind.REFUSED ? "the connection was refused; the cause was not"
            + " probed" : "the cause was not probed";
    }
    return Diagnosis.of(endpoint, kind, cause, Confidence.LOW, summary, remedy,
        List.of(Evidence.of("diagnoser", why)), Duration.ZERO);
  }

  /**
   * Endpoint, dialled address, kind and proxy. A refusal on ::1 and one on 127.0.0.1 of the same
   * name are different stories (one family may accept while the other does not), and so is a
   * refusal through a proxy.
   */
  private static final class Key {
    final Endpoint endpoint;
    final FailureKind kind;
    final InetAddress dialled;
    final Object proxy;

    Key(Endpoint endpoint, FailureKind kind) {
      this.endpoint = endpoint;
      this.kind = kind;
      InetSocketAddress address = endpoint.address().orElse(null);
      this.dialled = address == null ? null : address.getAddress();
      this.proxy = endpoint.proxy().orElse(null);
    }

    @Override
    public boolean equals(Object o) {
      if (!(o instanceof Key)) {
        return false;
      }
      Key k = (Key) o;
      return k.kind == kind && k.endpoint.equals(endpoint) && Objects.equals(k.dialled, dialled)
          && Objects.equals(k.proxy, proxy);
    }

    @Override
    public int hashCode() {
      return (endpoint.hashCode() * 31 + Objects.hashCode(dialled)) * 31 + kind.ordinal();
    }
  }

  /**
   * Configures a {@link Diagnoser}. Not thread-safe; {@link #build()} copies the settings, so a
   * builder can be reused.
   */
  public static final class Builder {
    private boolean enabled = true;
    private Duration budget = DEFAULT_BUDGET;
    private Duration cacheTtl = DEFAULT_CACHE_TTL;
    private Duration reprobeDelay = DEFAULT_REPROBE_DELAY;
    private Duration probeTimeout = DEFAULT_PROBE_TIMEOUT;
    private Duration recentSuccess = DEFAULT_RECENT_SUCCESS;
    private Duration loopbackInContainerAfter = DEFAULT_LOOPBACK_IN_CONTAINER_AFTER;
    private Predicate<InetSocketAddress> probeTargets = target -> true;
    private int maxEndpoints = DEFAULT_MAX_ENDPOINTS;
    private int maxDiagnosesPerSecond = DEFAULT_MAX_DIAGNOSES_PER_SECOND;
    private HostResolver resolver = HostResolver.system();
    private final List<Probe> probes = new ArrayList<>();
    private SystemView system = RealSystemView.INSTANCE;
    private Clock clock;

    private Builder() {}

    /**
     * Turns the probes on or off. Off, a diagnosis names what the failure kind alone tells, with
     * LOW confidence, and no probe runs. The default is on.
     */
    public Builder enabled(boolean enabled) {
      this.enabled = enabled;
      return this;
    }

    /**
     * The most time one diagnosis may take, from 0 (no probe gets to run) to 10 s. The default is
     * 500 ms; a loopback diagnosis needs a few milliseconds.
     */
    public Builder budget(Duration budget) {
      this.budget = Checks.range("budget", budget, Duration.ZERO, Duration.ofSeconds(10));
      return this;
    }

    /**
     * How long a diagnosis is reused for the same endpoint and failure kind, from 0 to 1 hour.
     * The default is 5 s.
     */
    public Builder cacheTtl(Duration ttl) {
      this.cacheTtl = Checks.range("cacheTtl", ttl, Duration.ZERO, Duration.ofHours(1));
      return this;
    }

    /**
     * How long after the failure the same address is dialled again to catch a restart, from 0
     * to 5 s. The default is 0: the re-dial comes as soon as the cheaper probes are done.
     */
    public Builder reprobeDelay(Duration delay) {
      this.reprobeDelay =
          Checks.range("reprobeDelay", delay, Duration.ZERO, Duration.ofSeconds(5));
      return this;
    }

    /** The timeout of one probe connect, from 1 ms to 10 s. The default is 200 ms. */
    public Builder probeTimeout(Duration timeout) {
      this.probeTimeout =
          Checks.range("probeTimeout", timeout, Duration.ofMillis(1), Duration.ofSeconds(10));
      return this;
    }

    /**
     * How recent a success must be for a refusal to read as a restart, from 0 to 1 hour. The
     * default is 30 s.
     */
    public Builder recentSuccessWindow(Duration window) {
      this.recentSuccess = Checks.range("recentSuccessWindow", window, Duration.ZERO,
          Duration.ofHours(1));
      return this;
    }

    /**
     * How long loopback must have refused in a container, with no success in between, before
     * the diagnosis names LOOPBACK_IN_CONTAINER (dialling the container itself) instead of
     * NO_LISTENER (a sidecar still starting, retried), from 0 to 1 hour. The default is 30 s.
     */
    public Builder loopbackInContainerAfter(Duration duration) {
      this.loopbackInContainerAfter = Checks.range("loopbackInContainerAfter", duration,
          Duration.ZERO, Duration.ofHours(1));
      return this;
    }

    /** How many endpoints are remembered, from 1 to 10,000,000. The default is 10,000. */
    public Builder maxEndpoints(int maxEndpoints) {
      this.maxEndpoints = Checks.range("maxEndpoints", maxEndpoints, 1, 10_000_000);
      return this;
    }

    /**
     * How many probing diagnoses may start per second across all endpoints, from 1 to 10,000;
     * beyond it a diagnosis names what the failure kind alone tells. The default is 20.
     */
    public Builder maxDiagnosesPerSecond(int perSecond) {
      this.maxDiagnosesPerSecond =
          Checks.range("maxDiagnosesPerSecond", perSecond, 1, 10_000);
      return this;
    }

    /** The resolver for the DNS probes. The default is {@link HostResolver#system()}. */
    public Builder resolver(HostResolver resolver) {
      this.resolver = Objects.requireNonNull(resolver, "resolver");
      return this;
    }

    /**
     * Which addresses the built-in probes may dial, always on the failed endpoint's own port.
     * The default allows every address a probe would try: the dialled one, the host name's
     * other addresses, the other address family and loopback when the target is this host. A
     * service that dials user-supplied URLs restricts this (for example to the dialled address
     * alone, or to no private range), since the probes dial addresses the client itself never
     * chose. An excluded address is named in the evidence as not dialled; a filter that throws
     * excludes the address. It is called on the diagnosing thread and must be thread-safe.
     */
    public Builder probeTargets(Predicate<InetSocketAddress> allowed) {
      this.probeTargets = Objects.requireNonNull(allowed, "allowed");
      return this;
    }

    /** Adds a probe that runs after the built-in ones, in the order added. */
    public Builder addProbe(Probe probe) {
      probes.add(Objects.requireNonNull(probe, "probe"));
      return this;
    }

    /**
     * The clock for cache expiry and endpoint history; the default uses {@link
     * System#nanoTime()}. Tests pass a clock they move by hand.
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Replaces the machine the probes look at; for tests in this package. */
    Builder system(SystemView system) {
      this.system = Objects.requireNonNull(system, "system");
      return this;
    }

    /** Returns a diagnoser with these settings. */
    public Diagnoser build() {
      return new Diagnoser(this);
    }
  }
}
