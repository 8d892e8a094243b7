package dev.refusal;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

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

  /** Not idempotent, no deadline, no cancellation, the call's endpoint diagnosed as given. */
  public static final CallOptions DEFAULTS = new CallOptions(false, 0, NEVER, null);

  private final boolean idempotent;
  private final long deadlineNanos;
  private final CompletionStage<?> cancellation;
  private final Function<? super Throwable, Endpoint> dialled;

  private CallOptions(boolean idempotent, long deadlineNanos, CompletionStage<?> cancellation,
      Function<? super Throwable, Endpoint> dialled) {
    this.idempotent = idempotent;
    this.deadlineNanos = deadlineNanos;
    this.cancellation = cancellation;
    this.dialled = dialled;
  }

  /**
   * Whether a failure after the request was written may be retried too (connect-phase failures
   * always may). The default is false.
   */
  public CallOptions idempotent(boolean idempotent) {
    return new CallOptions(idempotent, deadlineNanos, cancellation, dialled);
  }

  /**
   * The {@link System#nanoTime()} by which the whole call, retries and waits included, must be
   * over; a retry whose wait would pass it is not made. Zero means no deadline (the default).
   */
  public CallOptions deadlineNanos(long nanoTime) {
    return new CallOptions(idempotent, nanoTime, cancellation, dialled);
  }

  /**
   * A stage whose completion cancels the call: a backoff wait ends at once, and no further
   * attempt is made. The default never completes.
   *
   * @throws NullPointerException if {@code cancellation} is null
   */
  public CallOptions cancellation(CompletionStage<?> cancellation) {
    return new CallOptions(idempotent, deadlineNanos,
        Objects.requireNonNull(cancellation, "cancellation"), dialled);
  }

  /**
   * Tells the guard, after an attempt failed, which endpoint that attempt dialled: the address it
   * tried and the proxy it went through, for clients that pick the address inside the attempt
   * (OkHttp, the JDK client). The diagnosis is made for what it returns. A null answer, an
   * endpoint with another host or port than the call's, or a function that throws leaves the
   * call's own endpoint. It is called on the thread that saw the failure, at most once per failed
   * attempt, and must be fast. The default diagnoses the call's endpoint as given.
   *
   * @throws NullPointerException if {@code dialled} is null
   */
  public CallOptions dialled(Function<? super Throwable, Endpoint> dialled) {
    return new CallOptions(idempotent, deadlineNanos, cancellation,
        Objects.requireNonNull(dialled, "dialled"));
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

  /** The endpoint to diagnose for {@code failure}: what {@link #dialled} says, if it may. */
  Endpoint dialledEndpoint(Endpoint call, Throwable failure) {
    if (dialled == null) {
      return call;
    }
    Endpoint tried;
    try {
      tried = dialled.apply(failure);
    } catch (RuntimeException e) {
      return call;
    }
    return tried != null && tried.equals(call) ? tried : call;
  }

  boolean isCancelled() {
    return cancellation.toCompletableFuture().isDone();
  }
}
