package dev.refusal.internal.guard;

import dev.refusal.CallOptions;
import dev.refusal.Diagnosis;
import dev.refusal.Endpoint;
import dev.refusal.FailureKind;
import dev.refusal.GiveUpReason;
import dev.refusal.internal.log.RefusalLog;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Runs a call without blocking a thread to wait: each attempt is a stage the caller's supplier
 * starts, and each wait is a task on the guard's scheduler.
 *
 * <p>The future it returns always completes, whatever the supplier, its stage, a listener, the
 * diagnoser or the cancellation stage does: every step catches {@link Throwable} and completes
 * the future with the call's own failure. Every permit is settled exactly once, behind a
 * compare-and-set shared by the attempt's completion and the caller's giving up: cancelling (or
 * otherwise completing) the returned future ends a wait at once and gives back the permit of an
 * attempt in flight; a stage completing after that changes nothing.
 */
public final class AsyncRetryLoop {
  private static final RefusalLog log = RefusalLog.named("dev.refusal.RefusalGuard");

  private final GuardCore core;
  private final GuardThreads threads;
  /** Calls waiting for their next attempt, so closing the guard can end them. */
  private final Set<AsyncCall<?>> waiting = ConcurrentHashMap.newKeySet();

  AsyncRetryLoop(GuardCore core, GuardThreads threads) {
    this.core = core;
    this.threads = threads;
  }

  /** Starts {@code attempt} against {@code endpoint}; the caller checked the arguments. */
  public <T> CompletableFuture<T> call(Endpoint endpoint,
      Supplier<? extends CompletionStage<T>> attempt, CallOptions options) {
    EndpointState s = core.registry.get(endpoint);
    CompletableFuture<T> result = new CompletableFuture<>();
    int permit = core.gate.acquire(s);
    if (permit == BreakerGate.DENIED) {
      result.completeExceptionally(core.rejection(s));
      return result;
    }
    core.policy.deposit();
    AsyncCall<T> call = new AsyncCall<>(core.policy.newCall(s, options), attempt, result);
    result.whenComplete((v, e) -> call.resultCompleted());
    call.run(permit);
    return result;
  }

  /** Ends every call waiting for its next attempt: the guard is closing. */
  void closeAll() {
    for (AsyncCall<?> call : waiting) {
      call.closed();
    }
  }

  /** One attempt's permit, settled once by whoever gets there first. */
  private static final class Attempt {
    final int permit;
    final AtomicBoolean settled = new AtomicBoolean();

    Attempt(int permit) {
      this.permit = permit;
    }
  }

  private final class AsyncCall<T> {
    private final CallState c;
    private final Supplier<? extends CompletionStage<T>> supplier;
    private final CompletableFuture<T> result;
    private volatile Attempt current;
    private volatile ScheduledFuture<?> wait;
    /** Set before the loop completes {@link #result} itself; anything else is the caller. */
    private volatile boolean endedByLoop;

    AsyncCall(CallState c, Supplier<? extends CompletionStage<T>> supplier,
        CompletableFuture<T> result) {
      this.c = c;
      this.supplier = supplier;
      this.result = result;
    }

    void run(int permit) {
      Attempt a = new Attempt(permit);
      current = a;
      if (result.isDone()) {
        // The caller gave up before this attempt started.
        if (a.settled.compareAndSet(false, true)) {
          core.gate.release(c.s, a.permit);
        }
        return;
      }
      CompletionStage<T> stage;
      try {
        stage = supplier.get();
        if (stage == null) {
          throw new NullPointerException("the attempt supplier returned null");
        }
      } catch (Throwable t) {
        attemptDone(a, null, t);
        return;
      }
      try {
        stage.whenComplete((value, error) -> attemptDone(a, value, error));
      } catch (Throwable t) {
        attemptDone(a, null, t);
      }
    }

    private void attemptDone(Attempt a, T value, Throwable error) {
      Throwable failure = error;
      try {
        if (!a.settled.compareAndSet(false, true)) {
          // The caller gave up first and the permit went back then.
          return;
        }
        if (error == null) {
          // From here the call ends in success, even if the caller gives up meanwhile.
          endedByLoop = true;
          if (c.attempts > 1) {
            core.policy.succeededAfterRetry(c);
          }
          core.succeeded(c.s, a.permit, c.attempts);
          end(value, null, null);
          return;
        }
        failure = unwrap(error);
        c.outcome = failure;
        FailureKind kind = core.attemptFailed(c, a.permit, failure);
        if (result.isDone()) {
          return;
        }
        Throwable f = failure;
        if (kind.isConnectPhase()) {
          core.shareHistory(c);
          core.access.diagnoseAsync(c.dialled(failure), failure)
              .whenComplete((d, never) -> decide(kind, f, d));
        } else {
          decide(kind, f, null);
        }
      } catch (Throwable bug) {
        broken(bug, failure);
      }
    }

