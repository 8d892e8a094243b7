package dev.refusal.internal.diagnosis;

import dev.refusal.Confidence;
import dev.refusal.RefusalCause;
import java.net.InetAddress;

/**
 * Lets the listener table explain a refusal on this host: reads it through the {@link ProbeKit},
 * runs the probes the {@link ListenerVerdict} asks for, and concludes what it decides.
 *
 * <p>Shared by the rules for loopback and for this host's interface addresses; also concludes
 * NO_LISTENER (or UNKNOWN) when nothing else has.
 */
final class ListenerTableCheck extends Rule {

  ListenerTableCheck(Findings findings, ProbeKit kit) {
    super(findings, kit);
  }

  /**
   * A probe elsewhere accepted; before blaming the bind address, re-dial the dialled address (a
   * listener that just came up) and let the listener table say where the listener really is
   * (a wildcard row covering the dialled address means a firewall, not a bind). True when that
   * settled the cause.
   */
  boolean explainedByTable(InetAddress dialled) {
    return kit.acceptsNow(dialled) || explains(dialled, kit.readTable());
  }

  /** When the table lists a listener on the port, lets it explain the refusal; else false. */
  boolean explains(InetAddress dialled, ListenerTable table) {
    if (table == null || !table.readable()) {
      return false;
    }
    ListenerVerdict verdict = ListenerVerdict.of(endpoint, kit.addresses(), kit.interfaces(),
        dialled, table.listenersOn(endpoint.port()));
    if (!verdict.listenerFound()) {
      return false;
    }
    verdict.evidence().forEach(findings::note);
    while (verdict.counterpart() != null) {
      verdict = verdict.given(kit.dial(verdict.counterpart(), "other-family-probe"));
    }
    // A listener that would take this connect, yet it was refused: unless it appeared only
    // now, something in between rejects it.
    if (!verdict.holdsIfStillRefused() || !kit.reprobe(dialled)) {
      findings.conclude(verdict.cause(), verdict.confidence(), verdict.wording());
    }
    return true;
  }

  /** Concludes that nothing listens, as surely as {@code table} (null: not read) allows. */
  void noListenerHere(ListenerTable table) {
    int port = endpoint.port();
    if (table == null && findings.budgetSpent()) {
      findings.conclude(RefusalCause.UNKNOWN, Confidence.LOW,
          RefusedWording.budgetRanOut(endpoint));
    } else if (table == null || !table.readable()) {
      findings.conclude(RefusalCause.NO_LISTENER, Confidence.MEDIUM,
          RefusedWording.nothingAcceptsUnconfirmed(port));
    } else {
      findings.conclude(RefusalCause.NO_LISTENER, Confidence.HIGH,
          BindWording.nothingListens(port));
    }
  }
}
