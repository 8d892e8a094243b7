package dev.refusal.internal.diagnosis;

import dev.refusal.Confidence;
import dev.refusal.Endpoint;
import dev.refusal.Evidence;
import dev.refusal.RefusalCause;
import dev.refusal.internal.diagnosis.SystemView.Dial;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * What the LISTEN rows on the dialled port say about a refused connect: a pure function of those
 * rows, the dialled address and this host's interface addresses, with no I/O.
 *
 * <p>Two things the rows cannot show are left to the caller's probes. A {@code ::} row in tcp6
 * looks the same whether IPV6_V6ONLY is set or not (rows of the kernel's exact lookup say it):
 * while {@link #counterpart()} is not null,
 * the verdict wants to know whether that IPv6 address accepts, and {@link #given} takes the
 * answer, one {@code ::} row at a time. And a listener that came up after the refusal covers the
 * dialled address just as one behind a firewall does: a verdict that {@link
 * #holdsIfStillRefused()} stands only once a re-dial of the dialled address is refused again.
 * With no row at all, the verdict is NO_LISTENER but {@link #listenerFound()} is false: the
 * caller has other checks to run before it concludes that.
 */
final class ListenerVerdict {

  /** What the verdict is a function of. */
  private static final class Input {
    final Endpoint endpoint;
    final List<InetAddress> resolved;
    final InterfaceAddresses interfaces;
    final InetAddress dialled;
    final List<ListenerTable.Row> listeners;
    /** The tcp6 {@code ::} rows, for an IPv4 dial, that do not say whether they are v6-only. */
    final List<ListenerTable.Row> unsure = new ArrayList<>();

    Input(Endpoint endpoint, List<InetAddress> resolved, InterfaceAddresses interfaces,
        InetAddress dialled, List<ListenerTable.Row> listeners) {
      this.endpoint = endpoint;
      this.resolved = resolved;
      this.interfaces = interfaces;
      this.dialled = dialled;
      this.listeners = listeners;
      for (ListenerTable.Row r : listeners) {
        // The kernel's exact lookup says which a row is; only the table leaves it open.
        if (dialled instanceof Inet4Address && r.isWildcard()
            && !(r.local instanceof Inet4Address) && !r.v6OnlyKnown) {
          unsure.add(r);
        }
      }
    }
  }

  private final Input in;
  private final RefusalCause cause;
  private final Confidence confidence;
  private final Wording wording;
  private final boolean ifStillRefused;
  /** How many {@code ::} rows an answer has not settled; {@code unsure.size()}: none left. */
  private final int asked;

  private ListenerVerdict(Input in, RefusalCause cause, Confidence confidence, Wording wording,
      boolean ifStillRefused, int asked) {
    this.in = in;
    this.cause = cause;
    this.confidence = confidence;
    this.wording = wording;
    this.ifStillRefused = ifStillRefused;
    this.asked = asked;
  }

  /**
   * The verdict on a refused dial of {@code dialled} to {@code endpoint}'s port.
   *
   * @param resolved the addresses the endpoint's name resolved to (empty for a literal)
   * @param listeners the LISTEN rows on that port
   */
  static ListenerVerdict of(Endpoint endpoint, List<InetAddress> resolved,
      InterfaceAddresses interfaces, InetAddress dialled, List<ListenerTable.Row> listeners) {
    Input in = new Input(endpoint, resolved, interfaces, dialled, List.copyOf(listeners));
    if (in.listeners.isEmpty()) {
      return new ListenerVerdict(in, RefusalCause.NO_LISTENER, Confidence.HIGH,
          BindWording.nothingListens(endpoint.port()), false, 0);
    }
    for (ListenerTable.Row r : in.listeners) {
      if (ListenerTable.accepts(r, dialled)) {
        return rejectedByFilter(in, r);
      }
    }
    return byBind(in, 0);
  }

  /**
   * The verdict once the {@link #counterpart()} answered {@code answer} for the next {@code ::}
   * row: accepted, the row is v6-only; refused too, a firewall rejects both; any other answer
   * settles nothing, and the next row, if any, asks again.
   *
   * @throws IllegalStateException when no question is open
   */
  ListenerVerdict given(Dial answer) {
    if (counterpart() == null) {
      throw new IllegalStateException("the verdict asks nothing");
    }
    ListenerTable.Row row = in.unsure.get(asked);
    if (answer == Dial.REFUSED) {
      return rejectedByFilter(in, row);
    }
    if (answer == Dial.ACCEPTED) {
      return new ListenerVerdict(in, RefusalCause.ADDRESS_FAMILY_MISMATCH, Confidence.HIGH,
          BindWording.v6Only(in.endpoint, in.resolved, row, in.dialled, counterpart()), false,
          in.unsure.size());
    }
    return byBind(in, asked + 1);
  }

  private static ListenerVerdict rejectedByFilter(Input in, ListenerTable.Row row) {
    return new ListenerVerdict(in, RefusalCause.REJECTED_BY_FILTER, Confidence.MEDIUM,
        BindWording.rejectedByFilter(row, in.dialled, in.endpoint.port()), true,
        in.unsure.size());
  }

  /** What the binds alone say: the dialled address is not among the listeners' addresses. */
  private static ListenerVerdict byBind(Input in, int asked) {
    InetAddress dialled = in.dialled;
    boolean dialledV4 = dialled instanceof Inet4Address;
    ListenerTable.Row r = null;
    for (ListenerTable.Row row : in.listeners) {
      if (r == null && (row.local instanceof Inet4Address) == dialledV4) {
        r = row;
      }
    }
    Wording wording;
    RefusalCause cause = RefusalCause.WRONG_INTERFACE_BIND;
    if (r == null) {
      cause = RefusalCause.ADDRESS_FAMILY_MISMATCH;
      wording = BindWording.listenerOfOtherFamily(in.endpoint, in.resolved, in.listeners.get(0),
          dialled);
    } else if (r.local.isLoopbackAddress() && !dialled.isLoopbackAddress()) {
      cause = RefusalCause.LOOPBACK_ONLY_BIND;
      wording = BindWording.loopbackOnly(dialled, in.interfaces.nameOf(dialled), r.local,
          in.endpoint.port());
    } else {
      wording = BindWording.wrongInterface(r, in.interfaces.nameOf(r.local), dialled,
          in.endpoint.port());
    }
    return new ListenerVerdict(in, cause, Confidence.HIGH, wording, false, asked);
  }

  /** False when no LISTEN row is on the port: the rows explain nothing. */
  boolean listenerFound() {
    return !in.listeners.isEmpty();
  }

  /**
   * The IPv6 address to dial to learn whether a {@code ::} row is v6-only, or null when the
   * verdict asks nothing: the IPv6 address of the dialled one's interface, or ::1.
   */
  InetAddress counterpart() {
    if (asked >= in.unsure.size()) {
      return null;
    }
    InetAddress dialled = in.dialled;
    if (dialled.isLoopbackAddress() || dialled.isAnyLocalAddress()) {
      return InterfaceAddresses.LOOPBACK_V6;
    }
    List<InetAddress> siblings =
        in.interfaces.otherFamilyOf(in.interfaces.nameOf(dialled), dialled);
    // No global IPv6 on that interface (common in containers): ::1 reaches a :: listener.
    return siblings.isEmpty() ? InterfaceAddresses.LOOPBACK_V6 : siblings.get(0);
  }

  /** True when a re-dial of the dialled address that is accepted proves a restart instead. */
  boolean holdsIfStillRefused() {
    return ifStillRefused;
  }

  /** The listeners seen on the port; empty when there are none. */
  List<Evidence> evidence() {
    if (in.listeners.isEmpty()) {
      return List.of();
    }
    StringBuilder seen = new StringBuilder();
    for (ListenerTable.Row r : in.listeners) {
      if (seen.length() > 0) {
        seen.append(", ");
      }
      seen.append(r.localText()).append(socketKind(r)).append(" with ")
          .append(r.rxQueue).append(" waiting to be accepted");
    }
    return List.of(Evidence.of("listener-table",
        "LISTEN on port " + in.endpoint.port() + ": " + seen));
  }

  private static String socketKind(ListenerTable.Row r) {
    if (!r.fromTcp6) {
      return "";
    }
    if (!r.v6OnlyKnown) {
      return " (tcp6)";
    }
    return r.v6Only ? " (IPv6 socket, v6-only)" : " (IPv6 socket, dual-stack)";
  }

  RefusalCause cause() {
    return cause;
  }

  Confidence confidence() {
    return confidence;
  }

  /** The summary and remedy. */
  Wording wording() {
    return wording;
  }
}
