package dev.refusal.internal.guard;

import dev.refusal.CallOptions;
import dev.refusal.Diagnosis;
import dev.refusal.Endpoint;
import dev.refusal.FailureKind;
import dev.refusal.GiveUpReason;
import dev.refusal.internal.log.RefusalLog;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;

/**
 * Runs a call on the caller's thread: an attempt under a permit, and after a failure a diagnosis,
 * a decision, a wait on the caller's thread (ended early by cancellation or an interrupt) and the
 * next attempt. Every permit is settled exactly once, whatever the callable throws; what the
 * caller gets is the callable's own value or exception, or a {@code DiagnosedConnectException}
 * whose cause is the original failure. The guard's own bookkeeping can never replace it.
 */
public final class BlockingRetryLoop {
  private static final RefusalLog log = RefusalLog.named("dev.refusal.RefusalGuard");

  private final GuardCore core;

  BlockingRetryLoop(GuardCore core) {
    this.core = core;
  }

  /** Runs {@code call} against {@code endpoint}; the caller checked the arguments. */
  public <T> T call(Endpoint endpoint, Callable<T> call, CallOptions options) throws Exception {
    EndpointState s = core.registry.get(endpoint);
    int permit = core.gate.acquire(s);
    if (permit == BreakerGate.DENIED) {
      throw core.rejection(s);
    }
    core.policy.deposit();
    T result;
    try {
      result = call.call();
    } catch (Throwable t) {
      return failed(s, endpoint, options, call, permit, t);
    }
    core.succeeded(s, permit, 1);
    return result;
  }

  private <T> T failed(EndpointState s, Endpoint endpoint, CallOptions options, Callable<T> call,
      int firstPermit, Throwable first) throws Exception {
    CallState c = core.policy.newCall(s, options);
    int permit = firstPermit;
    Throwable failure = first;
    while (true) {
      Throwable outcome = failure;
      GiveUpReason stop;
      long delay;
      try {
        FailureKind kind = core.attemptFailed(c, permit, failure);
        permit = BreakerGate.DENIED;
        Diagnosis d = null;
        if (kind.isConnectPhase()) {
          core.shareHistory(c);
          d = core.access.diagnose(c.dialled(failure), failure);
          d = core.diagnosed(c, d);
        }
        outcome = GuardCore.outcome(failure, d);
        c.outcome = outcome;
        delay = core.policy.decide(c, core.policy.retryable(kind, failure, d, options), false);
      } catch (Throwable bug) {
        // The guard's own failure must never hide the call's: log it, and give up with the call's.
        if (permit != BreakerGate.DENIED) {
          core.gate.release(s, permit);
        }
        log.warn("the guard failed while handling a failed attempt; the failure is rethrown", bug);
        throw sneaky(outcome);
      }
      // A denied permit at the next attempt's time waits again, within the call's limits.
      while (true) {
        if (delay < 0) {
          stop = RetryPolicy.reason(delay);
          core.events.callGaveUp(s, endpoint, c.attempts, c.outcome, c.lastDiagnosis, stop);
          throw sneaky(c.outcome);
        }
        core.events.retryScheduled(endpoint, c.attempts + 1, delay, FailureKind.of(failure),
            c.lastDiagnosis);
        GiveUpReason ended = waitFor(c, delay);
        if (ended != null) {
          core.events.callGaveUp(s, endpoint, c.attempts, c.outcome, c.lastDiagnosis, ended);
          throw sneaky(c.outcome);
        }
        permit = core.gate.acquire(s);
        if (permit != BreakerGate.DENIED) {
          break;
        }
        delay = core.policy.decide(c, true, true);
      }
      c.attempts++;
      T result;
      try {
        result = call.call();
      } catch (Throwable t) {
        failure = t;
        continue;
      }
      core.policy.succeededAfterRetry(c);
      core.succeeded(s, permit, c.attempts);
      return result;
    }
  }

  /** Waits {@code nanos}; null when the wait ran out, else why the call must end now. */
  private static GiveUpReason waitFor(CallState c, long nanos) {
    Cancellation cancellation = c.cancellation();
    try {
      if (cancellation.await(nanos)) {
        c.outcome.addSuppressed(new CancellationException("cancelled during backoff"));
        return GiveUpReason.CANCELLED;
      }
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      c.outcome.addSuppressed(e);
      return GiveUpReason.INTERRUPTED;
    }
  }

  /** Rethrows any throwable from a method that declares {@code Exception}. */
  @SuppressWarnings("unchecked")
  static <E extends Throwable> E sneaky(Throwable t) throws E {
    throw (E) t;
  }
}
