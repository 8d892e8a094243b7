package dev.refusal.internal.guard;

import dev.refusal.CallOptions;
import dev.refusal.Diagnosis;
import dev.refusal.Endpoint;
import io.github.resilience4j.retry.Retry;
import java.util.function.Function;

/**
 * One guarded call across its attempts; made when its first attempt fails (a blocking call) or
 * when it starts (an asynchronous one), so a call that succeeds at once allocates none.
 */
final class CallState {
  final EndpointState s;
  final Endpoint endpoint;
  final CallOptions options;
  final Retry.AsyncContext<Object> context;
  final long startNanos;
  final long deadlineNanos;
  final boolean hasDeadline;
  private final Cancellation.Views views;
  private Cancellation cancellation;
  /** Attempts dialled so far. */
  int attempts = 1;
  /** The permit of the attempt in flight. */
  int permit;
  /** What the caller gets if the call ends now: the last attempt's outcome. */
  Throwable outcome;
  Diagnosis lastDiagnosis;
  /** An attempt failed after its connect: a server may have the request. */
  boolean requestMayHaveBeenSent;

  CallState(EndpointState s, Endpoint endpoint, CallOptions options, Retry retry, long startNanos,
      Cancellation.Views views) {
    this.s = s;
    this.views = views;
    this.endpoint = endpoint;
    this.options = options;
    this.context = retry.asyncContext();
    this.startNanos = startNanos;
    long deadline = 0;
    boolean bounded = false;
    if (options.deadline().isPresent()) {
      deadline = startNanos + options.deadline().get().toNanos();
      bounded = true;
    }
    this.deadlineNanos = deadline;
    this.hasDeadline = bounded;
  }

  Cancellation cancellation() {
    Cancellation c = cancellation;
    if (c == null) {
      c = Cancellation.of(options.cancellation().orElse(null), views);
      cancellation = c;
    }
    return c;
  }

  /** The endpoint the failed attempt dialled, as the options tell it, if they may. */
  Endpoint dialled(Throwable failure) {
    Function<? super Throwable, Endpoint> f = options.dialled().orElse(null);
    if (f == null) {
      return endpoint;
    }
    Endpoint tried;
    try {
      tried = f.apply(failure);
    } catch (Throwable e) {
      return endpoint;
    }
    return tried != null && tried.equals(endpoint) ? tried : endpoint;
  }
}
