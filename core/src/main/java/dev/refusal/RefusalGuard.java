package dev.refusal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.refusal.internal.Checks;
import dev.refusal.internal.diagnosis.RealSystemView;
import dev.refusal.internal.diagnosis.SystemView;
import dev.refusal.internal.guard.CoarseTicker;
import dev.refusal.internal.guard.RecoveryProber;
import dev.refusal.internal.guard.RetryBudget;
import dev.refusal.internal.guard.SocketCountWatch;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs calls to an endpoint under a refusal-aware circuit breaker and retry, both resilience4j's,
 * driven by the {@link Diagnoser}'s verdict on each connect failure.
 *
 * <p>What it decides, by default:
 *
 * <ul>
 *   <li>A connect-phase failure sent no request byte, so it may be retried for any call, POST
 *       included. A failure after the request was written ({@link FailureKind#RESET}) is retried
 *       only for calls marked idempotent ({@link #callIdempotent}); anything else is rethrown
 *       untouched.
 *   <li>{@code NO_LISTENER}, {@code RESTARTING}, {@code ACCEPT_QUEUE_FULL} (and a failure it
 *       could not diagnose) back off exponentially with full jitter, inside a restart window.
 *   <li>Misconfiguration ({@code LOOPBACK_ONLY_BIND}, {@code WRONG_INTERFACE_BIND}, {@code
 *       ADDRESS_FAMILY_MISMATCH}, {@code LOOPBACK_IN_CONTAINER}, {@code PROXY_REFUSED}, …) fails
 *       on the first attempt with the remedy, logged at WARN once per endpoint per interval.
 *   <li>{@code LOCAL_*} exhaustion never retries: retrying makes it worse.
 *   <li>Each endpoint has its own breaker, opened by consecutive connect-phase failures; while it
 *       is open, calls are rejected without dialling and without a stack trace, and the service's
 *       return lets trial calls through at once: a bare TCP connect (no request byte) notices it,
 *       backed off in the background and at most once per {@code recoveryProbeGap} while calls
 *       arrive; for a service on this host, the host's TCP socket count notices it, read by the
 *       first rejected call after each 2 ms tick (about 30 µs; a local connect of at most 10 ms
 *       when the count moved), so the first call after the return goes through.
 *   <li>A retry budget per guard keeps retries to a fraction of calls during an outage.
 * </ul>
 *
 * <p>This class is thread-safe; share one guard per client. The registry of endpoints is bounded
 * in size and forgets idle endpoints, so a client that talks to many hosts does not leak.
 */
public final class RefusalGuard {

  /** Default breaker threshold: 5 consecutive connect failures (Envoy's and Finagle's 5). */
  public static final int DEFAULT_FAILURE_THRESHOLD = 5;
  /** Default trial calls let through when half-open: 2. */
  public static final int DEFAULT_HALF_OPEN_CALLS = 2;
  /** Default longest wait in the open state before trial calls, probe or not: 30 s. */
  public static final Duration DEFAULT_OPEN_WAIT = Duration.ofSeconds(30);
  /** Default attempts per call, the first included: 6. */
  public static final int DEFAULT_MAX_ATTEMPTS = 6;
  /** Default first backoff ceiling: 200 ms (gRPC waits 1 s, but for a background reconnect). */
  public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(200);
  /** Default backoff multiplier: 1.6, gRPC's. */
  public static final double DEFAULT_BACKOFF_MULTIPLIER = 1.6;
  /** Default backoff ceiling: 5 s (gRPC's 120 s is for reconnects, too long to hold a request). */
  public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(5);
  /** Default time a call keeps retrying through a restart: 10 s. */
  public static final Duration DEFAULT_RESTART_WINDOW = Duration.ofSeconds(10);
  /** Default share of calls that may be retried: 20% (Envoy's and Finagle's budget). */
  public static final double DEFAULT_RETRY_BUDGET_RATIO = 0.2;
  /** Default retries always allowed per second, whatever the traffic: 10 (Finagle's floor). */
  public static final int DEFAULT_RETRY_BUDGET_MIN_PER_SECOND = 10;
  /** Default first interval of the recovery probe: 250 ms, growing by 1.6 up to 5 s. */
  public static final Duration DEFAULT_RECOVERY_PROBE_INTERVAL = Duration.ofMillis(250);
  /** Default shortest gap between probes made because calls keep arriving while open: 100 ms. */
  public static final Duration DEFAULT_RECOVERY_PROBE_GAP = Duration.ofMillis(100);
  /** Default bound on endpoints remembered: 10,000. */
  public static final int DEFAULT_MAX_ENDPOINTS = 10_000;
  /** Default time after which an endpoint nobody calls is forgotten: 10 min. */
  public static final Duration DEFAULT_ENDPOINT_IDLE_EXPIRY = Duration.ofMinutes(10);
  /** Default interval between WARN lines for one misconfigured endpoint: 1 min. */
  public static final Duration DEFAULT_WARN_INTERVAL = Duration.ofMinutes(1);

  private static final Logger log = LoggerFactory.getLogger(RefusalGuard.class);
  private static final long RECOVERY_PROBE_MAX_NANOS = TimeUnit.SECONDS.toNanos(5);
  private static final int DIAL_TIMEOUT_MILLIS = 200;
  /** A socket-count watch stops after this long without a call at the open circuit. */
  private static final long CALLS_ARRIVING_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final Diagnoser diagnoser;
  private final RefusalListener listener;
  private final CircuitBreakerConfig breakerConfig;
  private final Retry retry;
  private final RetryBudget budget;
  private final RecoveryProber prober;
  private final SystemView system;
  private final Set<RefusalCause> retryOn;
  private final long restartWindowNanos;
  private final long initialBackoffNanos;
  private final long maxBackoffNanos;
  private final double multiplier;
  private final long warnIntervalNanos;
  private final long probeGapNanos;
  private final DoubleSupplier jitter;
  private final Ticker ticker;
  private final Cache<Endpoint, GuardedEndpoint> registry;

  private RefusalGuard(Builder b) {
    this.diagnoser = b.diagnoser;
    this.listener = b.listener;
    this.retryOn = EnumSet.copyOf(b.retryOn);
    this.restartWindowNanos = b.restartWindow.toNanos();
    this.initialBackoffNanos = b.initialBackoff.toNanos();
    this.maxBackoffNanos = b.maxBackoff.toNanos();
    this.multiplier = b.multiplier;
    this.warnIntervalNanos = b.warnInterval.toNanos();
    this.probeGapNanos = b.recoveryProbeGap.toNanos();
    this.jitter = b.jitter;
    Clock clock = b.clock;
    this.ticker = clock == null ? CoarseTicker.INSTANCE
        : () -> TimeUnit.MILLISECONDS.toNanos(clock.millis());
    CircuitBreakerConfig.Builder cb = CircuitBreakerConfig.custom()
        // "Consecutive failures": a window of the last N recorded calls, all of them failures.
        .slidingWindow(b.failureThreshold, b.failureThreshold,
            CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
        .failureRateThreshold(100)
        .permittedNumberOfCallsInHalfOpenState(b.halfOpenCalls)
        .waitDurationInOpenState(b.openWait)
        .automaticTransitionFromOpenToHalfOpenEnabled(false)
        .recordException(t -> FailureKind.of(t).isConnectPhase())
        .ignoreException(t -> !FailureKind.of(t).isConnectPhase());
    if (clock != null) {
      cb.clock(clock);
    }
    this.breakerConfig = cb.build();
    this.retry = Retry.of("refusal", RetryConfig.custom()
        .maxAttempts(b.maxAttempts)
        .retryOnException(t -> true)
        .intervalBiFunction((attempt, outcome) -> backoffMillis(attempt))
        .build());
    this.budget = new RetryBudget(b.budgetRatio, b.budgetMinPerSecond, ticker::read);
    this.prober = new RecoveryProber(b.system, b.recoveryProbeInterval.toNanos(),
        Math.max(b.recoveryProbeInterval.toNanos(), RECOVERY_PROBE_MAX_NANOS), DIAL_TIMEOUT_MILLIS);
    this.system = b.system;
    this.registry = Caffeine.newBuilder()
        // Maintenance (eviction, expiry) runs on the calling thread, amortized, rather than
        // waking a ForkJoinPool thread: cheaper per call, and no dependency on the common pool.
        .executor(Runnable::run)
        .maximumSize(b.maxEndpoints)
        .expireAfterAccess(b.idleExpiry)
        .ticker(ticker)
        .removalListener((Endpoint e, GuardedEndpoint g, com.github.benmanes.caffeine.cache
            .RemovalCause c) -> {
          if (g != null) {
            g.forgotten = true;
          }
        })
        .build();
  }

  /** Returns a builder with every default set. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns a guard with every default, using {@link Diagnoser#defaults()}. */
  public static RefusalGuard defaults() {
    return builder().build();
  }

  /**
   * Runs {@code call} against {@code endpoint}: under the endpoint's breaker, retried by cause
   * when it fails in the connect phase, diagnosed when it gives up.
   *
   * @return what {@code call} returned
   * @throws DiagnosedConnectException when a connect failure is not (or no longer) retried, or
   *     the circuit is open; the last original exception is its cause
   * @throws Exception any other exception from {@code call}, untouched
   * @throws NullPointerException if an argument is null
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
    Objects.requireNonNull(call, "call");
    Objects.requireNonNull(options, "options");
    GuardedEndpoint g = endpointState(Objects.requireNonNull(endpoint, "endpoint"));
    if (!permit(g)) {
      throw rejected(g);
    }
    budget.deposit();
    T result;
    try {
      result = call.call();
    } catch (Exception e) {
      return failed(new Attempts(g, endpoint, options), call, e);
    }
    succeeded(g);
    return result;
  }

  /**
   * Runs an asynchronous call under the same rules, never blocking a thread to wait: {@code
   * attempt} starts one attempt, and retries are scheduled after their backoff. Cancelling the
   * returned future ends a wait at once; no further attempt is started.
   *
   * @return a future that completes with the first successful attempt's value, or
   *     exceptionally with a {@link DiagnosedConnectException} or the attempt's own failure
   * @throws NullPointerException if an argument is null
   */
  public <T> CompletableFuture<T> callAsync(Endpoint endpoint,
      Supplier<? extends CompletionStage<T>> attempt, CallOptions options) {
    Objects.requireNonNull(attempt, "attempt");
    Objects.requireNonNull(options, "options");
    GuardedEndpoint g = endpointState(Objects.requireNonNull(endpoint, "endpoint"));
    CompletableFuture<T> result = new CompletableFuture<>();
    if (!acquire(g)) {
      result.completeExceptionally(rejected(g));
      return result;
    }
    budget.deposit();
    attemptAsync(new Attempts(g, endpoint, options), attempt, result);
    return result;
  }

  /** The circuit state of {@code endpoint}; CLOSED for an endpoint never called. */
  public CircuitBreaker.State circuitState(Endpoint endpoint) {
    GuardedEndpoint g = registry.getIfPresent(Objects.requireNonNull(endpoint, "endpoint"));
    return g == null ? CircuitBreaker.State.CLOSED : g.breaker.getState();
  }

  /** How many endpoints the guard remembers now (approximately; for monitoring). */
  public long endpointCount() {
    registry.cleanUp();
    return registry.estimatedSize();
  }

  /** The diagnoser this guard uses. */
  public Diagnoser diagnoser() {
    return diagnoser;
  }

  // ------------------------------------------------------------------------------ the call

  /** The registry entry; a hit is one hash lookup and allocates nothing. */
  GuardedEndpoint endpointState(Endpoint endpoint) {
    GuardedEndpoint g = registry.getIfPresent(endpoint);
    return g != null ? g : registry.get(endpoint, this::newEndpoint);
  }

  private GuardedEndpoint newEndpoint(Endpoint endpoint) {
    // No event consumer on the breaker: with one, resilience4j builds an event object (with a
    // ZonedDateTime) for every rejected call. State changes are observed where they can happen.
    return new GuardedEndpoint(endpoint, CircuitBreaker.of(endpoint.toString(), breakerConfig));
  }

  /** Reports a state change, once, if the breaker's state moved since last seen. */
  private void observeState(GuardedEndpoint g) {
    CircuitBreaker.State to = g.breaker.getState();
    if (to == g.knownState) {
      return;
    }
    CircuitBreaker.State from = g.swapKnownState(to);
    if (from == to) {
      return;
    }
    Endpoint endpoint = g.endpoint;
    if (log.isInfoEnabled()) {
      log.atInfo().addKeyValue("endpoint", endpoint.toString()).addKeyValue("from", from)
          .addKeyValue("to", to).log("circuit for {} went from {} to {}", endpoint, from, to);
    }
    notify(() -> listener.circuitStateChanged(endpoint, from, to));
    if (to == CircuitBreaker.State.OPEN) {
      // A new watch for every opening: the address may have moved, on or off this host.
      g.countWatch = new SocketCountWatch(system, DIAL_TIMEOUT_MILLIS, probeGapNanos);
      watchForRecovery(g);
    }
  }

  /**
   * {@link #acquire}, and when the circuit is open for a service on this host, the look at its
   * socket count that fell due, so the first call after the service's return goes through.
   * The look costs about 30 µs, at most once per {@link SocketCountWatch#TICK_NANOS}, plus a
   * local dial (at most 10 ms) when the count moved; every other rejected call pays one
   * volatile read.
   */
  private boolean permit(GuardedEndpoint g) {
    if (acquire(g)) {
      return true;
    }
    SocketCountWatch watch = g.countWatch;
    if (watch == null || !watch.claimLook() || !watch.look()) {
      return false;
    }
    recovered(g);
    return acquire(g);
  }

  /** Asks the breaker for a permit; an OPEN breaker past its wait turns HALF_OPEN here. */
  private boolean acquire(GuardedEndpoint g) {
    boolean permitted = g.breaker.tryAcquirePermission();
    if (g.knownState != CircuitBreaker.State.CLOSED) {
      observeState(g);
    }
    return permitted;
  }

  private void succeeded(GuardedEndpoint g) {
    // Recording every success in the breaker costs a lock and a snapshot; a success after a
    // success changes nothing for a breaker that counts consecutive failures, so only the first
    // one after a failure (or any in HALF_OPEN) is recorded.
    if (g.dirty || g.knownState != CircuitBreaker.State.CLOSED) {
      g.breaker.onSuccess(0, TimeUnit.NANOSECONDS);
      g.dirty = false;
      observeState(g);
    }
    g.lastSuccessNanos = ticker.read();
  }

  /** The state of one guarded call across its attempts. */
  private final class Attempts {
    final GuardedEndpoint g;
    final Endpoint endpoint;
    final CallOptions options;
    final Retry.AsyncContext<Object> context = retry.asyncContext();
    final long start = ticker.read();
    int attempt = 1;

    Attempts(GuardedEndpoint g, Endpoint endpoint, CallOptions options) {
      this.g = g;
      this.endpoint = endpoint;
      this.options = options;
    }
  }

  /** What to do after a failed attempt: throw {@code outcome}, or wait and try again. */
  private static final class Verdict {
    final Throwable outcome;
    final long delayMillis;

    Verdict(Throwable outcome, long delayMillis) {
      this.outcome = outcome;
      this.delayMillis = delayMillis;
    }
  }

  private <T> T failed(Attempts a, Callable<T> call, Exception first) throws Exception {
    Exception failure = first;
    while (true) {
      FailureKind kind = recordFailure(a, failure);
      Diagnosis diagnosis = kind.isConnectPhase() ? diagnose(a, failure) : null;
      Verdict v = decide(a, kind, failure, diagnosis);
      Exception outcome = (Exception) v.outcome;
      if (v.delayMillis < 0) {
        throw outcome;
      }
      try {
        Object cancelled = a.options.cancellation().toCompletableFuture()
            .get(v.delayMillis, TimeUnit.MILLISECONDS);
        outcome.addSuppressed(new CancellationException("cancelled during backoff"
            + (cancelled == null ? "" : ": " + cancelled)));
        throw outcome;
      } catch (TimeoutException waited) {
        // The normal case: the backoff ran out without a cancellation.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        outcome.addSuppressed(e);
        throw outcome;
      } catch (ExecutionException | CancellationException e) {
        outcome.addSuppressed(new CancellationException("cancelled during backoff"));
        throw outcome;
      }
      if (!permit(a.g)) {
        throw rejected(a.g);
      }
      a.attempt++;
      try {
        T result = call.call();
        a.context.onComplete();
        succeeded(a.g);
        return result;
      } catch (Exception e) {
        failure = e;
      }
    }
  }

  private <T> void attemptAsync(Attempts a, Supplier<? extends CompletionStage<T>> attempt,
      CompletableFuture<T> result) {
    CompletionStage<T> stage;
    try {
      stage = attempt.get();
    } catch (RuntimeException e) {
      stage = CompletableFuture.failedFuture(e);
    }
    stage.whenComplete((value, error) -> {
      if (result.isDone()) {
        return;
      }
      if (error == null) {
        a.context.onComplete();
        succeeded(a.g);
        result.complete(value);
        return;
      }
      Throwable failure = error instanceof CompletionException && error.getCause() != null
          ? error.getCause() : error;
      FailureKind kind = recordFailure(a, failure);
      CompletableFuture<Diagnosis> diagnosis = kind.isConnectPhase()
          ? diagnoseAsync(a, failure) : CompletableFuture.completedFuture(null);
      diagnosis.whenComplete((d, never) -> {
        Verdict v = decide(a, kind, failure, d);
        if (v.delayMillis < 0) {
          result.completeExceptionally(v.outcome);
          return;
        }
        CompletableFuture.delayedExecutor(v.delayMillis, TimeUnit.MILLISECONDS).execute(() -> {
          if (result.isDone() || a.options.isCancelled()) {
            result.completeExceptionally(v.outcome);
            return;
          }
          if (!acquire(a.g)) {
            result.completeExceptionally(rejected(a.g));
            return;
          }
          a.attempt++;
          attemptAsync(a, attempt, result);
        });
      });
    });
  }

  /** Tells the listener and the breaker about a failed attempt; returns its kind. */
  private FailureKind recordFailure(Attempts a, Throwable failure) {
    FailureKind kind = FailureKind.of(failure);
    int attemptNumber = a.attempt;
    notify(() -> listener.attemptFailed(a.endpoint, attemptNumber, kind, failure));
    a.g.breaker.onError(0, TimeUnit.NANOSECONDS, failure);
    if (kind.isConnectPhase()) {
      a.g.dirty = true;
    }
    observeState(a.g);
    return kind;
  }

  /** Decides, from the failure's kind and diagnosis, whether to wait and retry or give up. */
  private Verdict decide(Attempts a, FailureKind kind, Throwable failure, Diagnosis diagnosis) {
    Throwable outcome = failure;
    boolean retryable;
    if (diagnosis != null) {
      outcome = new DiagnosedConnectException(diagnosis, failure);
      retryable = retryOn.contains(diagnosis.cause());
    } else {
      retryable = a.options.isIdempotent() && kind == FailureKind.RESET;
    }
    long delayMillis = retryable ? a.context.onError(outcome) : -1;
    String stop = null;
    long delayNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(0, delayMillis));
    if (delayMillis < 0) {
      stop = retryable ? "attempts used up" : "not retryable";
    } else if (a.options.isCancelled()) {
      stop = "cancelled";
    } else if (ticker.read() - a.start + delayNanos > restartWindowNanos) {
      stop = "restart window over";
    } else if (a.options.deadlineNanos() != 0
        && System.nanoTime() + delayNanos - a.options.deadlineNanos() > 0) {
      stop = "call deadline";
    } else if (a.g.breaker.getState() == CircuitBreaker.State.OPEN) {
      stop = "circuit opened";
    } else if (!budget.tryWithdraw()) {
      stop = "retry budget spent";
    }
    if (stop != null) {
      giveUp(a.g, a.endpoint, a.attempt, diagnosis, stop);
      return new Verdict(outcome, -1);
    }
    int next = a.attempt + 1;
    notify(() -> listener.retryScheduled(a.endpoint, next, Duration.ofMillis(delayMillis),
        diagnosis));
    if (log.isDebugEnabled()) {
      log.atDebug().addKeyValue("endpoint", a.endpoint.toString()).addKeyValue("attempt", next)
          .addKeyValue("delayMillis", delayMillis)
          .addKeyValue("cause", diagnosis == null ? kind : diagnosis.cause())
          .log("retrying {} in {} ms", a.endpoint, delayMillis);
    }
    return new Verdict(outcome, delayMillis);
  }

  private Diagnosis diagnose(Attempts a, Throwable failure) {
    shareHistory(a);
    Diagnosis d = diagnoser.diagnose(a.options.dialledEndpoint(a.endpoint, failure), failure);
    diagnosed(a.g, d);
    return d;
  }

  private CompletableFuture<Diagnosis> diagnoseAsync(Attempts a, Throwable failure) {
    shareHistory(a);
    Endpoint dialled = a.options.dialledEndpoint(a.endpoint, failure);
    return diagnoser.diagnoseAsync(dialled, failure).thenApply(d -> {
      diagnosed(a.g, d);
      return d;
    });
  }

  private void shareHistory(Attempts a) {
    long lastSuccess = a.g.lastSuccessNanos;
    if (lastSuccess != 0) {
      diagnoser.recordSuccessAgo(a.endpoint, Math.max(0, ticker.read() - lastSuccess));
    }
  }

  private void diagnosed(GuardedEndpoint g, Diagnosis d) {
    g.lastDiagnosis = d;
    g.lastAddress = d.endpoint().address().orElse(g.lastAddress);
    notify(() -> listener.diagnosisMade(d));
  }

  private void giveUp(GuardedEndpoint g, Endpoint endpoint, int attempts, Diagnosis d,
      String why) {
    if (d == null) {
      return;
    }
    if (d.cause().isMisconfiguration()) {
      long now = ticker.read();
      long last = g.lastWarnNanos;
      if ((last == 0 || now - last >= warnIntervalNanos) && g.claimWarn(last, now)) {
        log.atWarn().addKeyValue("endpoint", endpoint.toString()).addKeyValue("cause", d.cause())
            .addKeyValue("confidence", d.confidence()).addKeyValue("attempt", attempts)
            .addKeyValue("state", g.breaker.getState())
            .log("{} (logged once per endpoint per {} s)", d.headline(),
                TimeUnit.NANOSECONDS.toSeconds(warnIntervalNanos));
      }
    } else if (log.isDebugEnabled()) {
      log.atDebug().addKeyValue("endpoint", endpoint.toString()).addKeyValue("cause", d.cause())
          .addKeyValue("attempt", attempts).addKeyValue("state", g.breaker.getState())
          .log("giving up on {} after {} attempt(s): {}", endpoint, attempts, why);
    }
  }

  private DiagnosedConnectException rejected(GuardedEndpoint g) {
    Diagnosis d = g.lastDiagnosis;
    if (d == null) {
      d = Diagnosis.of(g.endpoint, FailureKind.REFUSED, RefusalCause.UNKNOWN, Confidence.LOW,
          "the circuit is " + g.breaker.getState() + " and no failure has been diagnosed",
          "Wait for the circuit to let trial calls through.", java.util.List.of(),
          Duration.ZERO);
    }
    if (g.knownState == CircuitBreaker.State.OPEN) {
      probeBecauseOfTraffic(g);
    }
    if (listener != RefusalListener.NONE) {
      // Called directly, not through notify(): a lambda here would allocate on every rejection.
      try {
        listener.callRejected(g.endpoint, d);
      } catch (RuntimeException e) {
        log.warn("a RefusalListener threw; ignored", e);
      }
    }
    return DiagnosedConnectException.rejection(g.rejectionMessage(d), d);
  }

  private void watchForRecovery(GuardedEndpoint g) {
    if (!g.claimProbe()) {
      return;
    }
    prober.watch(() -> recoveryTarget(g),
        () -> {
          boolean keep = stillOpen(g);
          if (!keep) {
            g.releaseProbe();
          }
          return keep;
        },
        () -> {
          g.releaseProbe();
          recovered(g);
        });
  }

  /**
   * While calls keep arriving at an open circuit, watches for the service's return so trial
   * calls go through within milliseconds of it; the rejected call does not wait for it. A service
   * on this host is watched through the host's socket count (dialled only when it moves); any
   * other is dialled at most once per gap.
   */
  private void probeBecauseOfTraffic(GuardedEndpoint g) {
    // Real time even under a test's clock: a watch must end once calls stop, whatever the clock.
    long wall = CoarseTicker.INSTANCE.read();
    if (g.lastCallWhileOpenNanos != wall) {
      g.lastCallWhileOpenNanos = wall;
    }
    long now = ticker.read();
    if (now - g.lastTrafficProbeNanos < probeGapNanos || !g.claimTrafficProbe(now)) {
      return;
    }
    SocketCountWatch watch = g.countWatch;
    if (watch != null) {
      prober.watchSocketCount(watch, () -> recoveryTarget(g),
          () -> stillOpen(g) && g.countWatch == watch,
          () -> CoarseTicker.INSTANCE.read() - g.lastCallWhileOpenNanos < CALLS_ARRIVING_NANOS,
          () -> recovered(g),
          servable -> {
            if (!servable && g.countWatch == watch) {
              g.countWatch = null;
            }
            g.releaseTrafficProbe();
          });
      return;
    }
    prober.probeOnce(() -> recoveryTarget(g), () -> stillOpen(g), () -> recovered(g),
        g::releaseTrafficProbe);
  }

  private static boolean stillOpen(GuardedEndpoint g) {
    return !g.forgotten && g.breaker.getState() == CircuitBreaker.State.OPEN;
  }

  /** The service accepts again: lets trial calls through, once, whichever probe saw it. */
  private void recovered(GuardedEndpoint g) {
    synchronized (g) {
      if (g.breaker.getState() != CircuitBreaker.State.OPEN) {
        return;
      }
      log.atInfo().addKeyValue("endpoint", g.endpoint.toString())
          .log("{} accepts connections again; letting trial calls through", g.endpoint);
      try {
        g.breaker.transitionToHalfOpenState();
      } catch (IllegalStateException movedMeanwhile) {
        // A call's permit request moved the breaker on between the check and the transition
        // (it takes no lock on g); whatever state it reached stands.
      }
    }
    observeState(g);
  }

  private static InetSocketAddress recoveryTarget(GuardedEndpoint g) {
    InetSocketAddress known = g.lastAddress;
    if (known != null && known.getAddress() != null) {
      return new InetSocketAddress(known.getAddress(), g.endpoint.port());
    }
    try {
      return new InetSocketAddress(InetAddress.getByName(g.endpoint.host()), g.endpoint.port());
    } catch (java.io.IOException | RuntimeException e) {
      return null;
    }
  }

  private long backoffMillis(int attempt) {
    // Full jitter: a uniform wait between zero and the exponential ceiling, so clients that
    // failed together do not come back together.
    double ceiling = Math.min(maxBackoffNanos,
        initialBackoffNanos * Math.pow(multiplier, Math.max(0, attempt - 1)));
    return TimeUnit.NANOSECONDS.toMillis((long) (jitter.getAsDouble() * ceiling));
  }

  private static void notify(Runnable event) {
    try {
      event.run();
    } catch (RuntimeException e) {
      log.warn("a RefusalListener threw; ignored", e);
    }
  }

  /** Per-endpoint state: the breaker, the last diagnosis and what the recovery probe needs. */
  static final class GuardedEndpoint {
    final Endpoint endpoint;
    final CircuitBreaker breaker;
    volatile boolean dirty;
    /** The state last reported to listeners; CLOSED for a new breaker. */
    volatile CircuitBreaker.State knownState = CircuitBreaker.State.CLOSED;
    volatile boolean forgotten;
    volatile long lastSuccessNanos;
    volatile Diagnosis lastDiagnosis;
    volatile InetSocketAddress lastAddress;
    private volatile long lastWarnNanos;
    private volatile boolean probing;
    private volatile boolean trafficProbing;
    volatile long lastTrafficProbeNanos;
    volatile long lastCallWhileOpenNanos;
    /**
     * This opening's socket-count watch, whose due looks rejected calls take; null before the
     * first opening and once the watch found it cannot serve this endpoint (traffic probes dial
     * instead).
     */
    volatile SocketCountWatch countWatch;
    private volatile Rejection rejection;

    GuardedEndpoint(Endpoint endpoint, CircuitBreaker breaker) {
      this.endpoint = endpoint;
      this.breaker = breaker;
    }

    /** Records {@code now} as the known state and returns the one it replaces. */
    synchronized CircuitBreaker.State swapKnownState(CircuitBreaker.State now) {
      CircuitBreaker.State before = knownState;
      knownState = now;
      return before;
    }

    synchronized boolean claimWarn(long expected, long now) {
      if (lastWarnNanos != expected) {
        return false;
      }
      lastWarnNanos = now;
      return true;
    }

    synchronized boolean claimProbe() {
      if (probing) {
        return false;
      }
      probing = true;
      return true;
    }

    void releaseProbe() {
      probing = false;
    }

    synchronized boolean claimTrafficProbe(long now) {
      if (trafficProbing) {
        return false;
      }
      trafficProbing = true;
      lastTrafficProbeNanos = now;
      return true;
    }

    void releaseTrafficProbe() {
      trafficProbing = false;
    }

    /** The rejection message, built once per diagnosis and state. */
    String rejectionMessage(Diagnosis d) {
      CircuitBreaker.State state = breaker.getState();
      Rejection r = rejection;
      if (r == null || r.diagnosis != d || r.state != state) {
        r = new Rejection(d, state, "Circuit " + state + " for " + endpoint
            + ", not dialled. Last failure: " + d.headline());
        rejection = r;
      }
      return r.message;
    }
  }

  /** A rejection message and what it was built from; replaced whole, so reads need no lock. */
  private static final class Rejection {
    final Diagnosis diagnosis;
    final CircuitBreaker.State state;
    final String message;

    Rejection(Diagnosis diagnosis, CircuitBreaker.State state, String message) {
      this.diagnosis = diagnosis;
      this.state = state;
      this.message = message;
    }
  }

  /**
   * Configures a {@link RefusalGuard}. Not thread-safe; {@link #build()} copies every setting,
   * so the guard is immutable and a builder can be reused.
   */
  public static final class Builder {
    private Diagnoser diagnoser = Diagnoser.defaults();
    private RefusalListener listener = RefusalListener.NONE;
    private int failureThreshold = DEFAULT_FAILURE_THRESHOLD;
    private int halfOpenCalls = DEFAULT_HALF_OPEN_CALLS;
    private Duration openWait = DEFAULT_OPEN_WAIT;
    private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
    private Duration initialBackoff = DEFAULT_INITIAL_BACKOFF;
    private double multiplier = DEFAULT_BACKOFF_MULTIPLIER;
    private Duration maxBackoff = DEFAULT_MAX_BACKOFF;
    private Duration restartWindow = DEFAULT_RESTART_WINDOW;
    private double budgetRatio = DEFAULT_RETRY_BUDGET_RATIO;
    private int budgetMinPerSecond = DEFAULT_RETRY_BUDGET_MIN_PER_SECOND;
    private Duration recoveryProbeInterval = DEFAULT_RECOVERY_PROBE_INTERVAL;
    private Duration recoveryProbeGap = DEFAULT_RECOVERY_PROBE_GAP;
    private int maxEndpoints = DEFAULT_MAX_ENDPOINTS;
    private Duration idleExpiry = DEFAULT_ENDPOINT_IDLE_EXPIRY;
    private Duration warnInterval = DEFAULT_WARN_INTERVAL;
    private Set<RefusalCause> retryOn = EnumSet.of(RefusalCause.NO_LISTENER,
        RefusalCause.RESTARTING, RefusalCause.ACCEPT_QUEUE_FULL, RefusalCause.UNKNOWN);
    private Clock clock;
    private SystemView system = RealSystemView.INSTANCE;
    private DoubleSupplier jitter = () -> ThreadLocalRandom.current().nextDouble();

    private Builder() {}

    /** The diagnoser for connect failures. The default is {@link Diagnoser#defaults()}. */
    public Builder diagnoser(Diagnoser diagnoser) {
      this.diagnoser = Objects.requireNonNull(diagnoser, "diagnoser");
      return this;
    }

    /** Receives the guard's events. The default is {@link RefusalListener#NONE}. */
    public Builder listener(RefusalListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** Consecutive connect failures that open an endpoint's circuit, 1 to 1000; default 5. */
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
     * probe has not seen the service back, 1 ms to 1 h; default 30 s.
     */
    public Builder openWait(Duration wait) {
      this.openWait = Checks.range("openWait", wait, Duration.ofMillis(1), Duration.ofHours(1));
      return this;
    }

    /** Attempts per call, the first included, 1 to 100; default 6. */
    public Builder maxAttempts(int attempts) {
      this.maxAttempts = Checks.range("maxAttempts", attempts, 1, 100);
      return this;
    }

    /**
     * The backoff: the ceiling of the first wait (default 200 ms), its growth per attempt
     * (default 1.6) and its cap (default 5 s). Each wait is uniform between zero and the
     * ceiling (full jitter).
     */
    public Builder backoff(Duration initial, double multiplier, Duration max) {
      this.initialBackoff = Checks.range("initial backoff", initial, Duration.ZERO,
          Duration.ofMinutes(10));
      if (!(multiplier >= 1.0 && multiplier <= 10.0)) {
        throw new IllegalArgumentException(
            "backoff multiplier must be between 1.0 and 10.0, but was " + multiplier);
      }
      this.multiplier = multiplier;
      this.maxBackoff = Checks.range("max backoff", max, initial, Duration.ofMinutes(10));
      return this;
    }

    /** How long one call keeps retrying through a restart, 0 to 10 min; default 10 s. */
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
      this.budgetRatio = ratio;
      this.budgetMinPerSecond = Checks.range("retry budget minPerSecond", minPerSecond, 0, 10_000);
      return this;
    }

    /** First interval of the recovery probe, 10 ms to 1 min; default 250 ms. */
    public Builder recoveryProbeInterval(Duration interval) {
      this.recoveryProbeInterval = Checks.range("recoveryProbeInterval", interval,
          Duration.ofMillis(10), Duration.ofMinutes(1));
      return this;
    }

    /**
     * While calls keep arriving at an open circuit, the shortest gap between the bare connect
     * probes they trigger, 10 ms to 1 min; default 100 ms. Smaller notices recovery sooner and
     * dials the recovering service more often. For a service on this host, the guard dials only
     * when the host's TCP socket count moved, and no more often than once per this gap when the
     * count keeps moving for other reasons.
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
      this.idleExpiry = Checks.range("endpointIdleExpiry", expiry, Duration.ofSeconds(1),
          Duration.ofDays(1));
      return this;
    }

    /** Interval between WARN lines for one misconfigured endpoint, 0 to 1 day; default 1 min. */
    public Builder warnInterval(Duration interval) {
      this.warnInterval = Checks.range("warnInterval", interval, Duration.ZERO, Duration.ofDays(1));
      return this;
    }

    /**
     * The causes retried with backoff. The default is NO_LISTENER, RESTARTING,
     * ACCEPT_QUEUE_FULL and UNKNOWN; LOCAL_* exhaustion is refused here, since retrying it makes
     * it worse.
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

    /** The clock for breakers, budgets and idle expiry; tests pass one they move by hand. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Replaces the uniform [0, 1) draw behind full jitter; for tests in this package. */
    Builder jitter(DoubleSupplier jitter) {
      this.jitter = Objects.requireNonNull(jitter, "jitter");
      return this;
    }

    /** Replaces the machine the recovery probe dials; for tests in this package. */
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
