package dev.refusal.internal.diagnosis;

import dev.refusal.Confidence;
import dev.refusal.Endpoint;
import dev.refusal.Evidence;
import dev.refusal.FailureKind;
import dev.refusal.HostResolver;
import dev.refusal.RefusalCause;
import dev.refusal.internal.HostSyntax;
import dev.refusal.internal.diagnosis.SystemView.Dial;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Predicate;

/**
 * One diagnosis of one failure: the built-in probes, cheapest first, stopping as soon as the cause
 * is proven. Connect probes (tens of microseconds on loopback) go before the listener table
 * (milliseconds per read), which is read only when the probes leave the cause open.
 *
 * <p>Probes dial only the endpoint's own port: on its dialled and resolved addresses, the other
 * address family of the same host, and loopback when the target is this host. Not thread-safe;
 * one instance per diagnosis.
 */
public final class DiagnosisRun {

  /** Settings a run needs from its {@code Diagnoser}. */
  public static final class Settings {
    final long reprobeDelayNanos;
    final int dialTimeoutMillis;
    final long recentSuccessNanos;
    final long loopbackInContainerAfterNanos;
    final Predicate<InetSocketAddress> probeTargets;
    /** The diagnoser's listener-table cache, shared by its runs. */
    final ListenerTableCache tables = new ListenerTableCache();

    public Settings(long reprobeDelayNanos, int dialTimeoutMillis, long recentSuccessNanos,
        long loopbackInContainerAfterNanos, Predicate<InetSocketAddress> probeTargets) {
      this.reprobeDelayNanos = reprobeDelayNanos;
      this.dialTimeoutMillis = dialTimeoutMillis;
      this.recentSuccessNanos = recentSuccessNanos;
      this.loopbackInContainerAfterNanos = loopbackInContainerAfterNanos;
      this.probeTargets = probeTargets;
    }
  }

  /** Runs work bounded by a timeout on another thread; returns null on timeout or failure. */
  public interface Bounded {
    <T> T call(Callable<T> work, long timeoutNanos) throws Exception;
  }