    private void decide(FailureKind kind, Throwable failure, Diagnosis d) {
      try {
        if (d != null) {
          d = core.diagnosed(c, d);
        }
        c.outcome = GuardCore.outcome(failure, d);
        next(core.policy.decide(c, core.policy.retryable(kind, failure, d, c.options), false));
      } catch (Throwable bug) {
        broken(bug, failure);
      }
    }

    /** Schedules the next attempt after {@code verdict}, or ends the call. */
    private void next(long verdict) {
      if (verdict < 0) {
        end(null, c.outcome, RetryPolicy.reason(verdict));
        return;
      }
      if (result.isDone()) {
        return;
      }
      core.events.retryScheduled(c.endpoint, c.attempts + 1, verdict,
          FailureKind.of(c.outcome), c.lastDiagnosis);
      waiting.add(this);
      ScheduledFuture<?> w = threads.schedule(this::waitEnded, verdict);
      if (w == null) {
        waiting.remove(this);
        end(null, c.outcome, GiveUpReason.GUARD_CLOSED);
        return;
      }
      wait = w;
      if (result.isDone()) {
        w.cancel(false);
        waiting.remove(this);
      }
    }

    private void waitEnded() {
      waiting.remove(this);
      try {
        if (result.isDone()) {
          return;
        }
        if (threads.isClosed()) {
          end(null, c.outcome, GiveUpReason.GUARD_CLOSED);
          return;
        }
        if (c.cancellation().isCancelled()) {
          c.outcome.addSuppressed(new CancellationException("cancelled during backoff"));
          end(null, c.outcome, GiveUpReason.CANCELLED);
          return;
        }
        int permit = core.gate.acquire(c.s);
        if (permit == BreakerGate.DENIED) {
          next(core.policy.decide(c, true, true));
          return;
        }
        c.attempts++;
        run(permit);
      } catch (Throwable bug) {
        broken(bug, c.outcome);
      }
    }

    /** The guard is closing while this call waits. */
    void closed() {
      ScheduledFuture<?> w = wait;
      if (w != null) {
        w.cancel(false);
      }
      waiting.remove(this);
      if (!result.isDone()) {
        end(null, c.outcome, GiveUpReason.GUARD_CLOSED);
      }
    }

    /** The returned future completed: when the caller did it, the call stops here. */
    void resultCompleted() {
      if (endedByLoop) {
        return;
      }
      ScheduledFuture<?> w = wait;
      if (w != null) {
        w.cancel(false);
      }
      waiting.remove(this);
      Attempt a = current;
      if (a != null && a.settled.compareAndSet(false, true)) {
        core.gate.release(c.s, a.permit);
      }
      Throwable reported = c.outcome != null ? c.outcome : new CancellationException();
      core.events.callGaveUp(c.s, c.endpoint, c.attempts, reported, c.lastDiagnosis,
          GiveUpReason.CANCELLED);
    }

    private void end(T value, Throwable failure, GiveUpReason reason) {
      if (failure == null) {
        result.complete(value);
        return;
      }
      if (result.isDone()) {
        return;
      }
      endedByLoop = true;
      core.events.callGaveUp(c.s, c.endpoint, c.attempts, failure, c.lastDiagnosis, reason);
      result.completeExceptionally(failure);
    }

    /** The guard's own step failed: the call still ends, with its own failure. */
    private void broken(Throwable bug, Throwable failure) {
      try {
        log.warn("the guard failed while handling an asynchronous attempt; the call ends with"
            + " its own failure", bug);
      } catch (Throwable ignored) {
        // Nothing more can be done about a logger that throws.
      }
      endedByLoop = true;
      result.completeExceptionally(failure != null ? failure : bug);
    }
  }

  private static Throwable unwrap(Throwable error) {
    if ((error instanceof CompletionException || error instanceof ExecutionException)
        && error.getCause() != null) {
      return error.getCause();
    }
    return error;
  }
}
