package dev.refusal;

import dev.refusal.internal.Checks;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * How one guarded call may be retried: whether it is idempotent, how long it may take, a signal
 * that cancels it, and which endpoint each attempt dialled. Immutable and free of shared mutable
 * state; every method returns a new instance.
 *
 * <p>Integrations use these to respect their client's contracts: OkHttp's {@code callTimeout}
 * becomes the deadline, and its {@code Call.cancel()} completes the cancellation stage, which
 * ends a backoff wait at once.
 */
public final class CallOptions {

  /** Not idempotent, no deadline, no cancellation, the call's endpoint diagnosed as given. */
  public static final CallOptions DEFAULTS = new CallOptions(false, null, null, null);

  private final boolean idempotent;
  private final Duration deadline;
  private final CompletionStage<?> cancellation;
  private final Function<? super Throwable, Endpoint> dialled;

  private CallOptions(boolean idempotent, Duration deadline, CompletionStage<?> cancellation,
      Function<? super Throwable, Endpoint> dialled) {
    this.idempotent = idempotent;
    this.deadline = deadline;
    this.cancellation = cancellation;
    this.dialled = dialled;
  }

  /** The defaults: {@link #DEFAULTS}. */
  public static CallOptions defaults() {
    return DEFAULTS;
  }

  /**
   * Whether a failure after the request was written may be retried too (connect-phase failures
   * always may). The default is false.
   */
  public CallOptions idempotent(boolean idempotent) {
    return new CallOptions(idempotent, deadline, cancellation, dialled);
  }

  /**
   * How long the whole call, retries and waits included, may take, counted from the moment the
   * guard starts it: a retry whose wait would end past it is not made. Zero allows the first
   * attempt only. The default is no deadline.
   *
   * @throws NullPointerException if {@code deadline} is null
   * @throws IllegalArgumentException if {@code deadline} is negative or longer than a year
   */
  public CallOptions deadline(Duration deadline) {
    return new CallOptions(idempotent,
        Checks.range("deadline", deadline, Duration.ZERO, Duration.ofDays(365)), cancellation,
        dialled);
  }

  /**
   * A stage whose completion cancels the call: a backoff wait ends at once, and no further
   * attempt is made. Any {@link CompletionStage} works, including those whose {@code
   * toCompletableFuture()} is unsupported. For a {@link java.util.concurrent.CompletableFuture}
   * (or a stage that offers one) the guard keeps nothing registered on it once a call ends; on
   * any other stage, each call that had to wait leaves one completion callback behind until the
   * stage completes. The default is no cancellation.
   *
   * @throws NullPointerException if {@code cancellation} is null
   */
  public CallOptions cancellation(CompletionStage<?> cancellation) {
    return new CallOptions(idempotent, deadline,
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
    return new CallOptions(idempotent, deadline, cancellation,
        Objects.requireNonNull(dialled, "dialled"));
  }

  /** Whether the call is idempotent. */
  public boolean isIdempotent() {
    return idempotent;
  }

  /** How long the call may take, if bounded. */
  public Optional<Duration> deadline() {
    return Optional.ofNullable(deadline);
  }

  /** The cancellation signal, if any. */
  public Optional<CompletionStage<?>> cancellation() {
    return Optional.ofNullable(cancellation);
  }

  /** The function that names each failed attempt's dialled endpoint, if any. */
  public Optional<Function<? super Throwable, Endpoint>> dialled() {
    return Optional.ofNullable(dialled);
  }

  @Override
  public String toString() {
    return "CallOptions{idempotent=" + idempotent
        + (deadline == null ? "" : ", deadline=" + deadline)
        + (cancellation == null ? "" : ", cancellable")
        + (dialled == null ? "" : ", dialled")
        + '}';
  }
}
