package dev.refusal.internal.diagnosis;

import dev.refusal.Confidence;
import dev.refusal.FailureKind;
import dev.refusal.RefusalCause;
import dev.refusal.internal.HostSyntax;
import java.net.InetAddress;

/**
 * The rule for a target that cannot be reached: no route from this host (ENETUNREACH), or an
 * ICMP host-unreachable on the way (EHOSTUNREACH).
 *
 * <p>Probes nothing beyond learning the dialled address; concludes UNREACHABLE, MEDIUM.
 */
final class UnreachableRule extends Rule {

  UnreachableRule(Findings findings, ProbeKit kit) {
    super(findings, kit);
  }

  /** @param kind {@link FailureKind#NETWORK_UNREACHABLE} or {@link FailureKind#NO_ROUTE_TO_HOST} */
  void diagnose(FailureKind kind) {
    InetAddress dialled = kit.dialledAddress();
    String target = dialled == null ? endpoint.toString() : kit.hostPort(dialled);
    if (kind == FailureKind.NETWORK_UNREACHABLE) {
      String routeTo = dialled == null ? endpoint.host() : HostSyntax.addressText(dialled);
      findings.conclude(RefusalCause.UNREACHABLE, Confidence.MEDIUM,
          FailureWording.noRoute(target, routeTo));
    } else {
      findings.conclude(RefusalCause.UNREACHABLE, Confidence.MEDIUM,
          FailureWording.hostUnreachable(target));
    }
  }
}
