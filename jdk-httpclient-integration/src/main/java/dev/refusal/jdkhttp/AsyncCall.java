package dev.refusal.jdkhttp;

import dev.refusal.CallOptions;
import dev.refusal.Endpoint;
import dev.refusal.RefusalGuard;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * One {@code sendAsync} under the guard: the future the caller gets, and what cancelling it
 * stops.
 *
 * <p>Cancelling {@link #result()} completes the guard's cancellation signal and cancels the
 * guard's own future, so a backoff wait ends without another attempt, and cancels the JDK's
 * future of an attempt in flight ({@code cancel(true)}, which makes the JDK abort the exchange).
 */
final class AsyncCall<T> {

  private final RefusalGuard guard;
  private final Supplier<CompletableFuture<HttpResponse<T>>> attempt;
  private final CallOptions options;
  private final CompletableFuture<HttpResponse<T>> result = new CompletableFuture<>();
  private final CompletableFuture<Void> cancelled = new CompletableFuture<>();
  private volatile CompletableFuture<HttpResponse<T>> guarded;
  private volatile CompletableFuture<HttpResponse<T>> inFlight;

  AsyncCall(RefusalGuard guard, Supplier<CompletableFuture<HttpResponse<T>>> attempt,
      CallOptions options) {
    this.guard = guard;
    this.attempt = attempt;
    this.options = options.cancellation(cancelled);
    result.whenComplete((response, failure) -> {
      if (result.isCancelled()) {
        cancel();
      }
    });
  }

  /** The future the caller gets. */
  CompletableFuture<HttpResponse<T>> result() {
    return result;
  }

  /** Starts the first attempt against {@code endpoint}, unless the caller cancelled already. */
  void start(Endpoint endpoint) {
    if (result.isDone()) {
      return;
    }
    CompletableFuture<HttpResponse<T>> g;
    try {
      g = guard.callAsync(endpoint, this::attempt, options);
    } catch (RuntimeException e) {
      result.completeExceptionally(e);
      return;
    }
    guarded = g;
    g.whenComplete(this::finish);
    if (result.isCancelled()) {
      g.cancel(false);
    }
  }

  private CompletionStage<HttpResponse<T>> attempt() {
    CompletableFuture<HttpResponse<T>> f = attempt.get();
    inFlight = f;
    if (result.isCancelled()) {
      f.cancel(true);
    }
    return f;
  }

  private void finish(HttpResponse<T> response, Throwable failure) {
    if (failure == null) {
      result.complete(response);
      return;
    }
    if (result.isDone()) {
      return;
    }
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause() : failure;
    Throwable reported = Failures.translate(cause);
    // The guard may give up on a diagnosis thread; the caller's dependent actions must not run
    // there, so the failure is delivered from the default asynchronous pool, as the JDK client
    // delivers its own.
    CompletableFuture.runAsync(() -> result.completeExceptionally(reported));
  }

  private void cancel() {
    cancelled.complete(null);
    CompletableFuture<HttpResponse<T>> g = guarded;
    if (g != null) {
      g.cancel(false);
    }
    CompletableFuture<HttpResponse<T>> f = inFlight;
    if (f != null) {
      f.cancel(true);
    }
  }
}
