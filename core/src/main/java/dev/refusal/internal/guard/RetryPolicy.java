package dev.refusal.internal.guard;

import dev.refusal.CallOptions;
import dev.refusal.Diagnosis;
import dev.refusal.FailureKind;
import dev.refusal.GiveUpReason;
import dev.refusal.RefusalCause;
import dev.refusal.RefusalGuardConfig;
import dev.refusal.Ticker;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;

/**
 * Decides, after a failed attempt, whether to wait and try again and for how long: by cause,
 * attempts (resilience4j's retry counts them and computes the backoff), the call's cancellation,
 * the restart window, the call's deadline and the guard's retry budget. Thread-safe.
 */
public final class RetryPolicy {
  private static final GiveUpReason[] REASONS = GiveUpReason.values();

  private final Retry retry;
  private final RetryBudget budget;
  private final Set<RefusalCause> retryOn;
  private final long windowNanos;
  private final double initialNanos;
  private final double multiplier;
  private final double maxNanos;
  private final DoubleSupplier jitter;
  private final Ticker ticker;
  private final Cancellation.Views cancellations = new Cancellation.Views();

  /**
   * @param jitter a uniform draw from [0, 1): where each wait falls between half its ceiling
   *     and the ceiling
   */
  public RetryPolicy(RefusalGuardConfig config, Ticker ticker, DoubleSupplier jitter) {
    this.retryOn = EnumSet.copyOf(config.retryOn());
    this.windowNanos = config.restartWindow().toNanos();
    this.initialNanos = config.initialBackoff().toNanos();
    this.multiplier = config.backoffMultiplier();
    this.maxNanos = config.maxBackoff().toNanos();
    this.jitter = jitter;
    this.ticker = ticker;
    this.budget = new RetryBudget(config.retryBudgetRatio(), config.retryBudgetMinPerSecond(),
        ticker::read);
    this.retry = Retry.of("refusal", RetryConfig.custom()
        .maxAttempts(config.maxAttempts())
        .retryOnException(t -> true)
        .intervalBiFunction((attempt, outcome) -> backoffMillis(attempt))
        .build());
  }

  /** Starts a call's bookkeeping; {@code startNanos} by the guard's ticker. */
  CallState newCall(EndpointState s, CallOptions options) {
    return new CallState(s, s.endpoint, options, retry, ticker.read(), cancellations);
  }

  /** Records a first attempt (not a retry) in the budget. */
  public void deposit() {
    budget.deposit();
  }

  /**
   * Whether a failure may be retried at all: a connect failure whose diagnosed cause is retried,
   * or a failure after the request was written on an idempotent call. Never an {@link Error}.
   */
  boolean retryable(FailureKind kind, Throwable failure, Diagnosis d, CallOptions options) {
    if (failure instanceof Error) {
      return false;
    }
    if (d != null) {
      return retryOn.contains(d.cause());
    }
    return options.isIdempotent() && kind == FailureKind.RESET;
  }

  /**
   * The wait before the next attempt in nanoseconds (zero or more), or a negative value that
   * {@link #reason} turns into why the call ends now. {@code denied}: the attempt just due found
   * the circuit open, and no dial was made.
   */
  long decide(CallState c, boolean retryable, boolean denied) {
    if (!retryable) {
      return stop(GiveUpReason.NOT_RETRYABLE);
    }
    long millis = c.context.onError(c.outcome);
    if (millis < 0) {
      return stop(denied ? GiveUpReason.CIRCUIT_OPEN : GiveUpReason.ATTEMPTS_USED_UP);
    }
    if (c.cancellation().isCancelled()) {
      return stop(GiveUpReason.CANCELLED);
    }
    long delay = TimeUnit.MILLISECONDS.toNanos(millis);
    long now = ticker.read();
    if (now - c.startNanos + delay > windowNanos) {
      return stop(denied ? GiveUpReason.CIRCUIT_OPEN : GiveUpReason.RESTART_WINDOW_OVER);
    }
    if (c.hasDeadline && now + delay - c.deadlineNanos > 0) {
      return stop(denied ? GiveUpReason.CIRCUIT_OPEN : GiveUpReason.DEADLINE);
    }
    if (!denied && !budget.tryWithdraw()) {
      return stop(GiveUpReason.RETRY_BUDGET_SPENT);
    }
    return delay;
  }

  /** The reason a negative {@link #decide} value stands for. */
  static GiveUpReason reason(long verdict) {
    return REASONS[(int) (-verdict - 1)];
  }

  /** Tells resilience4j's retry that the call succeeded after a retry. */
  void succeededAfterRetry(CallState c) {
    c.context.onComplete();
  }

  private static long stop(GiveUpReason reason) {
    return -(reason.ordinal() + 1L);
  }

  private long backoffMillis(int attempt) {
    // Half-to-full jitter: clients that failed together come back spread over the upper half of
    // the ceiling, and every wait is at least half of it, so the waits of a call add up to a
    // known minimum (what "rides out a restart of 2 s" rests on).
    double ceiling = Math.min(maxNanos,
        initialNanos * Math.pow(multiplier, Math.max(0, attempt - 1)));
    double wait = ceiling * (0.5 + 0.5 * jitter.getAsDouble());
    return TimeUnit.NANOSECONDS.toMillis((long) wait);
  }
}
