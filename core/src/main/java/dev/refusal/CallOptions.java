package dev.refusal;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * How one guarded call may be retried: whether it is idempotent, by when it must be over, and a
 * signal that cancels it. Immutable; every method returns a new instance.
 *
 * <p>Integrations use these to respect their client's contracts: OkHttp's {@code callTimeout}
 * becomes the deadline, and its {@code Call.cancel()} completes the cancellation stage, which
 * ends a backoff wait at once.
 */
public final class CallOptions {
  private static final CompletableFuture<Void> NEVER = new CompletableFuture<>();

  /** Not idempotent, no deadline, no cancellation. */
  public static final CallOptions DEFAULTS = new CallOptions(false, 0, NEVER);

  private final boolean idempotent;
  private final long deadlineNanos;
  private final CompletionStage<?> cancellation;

  private CallOptions(boolean idempotent, long deadlineNanos, CompletionStage<?> cancellation) {
    this.idempotent = idempotent;
    this.deadlineNanos = deadlineNanos;
    this.cancellation = cancellation;
  }

  /**
   * Whether a failure after the request was written may be retried too (connect-phase failures
   * always may). The default is false.
   */
  public CallOptions idempotent(boolean idempotent) {
    return new CallOptions(idempotent, deadlineNanos, cancellation);
  }

  /**
   * The {@link System#nanoTime()} by which the whole call, retries and waits included, must be
   * over; a retry whose wait would pass it is not made. Zero means no deadline (the default).
   */
  public CallOptions deadlineNanos(long nanoTime) {
    return new CallOptions(idempotent, nanoTime, cancellation);
  }

  /**
   * A stage whose completion cancels the call: a backoff wait ends at once, and no further
   * attempt is made. The default never completes.
   *
   * @throws NullPointerException if {@code cancellation} is null
   */
  public CallOptions cancellation(CompletionStage<?> cancellation) {
    return new CallOptions(idempotent, deadlineNanos,
        Objects.requireNonNull(cancellation, "cancellation"));
  }

  /** Whether the call is idempotent. */
  public boolean isIdempotent() {
    return idempotent;
  }

  /** The deadline as a {@link System#nanoTime()} value, or 0 for none. */
  public long deadlineNanos() {
    return deadlineNanos;
  }

  /** The cancellation signal. */
  public CompletionStage<?> cancellation() {
    return cancellation;
  }

  boolean isCancelled() {
    return cancellation.toCompletableFuture().isDone();
  }
}