  private static final InetAddress LOOPBACK_V4 = literal(new byte[] {127, 0, 0, 1});
  private static final InetAddress LOOPBACK_V6 =
      literal(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
  private static final int MAX_ADDRESS_PROBES = 4;

  private final Endpoint endpoint;
  private final FailureKind kind;
  private final SystemView system;
  private final HostResolver resolver;
  private final Bounded bounded;
  private final Settings settings;
  private final long startNanos;
  private final long deadlineNanos;
  private final long lastSuccessAgoNanos;
  private final long refusingForNanos;
  private final int port;

  private final List<Evidence> evidence = new ArrayList<>();
  private List<InetAddress> addresses = Collections.emptyList();
  private boolean budgetSpent;
  private int dials;

  private RefusalCause cause = RefusalCause.UNKNOWN;
  private Confidence confidence = Confidence.LOW;
  private String summary = "the probes could not tell why";
  private String remedy = "";

  /**
   * @param lastSuccessAgoNanos how long ago this endpoint last answered, or -1 if never seen
   * @param refusingForNanos how long this endpoint has refused without a success in between
   *     (0 for its first refusal)
   */
  public DiagnosisRun(Endpoint endpoint, FailureKind kind, SystemView system,
      HostResolver resolver, Bounded bounded, Settings settings, long startNanos,
      long deadlineNanos, long lastSuccessAgoNanos, long refusingForNanos) {
    this.endpoint = endpoint;
    this.kind = kind;
    this.system = system;
    this.resolver = resolver;
    this.bounded = bounded;
    this.settings = settings;
    this.startNanos = startNanos;
    this.deadlineNanos = deadlineNanos;
    this.lastSuccessAgoNanos = lastSuccessAgoNanos;
    this.refusingForNanos = refusingForNanos;
    this.port = endpoint.port();
  }

  /** Runs the probes; never throws. */
  public DiagnosisRun run() {
    try {
      switch (kind) {
        case REFUSED:
          refused();
          break;
        case CONNECT_TIMEOUT:
          connectTimeout();
          break;
        case UNKNOWN_HOST:
          unknownHost();
          break;
        case LOCAL_FD_EXHAUSTED:
          fdExhausted();
          break;
        case LOCAL_ADDRESS_UNAVAILABLE:
          localAddressUnavailable();
          break;
        case NO_ROUTE_TO_HOST:
        case NETWORK_UNREACHABLE:
          unreachable();
          break;
        case ADDRESS_FAMILY_UNAVAILABLE:
          addressFamilyUnavailable();
          break;
        case CANCELED:
          cancelled();
          break;
        default:
          notAConnectFailure();
      }
    } catch (RuntimeException | LinkageError e) {
      // A probe bug must never cost the caller its original exception.
      note("diagnoser", "a probe failed: " + e.getClass().getSimpleName());
    }
    if (budgetSpent) {
      confidence = confidence.atMost(Confidence.MEDIUM);
      note("budget", "the time budget ran out after " + millisSinceStart()
          + " ms; the probes still to run were skipped");
    }
    return this;
  }

  // ---------------------------------------------------------------- REFUSED

  private void refused() {
    Proxy proxy = endpoint.proxy().orElse(null);
    if (proxy != null) {
      String proxyText = String.valueOf(proxy.address());
      note("proxy", "the connection went through the " + proxy.type() + " proxy " + proxyText);
      conclude(RefusalCause.PROXY_REFUSED, Confidence.HIGH,
          "the proxy " + proxyText + " refused the connection; " + endpoint
              + " was never contacted",
          "Start the proxy, or fix the proxy setting (-Dhttp.proxyHost/-Dhttps.proxyHost, the"
              + " HTTP(S)_PROXY variables, or the client's Proxy).");
      return;
    }
    InetAddress dialled = dialledAddress();
    if (dialled == null || staleAddress(dialled)) {
      return;
    }
    if (dialled.isAnyLocalAddress()) {
      // Linux connects a dial of 0.0.0.0 or :: to this host; usually a server's bind address
      // copied into a client's config.
      note("local-addresses", HostSyntax.addressText(dialled) + " is the wildcard address,"
          + " which connects to this host; dial localhost or the service's host name instead");
      refusedOnLoopback(dialled);
      return;
    }
    if (dialled.isLoopbackAddress()) {
      note("local-addresses", HostSyntax.addressText(dialled) + " is loopback");
      refusedOnLoopback(dialled);
      return;
    }
    String nif = system.localAddresses().get(dialled);
    if (nif != null) {
      note("local-addresses", HostSyntax.addressText(dialled) + " is this host's " + nif + " address");
      refusedOnLocalInterface(dialled, nif);
    } else {
      note("local-addresses", HostSyntax.addressText(dialled) + " is not an address of this host");
      refusedOnRemote(dialled);
    }
  }

  private void refusedOnLoopback(InetAddress dialled) {
    InetAddress other = dialled instanceof Inet4Address ? LOOPBACK_V6 : LOOPBACK_V4;
    if (dial(other, "other-family-probe") == Dial.ACCEPTED) {
      // On loopback the probes prove it without the table (milliseconds on a busy host): one
      // family's loopback accepts and the other's does not. Only a listener that came up in
      // between is ruled out, with one more dial.
      if (!acceptsNow(dialled)) {
        familyMismatch(dialled, other);
      }
      return;
    }
    ListenerTable table = readTable();
    if (listenersExplain(dialled, table)) {
      return;
    }
    if (reprobe(dialled)) {
      return;
    }
    if (recentlyAnswered()) {
      return;
    }
    String container = ContainerMarkers.detect(system);
    if (container != null) {
      note("container", container);
      if (!dialled.isAnyLocalAddress()) {
        loopbackInContainer(table);
        return;
      }
    }
    noListenerHere(table);
  }

  /**
   * Loopback refused in a container. A sidecar that is still starting (Envoy, a database proxy)
   * is the common case, so the refusal is NO_LISTENER, retried like any other, until it has
   * lasted past the startup grace with no success in between; only then is dialling loopback
   * itself named the mistake.
   */
  private void loopbackInContainer(ListenerTable table) {
    long graceSeconds = settings.loopbackInContainerAfterNanos / 1_000_000_000L;
    if (refusingForNanos >= settings.loopbackInContainerAfterNanos) {
      conclude(RefusalCause.LOOPBACK_IN_CONTAINER, Confidence.MEDIUM,
          "this process runs in a container, where " + endpoint.host() + " is the container"
              + " itself, and nothing has listened on port " + port + " in it for "
              + refusingForNanos / 1_000_000_000L + " s",
          "Dial the other container by its service name (or the pod's service DNS name), not "
              + endpoint.host() + ". If the service is a sidecar in the same pod, it is not"
              + " running: look at its log.");
      return;
    }
    note("container", "loopback in a container reaches only this container; a sidecar still"
        + " starting is retried, and LOOPBACK_IN_CONTAINER is named once refusals last "
        + graceSeconds + " s");
    boolean proven = table != null && table.readable();
    conclude(RefusalCause.NO_LISTENER, proven ? Confidence.HIGH : Confidence.MEDIUM,
        "nothing listens on port " + port + " on this host (this container)",
        "Start the service, or check which port it listens on. If it is a sidecar in this pod, it"
            + " is starting or down (retried meanwhile); if it runs in another container, dial"
            + " it by its service name: " + endpoint.host() + " is this container itself.");
  }

  private void refusedOnLocalInterface(InetAddress dialled, String nif) {
    InetAddress loopback = dialled instanceof Inet4Address ? LOOPBACK_V4 : LOOPBACK_V6;
    if (dial(loopback, "loopback-probe") == Dial.ACCEPTED) {
      if (!explainedByTable(dialled)) {
        loopbackOnly(dialled, nif, loopback);
      }
      return;
    }
    for (InetAddress sibling : otherFamilyAddressesOf(nif, dialled)) {
      if (dial(sibling, "other-family-probe") == Dial.ACCEPTED) {
        if (!explainedByTable(dialled)) {
          familyMismatch(dialled, sibling);
        }
        return;
      }
    }
    InetAddress otherLoopback = loopback == LOOPBACK_V4 ? LOOPBACK_V6 : LOOPBACK_V4;
    if (dial(otherLoopback, "loopback-probe") == Dial.ACCEPTED) {
      if (!explainedByTable(dialled)) {
        loopbackOnly(dialled, nif, otherLoopback);
      }
      return;
    }
    ListenerTable table = readTable();
    if (listenersExplain(dialled, table)) {
      return;
    }
    if (reprobe(dialled) || recentlyAnswered()) {
      return;
    }
    noListenerHere(table);
  }

  private void refusedOnRemote(InetAddress dialled) {
    int probes = 0;
    for (InetAddress other : addresses) {
      if (other.equals(dialled) || probes >= MAX_ADDRESS_PROBES) {
        continue;
      }
      probes++;
      boolean otherFamily = (other instanceof Inet4Address) != (dialled instanceof Inet4Address);
      if (dial(other, "address-probe") == Dial.ACCEPTED) {
        if (otherFamily) {
          familyMismatch(dialled, other);
        } else {
          conclude(RefusalCause.NO_LISTENER, Confidence.MEDIUM,
              "nothing accepts on " + hostPort(dialled) + ", but " + hostPort(other)
                  + " of the same host name does: one instance is down",
              "Restart or remove the instance at " + HostSyntax.addressText(dialled)
                  + ". Clients that try every address of a name get through meanwhile (OkHttp"
                  + " does; the JDK HttpClient dials only the first).");
        }
        return;
      }
    }
    if (reprobe(dialled) || recentlyAnswered()) {
      return;
    }
    conclude(RefusalCause.NO_LISTENER, Confidence.MEDIUM,
        HostSyntax.addressText(dialled) + " answered with a reset: the host is up, but nothing accepts"
            + " connections on port " + port + " for this client. From here it cannot be told"
            + " whether the service is down, bound to the server's loopback only, or behind a"
            + " firewall REJECT rule",
        "On the server, run: ss -ltnp 'sport = :" + port + "'. No row: the service is down or on"
            + " another port. A row on 127.0.0.1 or ::1: bind it to 0.0.0.0. A row on 0.0.0.0 or"
            + " *: look for a REJECT rule (iptables -S; nft list ruleset).");
  }

  // ------------------------------------------------------------ listeners

  private void explainListeners(InetAddress dialled, List<ListenerTable.Row> listeners) {
    StringBuilder seen = new StringBuilder();
    for (ListenerTable.Row r : listeners) {
      if (seen.length() > 0) {
        seen.append(", ");
      }
      seen.append(r.localText()).append(r.fromTcp6 ? " (tcp6)" : "").append(" with ")
          .append(r.rxQueue).append(" waiting to be accepted");
    }
    note("listener-table", "LISTEN on port " + port + ": " + seen);
    for (ListenerTable.Row r : listeners) {
      if (ListenerTable.accepts(r, dialled)) {
        // The listener would take this connect, yet it was refused: unless it appeared only
        // now, something in between rejects it.
        if (!reprobe(dialled)) {
          rejectedByFilter(r, dialled);
        }
        return;
      }
    }
    boolean dialledV4 = dialled instanceof Inet4Address;
    for (ListenerTable.Row r : listeners) {
      if (dialledV4 && r.isWildcard() && !(r.local instanceof Inet4Address)) {
        // tcp6 shows a dual-stack and a v6-only "::" listener alike; the IPv6 counterpart of the
        // dialled address tells them apart.
        InetAddress counterpart = dialled.isLoopbackAddress() || dialled.isAnyLocalAddress()
            ? LOOPBACK_V6
            : firstOrNull(otherFamilyAddressesOf(system.localAddresses().get(dialled), dialled));
        if (counterpart == null) {
          // No global IPv6 on that interface (common in containers): ::1 reaches a :: listener.
          counterpart = LOOPBACK_V6;
        }
        Dial v6 = counterpart == null ? Dial.FAILED : dial(counterpart, "other-family-probe");
        if (v6 == Dial.REFUSED && !reprobe(dialled)) {
          rejectedByFilter(r, dialled);
        } else if (v6 == Dial.ACCEPTED) {
          conclude(RefusalCause.ADDRESS_FAMILY_MISMATCH, Confidence.HIGH,
              "a process listens on " + r.localText() + " with IPV6_V6ONLY set: "
                  + hostPort(counterpart) + " accepts, " + hostPort(dialled) + " does not",
              familyRemedy(dialled, counterpart));
        }
        if (v6 == Dial.REFUSED || v6 == Dial.ACCEPTED) {
          return;
        }
      }
    }
    List<ListenerTable.Row> sameFamily = new ArrayList<>();
    List<ListenerTable.Row> otherFamily = new ArrayList<>();
    for (ListenerTable.Row r : listeners) {
      (r.local instanceof Inet4Address == dialledV4 ? sameFamily : otherFamily).add(r);
    }
    if (!sameFamily.isEmpty()) {
      ListenerTable.Row r = sameFamily.get(0);
      if (r.local.isLoopbackAddress() && !dialled.isLoopbackAddress()) {
        String nif = system.localAddresses().get(dialled);
        loopbackOnly(dialled, nif, r.local);
      } else if (dialled.isLoopbackAddress()) {
        String nif = system.localAddresses().get(r.local);
        conclude(RefusalCause.WRONG_INTERFACE_BIND, Confidence.HIGH,
            "a process listens on " + r.localText() + " only"
                + (nif == null ? "" : " (this host's " + nif + " address)") + "; "
                + HostSyntax.addressText(dialled) + " is loopback",
            "Dial " + r.localText() + ", or bind the service to "
                + (dialledV4 ? "0.0.0.0" : "::") + " (all interfaces) or to loopback as well.");
      } else {
        String nif = system.localAddresses().get(r.local);
        conclude(RefusalCause.WRONG_INTERFACE_BIND, Confidence.HIGH,
            "a process listens on " + r.localText() + " only"
                + (nif == null ? "" : " (this host's " + nif + " address)") + ", not on "
                + hostPort(dialled),
            "Dial " + r.localText() + ", or bind the service to "
                + (dialledV4 ? "0.0.0.0" : "::") + " (all interfaces) or to "
                + HostSyntax.addressText(dialled) + ".");
      }
      return;
    }
    ListenerTable.Row r = otherFamily.get(0);
    String bound = r.localText() + (r.isWildcard() && dialledV4 ? " with IPV6_V6ONLY set" : "");
    conclude(RefusalCause.ADDRESS_FAMILY_MISMATCH, Confidence.HIGH,
        "a process listens on " + bound + " (" + (dialledV4 ? "IPv6" : "IPv4") + " only), so "
            + hostPort(dialled) + " (" + (dialledV4 ? "IPv4" : "IPv6") + ") is refused"
            + dialledByName(dialledV4),
        familyRemedy(dialled, r.local));
  }

  /**
   * A probe elsewhere accepted; before blaming the bind address, re-dial the dialled address (a
   * listener that just came up) and let the listener table say where the listener really is
   * (a wildcard row covering the dialled address means a firewall, not a bind). True when that
   * settled the cause.
   */
  private boolean explainedByTable(InetAddress dialled) {
    return acceptsNow(dialled) || listenersExplain(dialled, readTable());
  }

  /** Re-dials at once; true (and RESTARTING) when the dialled address accepts now. */
  private boolean acceptsNow(InetAddress dialled) {
    if (dial(dialled, "reprobe") != Dial.ACCEPTED) {
      return false;
    }
    settings.tables.invalidate();
    conclude(RefusalCause.RESTARTING, Confidence.HIGH,
        hostPort(dialled) + " accepts again " + millisSinceStart() + " ms after the refusal:"
            + " the service was starting or restarting",
        "Nothing to fix if restarts are expected; retry with backoff (RefusalGuard does).");
    return true;
  }

  /** When the table lists a listener on the port, lets it explain the refusal; else false. */
  private boolean listenersExplain(InetAddress dialled, ListenerTable table) {
    if (table == null || !table.readable()) {
      return false;
    }
    List<ListenerTable.Row> listeners = table.listenersOn(port);
    if (listeners.isEmpty()) {
      return false;
    }
    explainListeners(dialled, listeners);
    return true;
  }

  private void rejectedByFilter(ListenerTable.Row r, InetAddress dialled) {
    conclude(RefusalCause.REJECTED_BY_FILTER, Confidence.MEDIUM,
        "a process listens on " + r.localText() + ", which covers " + hostPort(dialled)
            + ", and its accept queue has room, yet the connect was refused: a firewall rule"
            + " rejects it with a reset",
        "Look for a REJECT rule on port " + port + " (iptables -S | grep " + port
            + "; ip6tables -S; nft list ruleset), or an SELinux/AppArmor denial (ausearch -m"
            + " avc).");
  }

  private static InetAddress firstOrNull(List<InetAddress> list) {
    return list.isEmpty() ? null : list.get(0);
  }

  private void loopbackOnly(InetAddress dialled, String nif, InetAddress loopback) {
    String where = nif == null ? "" : " (this host's " + nif + " address)";
    conclude(RefusalCause.LOOPBACK_ONLY_BIND, Confidence.HIGH,
        "a process listens on " + hostPort(loopback) + " only; " + HostSyntax.addressText(dialled)
            + " is not loopback" + where,
        "Bind the service to " + (dialled instanceof Inet4Address ? "0.0.0.0" : "::")
            + " or " + HostSyntax.addressText(dialled) + " (for example server.address, --bind, or"
            + " listen in its config), or dial " + HostSyntax.addressText(loopback)
            + " from this host.");
  }

  private void familyMismatch(InetAddress dialled, InetAddress accepting) {
    boolean dialledV4 = dialled instanceof Inet4Address;
    conclude(RefusalCause.ADDRESS_FAMILY_MISMATCH, Confidence.HIGH,
        hostPort(accepting) + " accepts but " + hostPort(dialled) + " does not: the service"
            + " listens on " + (dialledV4 ? "IPv6" : "IPv4") + " only"
            + dialledByName(dialledV4),
        familyRemedy(dialled, accepting));
  }

  private String dialledByName(boolean dialledV4) {
    return endpoint.isIpLiteral() ? "" : ", and " + endpoint.host() + " was dialled at its "
        + (dialledV4 ? "IPv4" : "IPv6") + " address";
  }

  private String familyRemedy(InetAddress dialled, InetAddress accepting) {
    return FamilyRemedy.of(FamilyRemedy.sourceOf(endpoint.isIpLiteral(), addresses),
        endpoint.host(), dialled, accepting);
  }

  private void noListenerHere(ListenerTable table) {
    if (table == null && budgetSpent) {
      conclude(RefusalCause.UNKNOWN, Confidence.LOW,
          "the time budget ran out before the probes could tell why " + endpoint
              + " refused",
          "Run the doctor command against " + endpoint + " with a larger --budget.");
      return;
    }
    if (table == null || !table.readable()) {
      conclude(RefusalCause.NO_LISTENER, Confidence.MEDIUM,
          "nothing accepts on port " + port + " on this host (the listener table could not be"
              + " read to confirm)",
          "Start the service, or check which port it listens on (netstat -an, or the service's"
              + " log line that names its port).");
      return;
    }
    conclude(RefusalCause.NO_LISTENER, Confidence.HIGH,
        "nothing listens on port " + port + " on this host",
        "Start the service, or check which port it listens on (ss -ltnp; the service's log"
            + " line that names its port).");
  }

  // ------------------------------------------------------------ CONNECT_TIMEOUT

  private void connectTimeout() {
    InetAddress dialled = dialledAddress();
    if (dialled == null) {
      return;
    }
    boolean local = dialled.isLoopbackAddress()
        || system.localAddresses().containsKey(dialled);
    if (local) {
      long before = KernelCounters.listenOverflows(system);
      ListenerTable table = readTable();
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
        Dial again = dial(dialled, "reprobe", Math.min(settings.dialTimeoutMillis, 50));
        long after = KernelCounters.listenOverflows(system);
        note("listener-table", "LISTEN on " + full.localText() + " with " + full.rxQueue
            + " connections waiting to be accepted (backlog capped by somaxconn="
            + somaxconn + ")");
        if (before >= 0 && after >= 0) {
          note("netstat", "ListenOverflows " + (after > before ? "rose from " + before + " to "
              + after + " while re-probing" : "is " + after + " (system-wide)"));
        }
        // rx_queue > 0 alone is not "full" (the backlog is not in /proc/net/tcp), and a
        // re-probe timeout alone could be a DROP rule: rising overflows are the proof.
        boolean overflowing = before >= 0 && after > before;
        conclude(RefusalCause.ACCEPT_QUEUE_FULL, overflowing ? Confidence.HIGH : Confidence.MEDIUM,
            "the listener on " + full.localText() + " does not accept() fast enough: its accept"
                + " queue is full, and Linux drops further SYNs, so connects time out instead of"
                + " being refused",
            "Make the service accept faster (more acceptor threads, less work before accept) or"
                + " raise its listen backlog (and net.core.somaxconn, now " + somaxconn + ").");
        return;
      }
      if (!listeners.isEmpty()) {
        note("listener-table", "LISTEN on port " + port + " with an empty accept queue");
        conclude(RefusalCause.CONNECT_TIMEOUT, Confidence.MEDIUM,
            "a listener exists on port " + port + " and has room, yet the SYN got no answer:"
                + " a firewall DROP rule is the likely cause",
            "Look for a DROP rule on port " + port + " (iptables -S; nft list ruleset).");
        return;
      }
    }
    if (!local && dial(dialled, "reprobe", Math.min(settings.dialTimeoutMillis, 100))
        == Dial.ACCEPTED) {
      conclude(RefusalCause.ACCEPT_QUEUE_FULL, Confidence.LOW,
          "a re-probe of " + hostPort(dialled) + " was accepted at once: the listener is alive"
              + " but was momentarily too slow to accept (a full accept queue drops SYNs)",
          "On the server, compare Recv-Q with Send-Q in ss -ltn 'sport = :" + port
              + "' and watch nstat -az TcpExtListenOverflows.");
      return;
    }
    conclude(RefusalCause.CONNECT_TIMEOUT, local ? Confidence.MEDIUM : Confidence.LOW,
        "no answer from " + hostPort(dialled) + " within the connect timeout: a firewall"
            + " dropping SYNs, a host that is down, or a listener whose accept queue is full"
            + " (Linux drops SYNs then rather than refusing)",
        "On the server, run ss -ltn 'sport = :" + port + "' (Recv-Q equal to Send-Q means the"
            + " accept queue is full) and nstat -az TcpExtListenOverflows; look for DROP rules.");
  }

