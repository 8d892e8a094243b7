package dev.refusal.internal.diagnosis;

import dev.refusal.Confidence;
import dev.refusal.RefusalCause;
import dev.refusal.internal.diagnosis.SystemView.Dial;
import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * The rule for a refusal on one of this host's own interface addresses.
 *
 * <p>Dials loopback and the interface's other-family addresses to find where the listener is
 * bound, lets the listener table confirm it, and otherwise tries a re-probe and the endpoint's
 * history before concluding that nothing listens.
 */
final class RefusedOnLocalInterfaceRule extends Rule {

  private final ListenerTableCheck listeners;

  RefusedOnLocalInterfaceRule(Findings findings, ProbeKit kit, ListenerTableCheck listeners) {
    super(findings, kit);
    this.listeners = listeners;
  }

  /** @param nif the name of the interface that has {@code dialled} */
  void diagnose(InetAddress dialled, String nif) {
    boolean v4 = dialled instanceof Inet4Address;
    InetAddress loopback = v4 ? InterfaceAddresses.LOOPBACK_V4 : InterfaceAddresses.LOOPBACK_V6;
    if (kit.dial(loopback, "loopback-probe") == Dial.ACCEPTED) {
      if (!listeners.explainedByTable(dialled)) {
        loopbackOnly(dialled, nif, loopback);
      }
      return;
    }
    for (InetAddress sibling : kit.otherFamilyAddressesOf(nif, dialled)) {
      if (kit.dial(sibling, "other-family-probe") == Dial.ACCEPTED) {
        if (!listeners.explainedByTable(dialled)) {
          findings.conclude(RefusalCause.ADDRESS_FAMILY_MISMATCH, Confidence.HIGH,
              BindWording.familyMismatch(endpoint, kit.addresses(), dialled, sibling));
        }
        return;
      }
    }
    InetAddress otherLoopback =
        v4 ? InterfaceAddresses.LOOPBACK_V6 : InterfaceAddresses.LOOPBACK_V4;
    if (kit.dial(otherLoopback, "loopback-probe") == Dial.ACCEPTED) {
      if (!listeners.explainedByTable(dialled)) {
        loopbackOnly(dialled, nif, otherLoopback);
      }
      return;
    }
    ListenerTable table = kit.readTable();
    if (listeners.explains(dialled, table)) {
      return;
    }
    if (kit.reprobe(dialled) || kit.recentlyAnswered()) {
      return;
    }
    listeners.noListenerHere(table);
  }

  private void loopbackOnly(InetAddress dialled, String nif, InetAddress loopback) {
    findings.conclude(RefusalCause.LOOPBACK_ONLY_BIND, Confidence.HIGH,
        BindWording.loopbackOnly(dialled, nif, loopback, endpoint.port()));
  }
}
