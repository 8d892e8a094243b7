package dev.refusal.internal.guard;

import dev.refusal.Confidence;
import dev.refusal.DiagnosedConnectException;
import dev.refusal.Diagnosis;
import dev.refusal.FailureKind;
import dev.refusal.RefusalCause;
import dev.refusal.Ticker;
import dev.refusal.internal.DiagnosedFailures;
import java.time.Duration;
import java.util.List;

/**
 * What both retry loops share: the registry, the gate, the policy, the events, the recovery
 * coordinator, and the steps every failed attempt goes through (settle, tell, diagnose, decide).
 */
final class GuardCore {
  final EndpointRegistry registry;
  final BreakerGate gate;
  final RetryPolicy policy;
  final Events events;
  final RecoveryCoordinator recovery;
  final CoreAccess access;
  final Ticker ticker;
  final Ticker coarse;

  GuardCore(EndpointRegistry registry, BreakerGate gate, RetryPolicy policy, Events events,
      RecoveryCoordinator recovery, CoreAccess access, Ticker ticker, Ticker coarse) {
    this.registry = registry;
    this.gate = gate;
    this.policy = policy;
    this.events = events;
    this.recovery = recovery;
    this.access = access;
    this.ticker = ticker;
    this.coarse = coarse;
  }

  /** A success: settles the permit, stamps the history, tells the listeners. */
  void succeeded(EndpointState s, int permit, int attempts) {
    gate.succeeded(s, permit);
    long now = coarse.read();
    if (s.lastSuccessNanos != now) {
      // The coarse clock moves every 50 ms: most successes skip the volatile write.
      s.lastSuccessNanos = now;
    }
    events.callSucceeded(s.endpoint, attempts);
  }

  /**
   * A failed attempt: settles its permit and tells the listeners; returns the failure's kind.
   * An {@link Error} never counts as a connect failure, whatever its causes.
   */
  FailureKind attemptFailed(CallState c, int permit, Throwable failure) {
    FailureKind kind = failure instanceof Error ? FailureKind.OTHER : FailureKind.of(failure);
    boolean connectPhase = kind.isConnectPhase();
    if (connectPhase) {
      c.s.lastFailure = failure;
    } else {
      // Failed after the connect: the request may have been written, whatever follows.
      c.requestMayHaveBeenSent = true;
    }
    events.attemptFailed(c.endpoint, c.attempts, kind, failure);
    gate.failed(c.s, permit, failure, connectPhase);
    return kind;
  }

  /** Shares the endpoint's history with the diagnoser before a diagnosis. */
  void shareHistory(CallState c) {
    long lastSuccess = c.s.lastSuccessNanos;
    if (lastSuccess != 0) {
      access.recordSuccessAgo(c.endpoint, Math.max(0, coarse.read() - lastSuccess));
    }
  }

  /**
   * A diagnosis arrived: remembered for rejections and recovery, told to the listeners. Returns
   * the call's own copy, which says whether an earlier attempt may have sent the request; the
   * endpoint keeps the shared one, since that is a fact of this call only.
   */
  Diagnosis diagnosed(CallState c, Diagnosis d) {
    Diagnosis mine = c.requestMayHaveBeenSent && !d.requestMayHaveBeenSent()
        ? d.toBuilder().requestMayHaveBeenSent(true).build() : d;
    c.lastDiagnosis = mine;
    c.s.lastDiagnosis = d;
    c.s.lastAddress = d.endpoint().address().orElse(c.s.lastAddress);
    events.diagnosisMade(mine);
    return mine;
  }

  /**
   * The outcome the caller gets for a failed attempt: diagnosed when it was a connect failure,
   * and of a type every catch block written for the failure still matches.
   */
  static Throwable outcome(Throwable failure, Diagnosis d) {
    return d == null ? failure : DiagnosedFailures.withDiagnosis(failure, d);
  }

  /** The rejection a call gets at a circuit that let it through no permit. Does no I/O. */
  DiagnosedConnectException rejection(EndpointState s) {
    Diagnosis d = s.lastDiagnosis;
    if (d == null) {
      d = Diagnosis.of(s.endpoint, FailureKind.REFUSED, RefusalCause.UNKNOWN, Confidence.LOW,
          "the circuit is not closed and no failure has been diagnosed",
          "Wait for the circuit to let trial calls through.", List.of(), Duration.ZERO);
    }
    dev.refusal.CircuitState state = s.reported;
    if (state == dev.refusal.CircuitState.OPEN) {
      recovery.callRejected(s);
    }
    events.callRejected(s.endpoint, d);
    return access.rejection(s.rejectionMessage(d, state), d, s.lastFailure);
  }
}
