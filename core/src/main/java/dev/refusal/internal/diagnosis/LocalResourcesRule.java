package dev.refusal.internal.diagnosis;

import dev.refusal.Confidence;
import dev.refusal.RefusalCause;

/**
 * The rules for a connect that failed on this side: the process out of file descriptors, or no
 * local address or ephemeral port to be had.
 *
 * <p>Reads descriptor use, the ephemeral port range and the socket counts of the listener table;
 * dials nothing.
 */
final class LocalResourcesRule extends Rule {

  private final SystemView system;

  LocalResourcesRule(Findings findings, ProbeKit kit, SystemView system) {
    super(findings, kit);
    this.system = system;
  }

  /** For EMFILE: LOCAL_FD_EXHAUSTION, with the limit when it is known. */
  void fdExhausted() {
    SystemView.FdUsage fd = system.fdUsage();
    noteFd(fd);
    findings.conclude(RefusalCause.LOCAL_FD_EXHAUSTION, Confidence.HIGH,
        FailureWording.outOfDescriptors(fd));
  }

  /**
   * For a failed lookup: true, with LOCAL_FD_EXHAUSTION, when the process has (nearly) no
   * descriptor left, so the resolver could not have opened its socket.
   */
  boolean fdExhaustedBehindLookup() {
    SystemView.FdUsage fd = system.fdUsage();
    noteFd(fd);
    boolean exhausted = fd.exhausted || (fd.open >= 0 && fd.max > 0 && fd.max - fd.open <= 2);
    if (exhausted) {
      findings.conclude(RefusalCause.LOCAL_FD_EXHAUSTION, Confidence.HIGH,
          FailureWording.noDescriptorForLookup(fd));
    }
    return exhausted;
  }

  private void noteFd(SystemView.FdUsage fd) {
    if (fd.exhausted) {
      findings.note("descriptors", "none free: counting them failed for want of one (limit "
          + fd.max + ")");
    } else if (fd.open >= 0) {
      findings.note("descriptors", fd.open + " of " + fd.max + " open");
    } else {
      findings.note("descriptors", "cannot be counted on this platform");
    }
  }

  /**
   * For EADDRNOTAVAIL: LOCAL_PORT_EXHAUSTION, HIGH when the sockets nearly fill the ephemeral
   * range, else LOW with a bind address this host lacks as the likelier cause.
   */
  void localAddressUnavailable() {
    long[] range = KernelCounters.ephemeralRange(system);
    ListenerTable table = kit.readWholeTable();
    long size = range == null ? -1 : range[1] - range[0] + 1;
    boolean counted = table != null && table.readable();
    int timeWait = counted ? table.count(ListenerTable.TIME_WAIT) : -1;
    int established = counted ? table.count(ListenerTable.ESTABLISHED) : -1;
    findings.note("ephemeral-ports", range == null ? "ip_local_port_range cannot be read"
        : "ip_local_port_range is " + range[0] + "-" + range[1] + " (" + size + " ports)");
    if (timeWait >= 0) {
      findings.note("listener-table", timeWait + " sockets in TIME_WAIT, " + established
          + " established");
    }
    boolean nearlyExhausted = size > 0 && timeWait >= 0 && timeWait + established >= size * 9 / 10;
    if (nearlyExhausted) {
      findings.conclude(RefusalCause.LOCAL_PORT_EXHAUSTION, Confidence.HIGH,
          FailureWording.portsUsedUp(timeWait + established, size));
    } else {
      findings.conclude(RefusalCause.LOCAL_PORT_EXHAUSTION, Confidence.LOW,
          FailureWording.noLocalAddress());
    }
  }
}