  // ------------------------------------------------------------ other kinds

  private void unknownHost() {
    if (fdExhaustedBehindLookup()) {
      return;
    }
    String host = endpoint.host();
    if (reservedName(host)) {
      note("dns", host + " is in a reserved domain that never resolves (RFC 2606/6761)");
      conclude(RefusalCause.DNS_FAILURE, Confidence.HIGH,
          host + " cannot resolve: its domain is reserved", "Fix the host name in the config.");
      return;
    }
    List<InetAddress> jvm = lookup(host, false);
    if (jvm != null && !jvm.isEmpty()) {
      conclude(RefusalCause.DNS_FAILURE, Confidence.MEDIUM,
          host + " resolves now (" + describe(jvm) + "): the lookup failed for a moment",
          "Check the health of the DNS server in /etc/resolv.conf; the JVM caches failed"
              + " lookups for networkaddress.cache.negative.ttl seconds (default 10).");
      return;
    }
    List<InetAddress> fresh = lookup(host, true);
    if (fresh != null && !fresh.isEmpty()) {
      conclude(RefusalCause.DNS_FAILURE, Confidence.MEDIUM,
          "the JVM cannot resolve " + host + ", but a fresh DNS query answers "
              + describe(fresh) + ": the JVM's resolver or its negative cache is behind",
          "Lower networkaddress.cache.negative.ttl, or check /etc/nsswitch.conf and"
              + " /etc/hosts for this name.");
      return;
    }
    conclude(RefusalCause.DNS_FAILURE, Confidence.HIGH,
        host + " does not resolve, neither through the JVM nor in a fresh DNS query",
        "Check the name for typos and its DNS record (dig " + host + "); in Kubernetes, the"
            + " service name and namespace (name.namespace.svc.cluster.local).");
  }

