package dev.refusal.internal.diagnosis;

import dev.refusal.Confidence;
import dev.refusal.RefusalCause;
import dev.refusal.internal.diagnosis.SystemView.Dial;
import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * The rule for a refusal on loopback (or the wildcard address, which Linux connects to this
 * host), in a container or not.
 *
 * <p>Tries the other family's loopback, then the listener table, a re-probe and the endpoint's
 * history; in a container, loopback is this container only, which is named once refusals have
 * lasted past the startup grace.
 */
final class RefusedOnLoopbackRule extends Rule {

  private final ListenerTableCheck listeners;
  private final SystemView system;
  private final long refusingForNanos;
  private final long inContainerAfterNanos;

  /**
   * @param refusingForNanos how long this endpoint has refused without a success in between
   * @param inContainerAfterNanos how long that must be before LOOPBACK_IN_CONTAINER is named
   */
  RefusedOnLoopbackRule(Findings findings, ProbeKit kit, ListenerTableCheck listeners,
      SystemView system, long refusingForNanos, long inContainerAfterNanos) {
    super(findings, kit);
    this.listeners = listeners;
    this.system = system;
    this.refusingForNanos = refusingForNanos;
    this.inContainerAfterNanos = inContainerAfterNanos;
  }

  void diagnose(InetAddress dialled) {
    InetAddress other = dialled instanceof Inet4Address
        ? InterfaceAddresses.LOOPBACK_V6 : InterfaceAddresses.LOOPBACK_V4;
    if (kit.dial(other, "other-family-probe") == Dial.ACCEPTED) {
      // On loopback the probes prove it without the table (milliseconds on a busy host): one
      // family's loopback accepts and the other's does not. Only a listener that came up in
      // between is ruled out, with one more dial.
      if (!kit.acceptsNow(dialled)) {
        findings.conclude(RefusalCause.ADDRESS_FAMILY_MISMATCH, Confidence.HIGH,
            BindWording.familyMismatch(endpoint, kit.addresses(), dialled, other));
      }
      return;
    }
    ListenerTable table = kit.readTable();
    if (listeners.explains(dialled, table)) {
      return;
    }
    if (kit.reprobe(dialled)) {
      return;
    }
    if (kit.recentlyAnswered()) {
      return;
    }
    String container = ContainerMarkers.detect(system);
    if (container != null) {
      findings.note("container", container);
      if (!dialled.isAnyLocalAddress()) {
        inContainer(table);
        return;
      }
    }
    listeners.noListenerHere(table);
  }

  /**
   * Loopback refused in a container. A sidecar that is still starting (Envoy, a database proxy)
   * is the common case, so the refusal is NO_LISTENER, retried like any other, until it has
   * lasted past the startup grace with no success in between; only then is dialling loopback
   * itself named the mistake.
   */
  private void inContainer(ListenerTable table) {
    long graceSeconds = inContainerAfterNanos / 1_000_000_000L;
    if (refusingForNanos >= inContainerAfterNanos) {
      findings.conclude(RefusalCause.LOOPBACK_IN_CONTAINER, Confidence.MEDIUM,
          RefusedWording.loopbackInContainer(endpoint, refusingForNanos / 1_000_000_000L));
      return;
    }
    findings.note("container", "loopback in a container reaches only this container; a sidecar"
        + " still starting is retried, and LOOPBACK_IN_CONTAINER is named once refusals last "
        + graceSeconds + " s");
    boolean proven = table != null && table.readable();
    findings.conclude(RefusalCause.NO_LISTENER, proven ? Confidence.HIGH : Confidence.MEDIUM,
        RefusedWording.nothingListensInContainer(endpoint));
  }
}
