package dev.refusal.internal.diagnosis;

import dev.refusal.internal.HostSyntax;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;

/**
 * The remedy for an address-family mismatch, by how the client got the address it dialled. A JVM
 * flag is named only where it changes what is dialled: {@code java.net.preferIPv6Addresses}
 * reorders a name's addresses, so it helps only a name that has both families; it cannot help an
 * IP literal or a name with one family. {@code java.net.preferIPv4Stack} is never named: it stops
 * the JVM from dialling IPv6 at all, so a client of an IPv6 literal then fails with "Protocol
 * family unavailable".
 */
public final class FamilyRemedy {

  /** How the dialled address was obtained. */
  public enum Source {
    /** The client was given an IP literal. */
    LITERAL,
    /** A host name that resolves to IPv4 and IPv6 addresses. */
    NAME_WITH_BOTH_FAMILIES,
    /** A host name that resolves to addresses of the dialled family only. */
    NAME_WITH_ONE_FAMILY
  }

  private FamilyRemedy() {}

  /** The source of {@code host}'s dialled address, given whether it is a literal and its addresses. */
  public static Source sourceOf(boolean ipLiteral, List<InetAddress> resolved) {
    if (ipLiteral) {
      return Source.LITERAL;
    }
    boolean v4 = false;
    boolean v6 = false;
    for (InetAddress a : resolved) {
      if (a instanceof Inet4Address) {
        v4 = true;
      } else {
        v6 = true;
      }
    }
    return v4 && v6 ? Source.NAME_WITH_BOTH_FAMILIES : Source.NAME_WITH_ONE_FAMILY;
  }

  /**
   * The remedy when {@code dialled} was refused and {@code accepting} (the other family; a
   * wildcard address when only the listener's bind is known) accepts or listens.
   */
  public static String of(Source source, String host, InetAddress dialled, InetAddress accepting) {
    boolean dialledV4 = dialled instanceof Inet4Address;
    String listening = dialledV4 ? "IPv6" : "IPv4";
    String target = accepting.isAnyLocalAddress() ? "an " + listening + " address of the service"
        : HostSyntax.addressText(accepting);
    StringBuilder sb = new StringBuilder(240)
        .append("Bind the service to both families (:: with IPV6_V6ONLY off, or 0.0.0.0 and ::),")
        .append(" or dial ").append(target);
    switch (source) {
      case LITERAL:
        sb.append(" instead of the literal ").append(HostSyntax.addressText(dialled)).append('.');
        break;
      case NAME_WITH_ONE_FAMILY:
        sb.append(", or give ").append(host).append(" an ").append(listening).append(" address (")
            .append(dialledV4 ? "an AAAA record" : "an A record")
            .append(", or a line for it in /etc/hosts). No JVM setting helps: ").append(host)
            .append(" has no ").append(listening).append(" address to prefer.");
        break;
      default:
        sb.append(dialledV4
            ? "; a JVM client dials a name's IPv6 addresses first with"
                + " -Djava.net.preferIPv6Addresses=true."
            : "; a JVM client dials a name's IPv4 addresses first with"
                + " -Djava.net.preferIPv6Addresses=false (the JDK's default).");
        sb.append(" Clients that try every address of a name (OkHttp does) get through meanwhile.");
    }
    return sb.toString();
  }
}