  private boolean fdExhaustedBehindLookup() {
    SystemView.FdUsage fd = system.fdUsage();
    noteFd(fd);
    boolean exhausted = fd.exhausted || (fd.open >= 0 && fd.max > 0 && fd.max - fd.open <= 2);
    if (exhausted) {
      conclude(RefusalCause.LOCAL_FD_EXHAUSTION, Confidence.HIGH,
          "the name lookup failed because this process has no free file descriptor: the"
              + " resolver could not open a socket",
          fdRemedy(fd));
    }
    return exhausted;
  }

  private void fdExhausted() {
    SystemView.FdUsage fd = system.fdUsage();
    noteFd(fd);
    conclude(RefusalCause.LOCAL_FD_EXHAUSTION, Confidence.HIGH,
        "this process ran out of file descriptors"
            + (fd.max > 0 ? " (limit " + fd.max + ")" : ""),
        fdRemedy(fd));
  }

  private void noteFd(SystemView.FdUsage fd) {
    if (fd.exhausted) {
      note("descriptors", "none free: counting them failed for want of one (limit " + fd.max
          + ")");
    } else if (fd.open >= 0) {
      note("descriptors", fd.open + " of " + fd.max + " open");
    } else {
      note("descriptors", "cannot be counted on this platform");
    }
  }

