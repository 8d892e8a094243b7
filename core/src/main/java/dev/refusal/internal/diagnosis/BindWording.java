package dev.refusal.internal.diagnosis;

import dev.refusal.Endpoint;
import dev.refusal.internal.HostSyntax;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;

/**
 * The wording of a refusal explained by where a listener is bound: on another address, on one
 * address family only, behind a firewall, or nowhere on this host.
 *
 * <p>Pure text; {@code port} is the dialled port, {@code resolved} the addresses the endpoint's
 * name resolved to (empty for a literal), which decide the family remedy.
 */
final class BindWording {

  private BindWording() {}

  static Wording rejectedByFilter(ListenerTable.Row listener, InetAddress dialled, int port) {
    return new Wording(
        "a process listens on " + listener.localText() + ", which covers "
            + HostSyntax.socketText(dialled, port)
            + ", and its accept queue has room, yet the connect was refused: a firewall rule"
            + " rejects it with a reset",
        "Look for a REJECT rule on port " + port + " (iptables -S | grep " + port
            + "; ip6tables -S; nft list ruleset), or an SELinux/AppArmor denial (ausearch -m"
            + " avc).");
  }

  /** {@code nif} is the interface that has {@code dialled}, or null. */
  static Wording loopbackOnly(InetAddress dialled, String nif, InetAddress loopback, int port) {
    String where = nif == null ? "" : " (this host's " + nif + " address)";
    return new Wording(
        "a process listens on " + HostSyntax.socketText(loopback, port) + " only; "
            + HostSyntax.addressText(dialled) + " is not loopback" + where,
        "Bind the service to " + (dialled instanceof Inet4Address ? "0.0.0.0" : "::")
            + " or " + HostSyntax.addressText(dialled) + " (for example server.address, --bind, or"
            + " listen in its config), or dial " + HostSyntax.addressText(loopback)
            + " from this host.");
  }

  /**
   * A listener bound to one address of the dialled family, not the dialled one; {@code nif} is
   * the interface that has the listener's address, or null.
   */
  static Wording wrongInterface(ListenerTable.Row listener, String nif, InetAddress dialled,
      int port) {
    boolean dialledV4 = dialled instanceof Inet4Address;
    String bound = "a process listens on " + listener.localText() + " only"
        + (nif == null ? "" : " (this host's " + nif + " address)");
    String dialInstead = "Dial " + listener.localText() + ", or bind the service to "
        + (dialledV4 ? "0.0.0.0" : "::") + " (all interfaces) or to ";
    if (dialled.isLoopbackAddress()) {
      return new Wording(bound + "; " + HostSyntax.addressText(dialled) + " is loopback",
          dialInstead + "loopback as well.");
    }
    return new Wording(bound + ", not on " + HostSyntax.socketText(dialled, port),
        dialInstead + HostSyntax.addressText(dialled) + ".");
  }

  /** A dial of the other family, {@code accepting}, was accepted where {@code dialled} was not. */
  static Wording familyMismatch(Endpoint endpoint, List<InetAddress> resolved,
      InetAddress dialled, InetAddress accepting) {
    boolean dialledV4 = dialled instanceof Inet4Address;
    int port = endpoint.port();
    return new Wording(
        HostSyntax.socketText(accepting, port) + " accepts but "
            + HostSyntax.socketText(dialled, port) + " does not: the service"
            + " listens on " + (dialledV4 ? "IPv6" : "IPv4") + " only"
            + dialledByName(endpoint, dialledV4),
        familyRemedy(endpoint, resolved, dialled, accepting));
  }

  /** The only listeners on the port are of the other family; {@code listener} is the first. */
  static Wording listenerOfOtherFamily(Endpoint endpoint, List<InetAddress> resolved,
      ListenerTable.Row listener, InetAddress dialled) {
    boolean dialledV4 = dialled instanceof Inet4Address;
    String bound = listener.localText()
        + (listener.isWildcard() && dialledV4 ? " with IPV6_V6ONLY set" : "");
    return new Wording(
        "a process listens on " + bound + " (" + (dialledV4 ? "IPv6" : "IPv4") + " only), so "
            + HostSyntax.socketText(dialled, endpoint.port()) + " ("
            + (dialledV4 ? "IPv4" : "IPv6") + ") is refused" + dialledByName(endpoint, dialledV4),
        familyRemedy(endpoint, resolved, dialled, listener.local));
  }

  /** A "::" listener that took {@code counterpart} but not the IPv4 {@code dialled}. */
  static Wording v6Only(Endpoint endpoint, List<InetAddress> resolved,
      ListenerTable.Row listener, InetAddress dialled, InetAddress counterpart) {
    int port = endpoint.port();
    return new Wording(
        "a process listens on " + listener.localText() + " with IPV6_V6ONLY set: "
            + HostSyntax.socketText(counterpart, port) + " accepts, "
            + HostSyntax.socketText(dialled, port) + " does not",
        familyRemedy(endpoint, resolved, dialled, counterpart));
  }

  /** The listener table, read in full, has no LISTEN row on the port. */
  static Wording nothingListens(int port) {
    return new Wording("nothing listens on port " + port + " on this host",
        "Start the service, or check which port it listens on (ss -ltnp; the service's log"
            + " line that names its port).");
  }

  private static String dialledByName(Endpoint endpoint, boolean dialledV4) {
    return endpoint.isIpLiteral() ? "" : ", and " + endpoint.host() + " was dialled at its "
        + (dialledV4 ? "IPv4" : "IPv6") + " address";
  }

  private static String familyRemedy(Endpoint endpoint, List<InetAddress> resolved,
      InetAddress dialled, InetAddress accepting) {
    return FamilyRemedy.of(FamilyRemedy.sourceOf(endpoint.isIpLiteral(), resolved),
        endpoint.host(), dialled, accepting);
  }
}
