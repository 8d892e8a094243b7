package dev.refusal.internal.diagnosis;

import dev.refusal.Confidence;
import dev.refusal.FailureKind;
import dev.refusal.RefusalCause;

/**
 * The rule for what is not a connect failure: a cancelled call, a connection reset after it was
 * established, and anything else.
 *
 * <p>Probes nothing; concludes UNKNOWN, LOW, with what the kind alone says.
 */
final class NotAConnectFailureRule extends Rule {

  NotAConnectFailureRule(Findings findings, ProbeKit kit) {
    super(findings, kit);
  }

  void diagnose(FailureKind kind) {
    Wording wording;
    if (kind == FailureKind.CANCELED) {
      wording = FailureWording.cancelled();
    } else if (kind == FailureKind.RESET) {
      wording = FailureWording.resetAfterConnect();
    } else {
      wording = FailureWording.notAConnectFailure();
    }
    findings.conclude(RefusalCause.UNKNOWN, Confidence.LOW, wording);
  }
}