  private static String fdRemedy(SystemView.FdUsage fd) {
    return "Find the leak first (unclosed responses, sockets, files: ls -l /proc/<pid>/fd), then"
        + " raise the limit if the load needs it (ulimit -n, systemd LimitNOFILE"
        + (fd.max > 0 ? ", now " + fd.max : "") + ").";
  }

  private void localAddressUnavailable() {
    long[] range = KernelCounters.ephemeralRange(system);
    ListenerTable table = readWholeTable();
    long size = range == null ? -1 : range[1] - range[0] + 1;
    int timeWait = table == null || !table.readable() ? -1 : table.count(ListenerTable.TIME_WAIT);
    int established =
        table == null || !table.readable() ? -1 : table.count(ListenerTable.ESTABLISHED);
    note("ephemeral-ports", range == null ? "ip_local_port_range cannot be read"
        : "ip_local_port_range is " + range[0] + "-" + range[1] + " (" + size + " ports)");
    if (timeWait >= 0) {
      note("listener-table", timeWait + " sockets in TIME_WAIT, " + established
          + " established");
    }
    boolean nearlyExhausted = size > 0 && timeWait >= 0 && timeWait + established >= size * 9 / 10;
    if (nearlyExhausted) {
      conclude(RefusalCause.LOCAL_PORT_EXHAUSTION, Confidence.HIGH,
          "this host has used up its ephemeral ports: " + (timeWait + established) + " sockets"
              + " hold " + size + " ports",
          "Reuse connections (a pooled client, keep-alive) instead of opening one per request;"
              + " widen net.ipv4.ip_local_port_range; enable net.ipv4.tcp_tw_reuse.");
    } else {
      conclude(RefusalCause.LOCAL_PORT_EXHAUSTION, Confidence.LOW,
          "no local address or port could be assigned (EADDRNOTAVAIL), though the ephemeral"
              + " range is not nearly used up: the client probably binds a local address this"
              + " host does not have",
          "Check the client's local bind address (localAddress, -Djava.net... or the"
              + " connection pool's source address) against ip -brief addr; if ports run out"
              + " under load, reuse connections.");
    }
  }

