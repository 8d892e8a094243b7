package dev.refusal.internal.diagnosis;

import dev.refusal.Confidence;
import dev.refusal.RefusalCause;
import dev.refusal.internal.diagnosis.SystemView.Dial;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;

/**
 * The rule for a connect that timed out: a full accept queue, a firewall dropping SYNs, or a
 * host that is down.
 *
 * <p>On this host, the listener table and the kernel's ListenOverflows counter tell a full queue
 * from a DROP rule; elsewhere one short re-probe is all there is.
 */
final class ConnectTimeoutRule extends Rule {

  private final SystemView system;
  private final int dialTimeoutMillis;

  ConnectTimeoutRule(Findings findings, ProbeKit kit, SystemView system, int dialTimeoutMillis) {
    super(findings, kit);
    this.system = system;
    this.dialTimeoutMillis = dialTimeoutMillis;
  }

  void diagnose() {
    InetAddress dialled = kit.dialledAddress();
    if (dialled == null) {
      return;
    }
    int port = endpoint.port();
    boolean local = dialled.isLoopbackAddress() || kit.interfaces().contains(dialled);
    if (local && onThisHost(dialled)) {
      return;
    }
    if (!local && kit.dial(dialled, "reprobe", Math.min(dialTimeoutMillis, 100))
        == Dial.ACCEPTED) {
      findings.conclude(RefusalCause.ACCEPT_QUEUE_FULL, Confidence.LOW,
          FailureWording.acceptedOnReprobe(dialled, port));
      return;
    }
    findings.conclude(RefusalCause.CONNECT_TIMEOUT, local ? Confidence.MEDIUM : Confidence.LOW,
        FailureWording.noAnswer(dialled, port));
  }

  /** True when the listener table settled a timeout on this host. */
  private boolean onThisHost(InetAddress dialled) {
    int port = endpoint.port();
    long before = KernelCounters.listenOverflows(system);
    ListenerTable table = kit.readTable();
    List<ListenerTable.Row> listeners =
        table == null || !table.readable() ? List.of() : table.listenersOn(port);
    ListenerTable.Row full = null;
    for (ListenerTable.Row r : listeners) {
      boolean covers = ListenerTable.accepts(r, dialled)
          || (r.isWildcard() && !(r.local instanceof Inet4Address));
      if (covers && r.rxQueue > 0) {
        full = r;
      }
    }
    if (full != null) {
      long somaxconn = KernelCounters.somaxconn(system);
      kit.dial(dialled, "reprobe", Math.min(dialTimeoutMillis, 50));
      long after = KernelCounters.listenOverflows(system);
      findings.note("listener-table", "LISTEN on " + full.localText() + " with " + full.rxQueue
          + " connections waiting to be accepted (backlog capped by somaxconn="
          + somaxconn + ")");
      if (before >= 0 && after >= 0) {
        findings.note("netstat", "ListenOverflows " + (after > before ? "rose from " + before
            + " to " + after + " while re-probing" : "is " + after + " (system-wide)"));
      }
      // rx_queue > 0 alone is not "full" (the backlog is not in /proc/net/tcp), and a
      // re-probe timeout alone could be a DROP rule: rising overflows are the proof.
      boolean overflowing = before >= 0 && after > before;
      findings.conclude(RefusalCause.ACCEPT_QUEUE_FULL,
          overflowing ? Confidence.HIGH : Confidence.MEDIUM,
          FailureWording.acceptQueueFull(full.localText(), somaxconn));
      return true;
    }
    if (!listeners.isEmpty()) {
      findings.note("listener-table", "LISTEN on port " + port + " with an empty accept queue");
      findings.conclude(RefusalCause.CONNECT_TIMEOUT, Confidence.MEDIUM,
          FailureWording.droppedDespiteListener(port));
      return true;
    }
    return false;
  }
}
