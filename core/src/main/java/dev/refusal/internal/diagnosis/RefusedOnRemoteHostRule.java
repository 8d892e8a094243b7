package dev.refusal.internal.diagnosis;

import dev.refusal.Confidence;
import dev.refusal.RefusalCause;
import dev.refusal.internal.diagnosis.SystemView.Dial;
import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * The rule for a refusal by another host: the reset came from there, so only its other
 * addresses, a re-probe and the endpoint's history can tell more.
 *
 * <p>Dials at most {@value ProbeKit#MAX_ADDRESS_PROBES} other addresses of the name: one of the
 * other family accepting means the service listens on one family only, one of the same family that
 * one instance is down. Otherwise concludes NO_LISTENER with the commands to run on the server.
 */
final class RefusedOnRemoteHostRule extends Rule {

  RefusedOnRemoteHostRule(Findings findings, ProbeKit kit) {
    super(findings, kit);
  }

  void diagnose(InetAddress dialled) {
    int port = endpoint.port();
    int probes = 0;
    for (InetAddress other : kit.addresses()) {
      if (other.equals(dialled) || probes >= ProbeKit.MAX_ADDRESS_PROBES) {
        continue;
      }
      probes++;
      boolean otherFamily = (other instanceof Inet4Address) != (dialled instanceof Inet4Address);
      if (kit.dial(other, "address-probe") == Dial.ACCEPTED) {
        if (otherFamily) {
          findings.conclude(RefusalCause.ADDRESS_FAMILY_MISMATCH, Confidence.HIGH,
              BindWording.familyMismatch(endpoint, kit.addresses(), dialled, other));
        } else {
          findings.conclude(RefusalCause.NO_LISTENER, Confidence.MEDIUM,
              RefusedWording.instanceDown(dialled, other, port));
        }
        return;
      }
    }
    if (kit.reprobe(dialled) || kit.recentlyAnswered()) {
      return;
    }
    findings.conclude(RefusalCause.NO_LISTENER, Confidence.MEDIUM,
        RefusedWording.remoteReset(dialled, port));
  }
}