  private void unreachable() {
    InetAddress dialled = dialledAddress();
    String target = dialled == null ? endpoint.toString() : hostPort(dialled);
    if (kind == FailureKind.NETWORK_UNREACHABLE) {
      conclude(RefusalCause.UNREACHABLE, Confidence.MEDIUM,
          "this host has no route to the network of " + target,
          "Check the routes (ip route get " + (dialled == null ? endpoint.host()
              : HostSyntax.addressText(dialled)) + ") and, for IPv6, whether this host has IPv6 at all.");
    } else {
      conclude(RefusalCause.UNREACHABLE, Confidence.MEDIUM,
          "an ICMP host-unreachable came back for " + target + ": the host is down, or a"
              + " firewall rejects with icmp-host-prohibited",
          "Check that the host is up; look for a REJECT rule with icmp-host-prohibited on the"
              + " server or on the way.");
    }
  }

  private void addressFamilyUnavailable() {
    InetAddress dialled = dialledAddress();
    String target = dialled == null ? endpoint.toString() : hostPort(dialled);
    boolean ipv4 = dialled instanceof Inet4Address;
    if (!ipv4 && "true".equals(System.getProperty("java.net.preferIPv4Stack"))) {
      note("jvm-options", "java.net.preferIPv4Stack=true: this JVM opens IPv4 sockets only");
      conclude(RefusalCause.ADDRESS_FAMILY_MISMATCH, Confidence.HIGH,
          "this JVM runs with -Djava.net.preferIPv4Stack=true, so it cannot dial IPv6 address "
              + target,
          "Remove -Djava.net.preferIPv4Stack=true, or dial an IPv4 address of the service (an A"
              + " record or 127.0.0.1).");
      return;
    }
    String family = ipv4 ? "IPv4" : "IPv6";
    String other = ipv4 ? "IPv6" : "IPv4";
    note("jvm-options", "java.net.preferIPv4Stack is not set: the host itself refused to open"
        + " an " + family + " socket (EAFNOSUPPORT)");
    conclude(RefusalCause.ADDRESS_FAMILY_MISMATCH, Confidence.MEDIUM,
        "this host has no " + family + " stack for " + target,
        "Dial an " + other + " address of the service (" + (ipv4 ? "an AAAA record or ::1"
            : "an A record or 127.0.0.1") + "), or enable " + family + " on this host.");
  }

  private void cancelled() {
    conclude(RefusalCause.UNKNOWN, Confidence.LOW,
        "the call was cancelled or its thread interrupted; this is not a connect failure",
        "Nothing to fix at the connection level.");
  }

  private void notAConnectFailure() {
    conclude(RefusalCause.UNKNOWN, Confidence.LOW,
        kind == FailureKind.RESET
            ? "the connection broke after it was established; request bytes may have reached"
                + " the server"
            : "this is not a connect failure",
        kind == FailureKind.RESET
            ? "Replay only idempotent requests; look at the server's log for a crash or a"
                + " connection limit."
            : "Nothing to fix at the connection level.");
  }

  // ------------------------------------------------------------ shared probes

  /** The address the client dialled: given, or resolved (noting that it was inferred). */
  private InetAddress dialledAddress() {
    InetSocketAddress given = endpoint.address().orElse(null);
    InetAddress dialled = given == null ? null : given.getAddress();
    if (endpoint.isIpLiteral()) {
      InetAddress literal = parseLiteral(endpoint.host());
      addresses = literal == null ? List.of() : List.of(literal);
      return dialled != null ? dialled : literal;
    }
    List<InetAddress> resolved = lookup(endpoint.host(), false);
    addresses = resolved == null ? List.of() : resolved;
    if (!addresses.isEmpty()) {
      note("dns", endpoint.host() + " resolves to " + describe(addresses));
    }
    if (dialled == null && !addresses.isEmpty()) {
      dialled = addresses.get(0);
      note("dns", "the client did not say which address it dialled; assuming the first, "
          + HostSyntax.addressText(dialled));
    }
    if (dialled == null) {
      conclude(RefusalCause.UNKNOWN, Confidence.LOW,
          "the client did not say which address it dialled, and " + endpoint.host()
              + " could not be resolved now to find out",
          "Run the doctor command against " + endpoint + " to look again.");
    }
    return dialled;
  }

  private boolean staleAddress(InetAddress dialled) {
    if (endpoint.isIpLiteral() || reservedName(endpoint.host())) {
      return false;
    }
    List<InetAddress> fresh = lookup(endpoint.host(), true);
    if (fresh == null || fresh.isEmpty() || pinnedByHostsFile(dialled)) {
      return false;
    }
    note("dns-fresh", "a fresh DNS query answers " + describe(fresh));
    if (fresh.contains(dialled)) {
      return false;
    }
    InetAddress accepting = null;
    int probes = 0;
    for (InetAddress a : fresh) {
      if (probes++ >= MAX_ADDRESS_PROBES) {
        break;
      }
      if (dial(a, "fresh-address-probe") == Dial.ACCEPTED) {
        accepting = a;
        break;
      }
    }
    // Round-robin pools and /etc/hosts entries also make the two answers differ; only a clean
    // move (no address in common) is proof.
    boolean overlap = false;
    for (InetAddress a : addresses) {
      overlap |= fresh.contains(a);
    }
    conclude(RefusalCause.STALE_ADDRESS,
        accepting != null && !overlap ? Confidence.HIGH : Confidence.MEDIUM,
        endpoint.host() + " no longer resolves to " + HostSyntax.addressText(dialled) + " (a fresh"
            + " query answers " + describe(fresh) + ")"
            + (accepting != null ? ", and " + hostPort(accepting) + " accepts" : ""),
        "Resolve the name again: lower networkaddress.cache.ttl (JVM default 30 s), refresh the"
            + " service-discovery cache, or restart the client's connection pool.");
    return true;
  }

  /**
   * Whether the system resolver's hosts file pins the endpoint's name, noting the pin.
   *
   * <p>The JVM resolves a pinned name from the file, not from DNS, so a DNS answer that differs
   * shows two sources, not a stale address: a pinned name is never STALE_ADDRESS. A
   * user-supplied resolver is not asked, and gives false.
   */
  private boolean pinnedByHostsFile(InetAddress dialled) {
    if (resolver != SystemHostResolver.INSTANCE) {
      return false;
    }
    HostsFile hosts = HostsFile.current();
    List<InetAddress> pinned = hosts.addresses(endpoint.host());
    if (pinned.isEmpty()) {
      return false;
    }
    String pin = endpoint.host() + " is pinned to " + describe(pinned) + " in " + hosts.path();
    note("hosts-file", pinned.contains(dialled)
        ? pin + "; the JVM's answer comes from there, so it cannot be stale"
        : pin + ", not to the dialled " + HostSyntax.addressText(dialled) + ": the file changed"
            + " after the JVM read it, or the resolver asks DNS first; answers from different"
            + " sources cannot show a stale address");
    return true;
  }

  /** Re-dials the same address after a short pause; true when it now accepts (RESTARTING). */
  private boolean reprobe(InetAddress dialled) {
    long wait = settings.reprobeDelayNanos - (System.nanoTime() - startNanos);
    if (wait > 0) {
      if (wait >= deadlineNanos - System.nanoTime()) {
        budgetSpent = true;
        return false;
      }
      try {
        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    if (dial(dialled, "reprobe") != Dial.ACCEPTED) {
      return false;
    }
    settings.tables.invalidate();
    conclude(RefusalCause.RESTARTING, Confidence.HIGH,
        hostPort(dialled) + " accepts again " + millisSinceStart() + " ms after the refusal: the"
            + " service was starting or restarting",
        "Nothing to fix if restarts are expected; retry with backoff (RefusalGuard does).");
    return true;
  }

  private boolean recentlyAnswered() {
    if (lastSuccessAgoNanos < 0) {
      note("history", "no earlier success with " + endpoint + " seen by this process");
      return false;
    }
    long seconds = lastSuccessAgoNanos / 1_000_000_000L;
    note("history", endpoint + " last answered " + seconds + " s ago");
    if (lastSuccessAgoNanos > settings.recentSuccessNanos) {
      return false;
    }
    conclude(RefusalCause.RESTARTING, Confidence.MEDIUM,
        endpoint + " answered " + seconds + " s ago and refuses now: it is restarting or has"
            + " just crashed",
        "Retry with backoff (RefusalGuard does); if it stays down, look at the service's log.");
    return true;
  }

  private ListenerTable readTable() {
    if (spent()) {
      return null;
    }
    List<ListenerTable.Row> exact = system.listenersOn(port, deadlineNanos);
    return exact != null ? exactListeners(exact) : readWholeTable();
  }

  /** The listeners on the port as the kernel's exact lookup gave them. */
  private ListenerTable exactListeners(List<ListenerTable.Row> exact) {
    // The kernel's own answer for this port, exact and fresh: no table to read or reuse.
    if (exact.isEmpty()) {
      note("listener-table", "no LISTEN socket on port " + port + " (asked the kernel through"
          + " netlink sock_diag)");
    }
    return ListenerTable.ofListeners(exact);
  }

  /** The whole socket table from /proc, for the listeners on the port or the state counts. */
  private ListenerTable readWholeTable() {
    if (spent()) {
      return null;
    }
    ListenerTableCache.Entry entry = settings.tables.get(system, port, deadlineNanos);
    ListenerTable table = entry.table;
    if (!table.readable()) {
      note("listener-table", "/proc/net/tcp and tcp6 cannot be read here (not Linux?)");
      return table;
    }
    if (!table.complete()) {
      // Rows not read yet may hold this port's listener: the table proves nothing.
      budgetSpent = true;
      note("listener-table", table.sockets() == 0
          ? "the time budget ran out before /proc/net/tcp and tcp6 were read; the read goes on,"
              + " for the next diagnosis"
          : "the time budget ran out after " + table.sockets()
              + " sockets of /proc/net/tcp and tcp6 were read");
      return null;
    }
    long ageMillis = (startNanos - entry.readAtNanos) / 1_000_000;
    if (ageMillis > 0) {
      note("listener-table", "read " + ageMillis + " ms before this diagnosis, for another one");
    }
    if (table.malformedLines() > 0) {
      note("listener-table", table.malformedLines() + " lines could not be parsed");
    }
    if (table.listenersOn(port).isEmpty()) {
      note("listener-table", "no LISTEN row for port " + port + " in /proc/net/tcp or tcp6 ("
          + table.sockets() + " sockets read)");
    }
    return table;
  }

  private Dial dial(InetAddress address, String probe) {
    return dial(address, probe, settings.dialTimeoutMillis);
  }

  private Dial dial(InetAddress address, String probe, int timeoutMillis) {
    if (spent()) {
      return Dial.FAILED;
    }
    InetSocketAddress target = new InetSocketAddress(address, port);
    if (!allowed(target)) {
      note(probe, hostPort(address) + " not dialled: the diagnoser's probeTargets excludes it");
      return Dial.FAILED;
    }
    long left = (deadlineNanos - System.nanoTime()) / 1_000_000;
    int timeout = (int) Math.max(1, Math.min(timeoutMillis, left));
    Dial result = system.dial(target, timeout);
    dials++;
    note(probe, hostPort(address) + " " + result.name().toLowerCase(Locale.ROOT)
        .replace('_', ' '));
    return result;
  }

  /** The user's probe-target filter; one that throws allows nothing. */
  private boolean allowed(InetSocketAddress target) {
    try {
      return settings.probeTargets.test(target);
    } catch (RuntimeException e) {
      return false;
    }
  }

  private List<InetAddress> lookup(String host, boolean fresh) {
    if (spent()) {
      return null;
    }
    try {
      List<InetAddress> answer = bounded.call(
          () -> fresh ? resolver.lookupFresh(host) : resolver.lookup(host),
          deadlineNanos - System.nanoTime());
      if (answer == null) {
        budgetSpent = true;
        note(fresh ? "dns-fresh" : "dns", "no answer for " + host + " within the time budget");
      }
      return answer;
    } catch (UnknownHostException e) {
      note(fresh ? "dns-fresh" : "dns", host + " does not resolve"
          + (fresh ? " in a fresh query" : " through the JVM"));
      return null;
    } catch (java.util.concurrent.RejectedExecutionException e) {
      note(fresh ? "dns-fresh" : "dns", "not looked up: every probe thread is busy (slow DNS"
          + " elsewhere?)");
      return null;
    } catch (Exception e) {
      note(fresh ? "dns-fresh" : "dns", "lookup of " + host + " failed: "
          + e.getClass().getSimpleName());
      return null;
    }
  }

  private List<InetAddress> otherFamilyAddressesOf(String nif, InetAddress dialled) {
    List<InetAddress> out = new ArrayList<>(2);
    if (nif == null) {
      return out;
    }
    for (Map.Entry<InetAddress, String> e : system.localAddresses().entrySet()) {
      InetAddress a = e.getKey();
      boolean otherFamily = (a instanceof Inet4Address) != (dialled instanceof Inet4Address);
      if (nif.equals(e.getValue()) && otherFamily && !a.isLinkLocalAddress()) {
        out.add(a);
      }
    }
    return out;
  }

  private boolean spent() {
    if (System.nanoTime() - deadlineNanos >= 0) {
      budgetSpent = true;
    }
    return budgetSpent;
  }

  private void conclude(RefusalCause cause, Confidence confidence, String summary,
      String remedy) {
    this.cause = cause;
    this.confidence = confidence;
    this.summary = summary;
    this.remedy = remedy;
  }

  private void note(String probe, String observation) {
    evidence.add(Evidence.of(probe, observation));
  }

  private long millisSinceStart() {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  private String hostPort(InetAddress a) {
    return HostSyntax.socketText(a, port);
  }

  private static String describe(List<InetAddress> list) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < list.size() && i < 8; i++) {
      if (i > 0) {
        sb.append(", ");
      }
      sb.append(HostSyntax.addressText(list.get(i)));
    }
    if (list.size() > 8) {
      sb.append(" and ").append(list.size() - 8).append(" more");
    }
    return sb.toString();
  }

  /** Names that never resolve in public DNS, so no query is sent for them. */
  static boolean reservedName(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    return h.equals("localhost") || h.endsWith(".localhost") || h.endsWith(".invalid")
        || h.equals("invalid") || h.endsWith(".test") || h.endsWith(".example");
  }

  private static InetAddress parseLiteral(String host) {
    try {
      // An IP literal, so no lookup happens; a zone id names a local interface.
      return InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      return null;
    }
  }

  private static InetAddress literal(byte[] bytes) {
    try {
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  // ------------------------------------------------------------ results

  public RefusalCause cause() {
    return cause;
  }

  public Confidence confidence() {
    return confidence;
  }

  public String summary() {
    return summary;
  }

  public String remedy() {
    return remedy;
  }

  public List<Evidence> evidence() {
    return evidence;
  }

  public List<InetAddress> addresses() {
    return addresses;
  }

  /** How many connect probes were made. */
  public int dials() {
    return dials;
  }

  public boolean budgetSpent() {
    return budgetSpent;
  }
}
