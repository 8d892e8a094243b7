package dev.refusal.internal.diagnosis;

import dev.refusal.Endpoint;
import dev.refusal.internal.HostSyntax;
import java.net.InetAddress;
import java.util.List;

/**
 * The wording of every failure that is not a refusal: a connect timeout, a name that does not
 * resolve, a process or host out of descriptors or ports, an unreachable network, a missing
 * address family, and what is not a connect failure at all; also the two conclusions any kind
 * may end with, when the probes cannot tell or cannot even learn the dialled address.
 *
 * <p>Pure text; {@code port} is the dialled port, {@code target} the dialled address with its
 * port (or the endpoint when that address is not known).
 */
final class FailureWording {

  private FailureWording() {}

  /** The verdict before any rule has reached one. */
  static Wording undecided() {
    return new Wording("the probes could not tell why", "");
  }

  static Wording dialledUnknown(Endpoint endpoint) {
    return new Wording(
        "the client did not say which address it dialled, and " + endpoint.host()
            + " could not be resolved now to find out",
        "Run the doctor command against " + endpoint + " to look again.");
  }

  // ------------------------------------------------------------ connect timeout

  /** The listener on {@code listener} has connections waiting; {@code somaxconn} caps them. */
  static Wording acceptQueueFull(String listener, long somaxconn) {
    return new Wording(
        "the listener on " + listener + " does not accept() fast enough: its accept"
            + " queue is full, and Linux drops further SYNs, so connects time out instead of"
            + " being refused",
        "Make the service accept faster (more acceptor threads, less work before accept) or"
            + " raise its listen backlog (and net.core.somaxconn, now " + somaxconn + ").");
  }

  static Wording droppedDespiteListener(int port) {
    return new Wording(
        "a listener exists on port " + port + " and has room, yet the SYN got no answer:"
            + " a firewall DROP rule is the likely cause",
        "Look for a DROP rule on port " + port + " (iptables -S; nft list ruleset).");
  }

  static Wording acceptedOnReprobe(InetAddress dialled, int port) {
    return new Wording(
        "a re-probe of " + HostSyntax.socketText(dialled, port) + " was accepted at once: the"
            + " listener is alive but was momentarily too slow to accept (a full accept queue"
            + " drops SYNs)",
        "On the server, compare Recv-Q with Send-Q in ss -ltn 'sport = :" + port
            + "' and watch nstat -az TcpExtListenOverflows.");
  }

  static Wording noAnswer(InetAddress dialled, int port) {
    return new Wording(
        "no answer from " + HostSyntax.socketText(dialled, port) + " within the connect timeout:"
            + " a firewall dropping SYNs, a host that is down, or a listener whose accept queue"
            + " is full (Linux drops SYNs then rather than refusing)",
        "On the server, run ss -ltn 'sport = :" + port + "' (Recv-Q equal to Send-Q means the"
            + " accept queue is full) and nstat -az TcpExtListenOverflows; look for DROP rules.");
  }

  // ------------------------------------------------------------ unknown host

  static Wording reservedDomain(String host) {
    return new Wording(host + " cannot resolve: its domain is reserved",
        "Fix the host name in the config.");
  }

  static Wording resolvesNow(String host, List<InetAddress> answer) {
    return new Wording(
        host + " resolves now (" + Wording.addressList(answer) + "): the lookup failed for a"
            + " moment",
        "Check the health of the DNS server in /etc/resolv.conf; the JVM caches failed"
            + " lookups for networkaddress.cache.negative.ttl seconds (default 10).");
  }

  /**
   * The JVM's lookup failed where a fresh one answered: from DNS, or from the hosts file for a
   * name the file pins, so the text says neither.
   */
  static Wording freshLookupAnswers(String host, List<InetAddress> fresh) {
    return new Wording(
        "the JVM cannot resolve " + host + ", but a fresh lookup answers "
            + Wording.addressList(fresh) + ": the JVM's resolver or its negative cache is behind",
        "Lower networkaddress.cache.negative.ttl, or check /etc/nsswitch.conf and"
            + " /etc/hosts for this name.");
  }

  static Wording doesNotResolve(String host) {
    return new Wording(
        host + " does not resolve, neither through the JVM nor in a fresh lookup",
        "Check the name for typos and its DNS record (dig " + host + "); in Kubernetes, the"
            + " service name and namespace (name.namespace.svc.cluster.local).");
  }

  // ------------------------------------------------------------ local resources

  static Wording noDescriptorForLookup(SystemView.FdUsage fd) {
    return new Wording(
        "the name lookup failed because this process has no free file descriptor: the"
            + " resolver could not open a socket",
        fdRemedy(fd));
  }

  static Wording outOfDescriptors(SystemView.FdUsage fd) {
    return new Wording(
        "this process ran out of file descriptors"
            + (fd.max > 0 ? " (limit " + fd.max + ")" : ""),
        fdRemedy(fd));
  }

  private static String fdRemedy(SystemView.FdUsage fd) {
    return "Find the leak first (unclosed responses, sockets, files: ls -l /proc/<pid>/fd), then"
        + " raise the limit if the load needs it (ulimit -n, systemd LimitNOFILE"
        + (fd.max > 0 ? ", now " + fd.max : "") + ").";
  }

  /** {@code sockets} sockets hold the {@code ports} ports of the ephemeral range. */
  static Wording portsUsedUp(int sockets, long ports) {
    return new Wording(
        "this host has used up its ephemeral ports: " + sockets + " sockets hold " + ports
            + " ports",
        "Reuse connections (a pooled client, keep-alive) instead of opening one per request;"
            + " widen net.ipv4.ip_local_port_range; enable net.ipv4.tcp_tw_reuse.");
  }

  static Wording noLocalAddress() {
    return new Wording(
        "no local address or port could be assigned (EADDRNOTAVAIL), though the ephemeral"
            + " range is not nearly used up: the client probably binds a local address this"
            + " host does not have",
        "Check the client's local bind address (localAddress, -Djava.net... or the"
            + " connection pool's source address) against ip -brief addr; if ports run out"
            + " under load, reuse connections.");
  }

  // ------------------------------------------------------------ unreachable, family

  /** {@code routeTo} is what to ask {@code ip route get} about. */
  static Wording noRoute(String target, String routeTo) {
    return new Wording("this host has no route to the network of " + target,
        "Check the routes (ip route get " + routeTo + ") and, for IPv6, whether this host has"
            + " IPv6 at all.");
  }

  static Wording hostUnreachable(String target) {
    return new Wording(
        "an ICMP host-unreachable came back for " + target + ": the host is down, or a"
            + " firewall rejects with icmp-host-prohibited",
        "Check that the host is up; look for a REJECT rule with icmp-host-prohibited on the"
            + " server or on the way.");
  }

  static Wording ipv4StackOnly(String target) {
    return new Wording(
        "this JVM runs with -Djava.net.preferIPv4Stack=true, so it cannot dial IPv6 address "
            + target,
        "Remove -Djava.net.preferIPv4Stack=true, or dial an IPv4 address of the service (an A"
            + " record or 127.0.0.1).");
  }

  static Wording noStack(String target, boolean ipv4) {
    String family = ipv4 ? "IPv4" : "IPv6";
    String other = ipv4 ? "IPv6" : "IPv4";
    return new Wording("this host has no " + family + " stack for " + target,
        "Dial an " + other + " address of the service (" + (ipv4 ? "an AAAA record or ::1"
            : "an A record or 127.0.0.1") + "), or enable " + family + " on this host.");
  }

  // ------------------------------------------------------------ not a connect failure

  static Wording cancelled() {
    return new Wording(
        "the call was cancelled or its thread interrupted; this is not a connect failure",
        "Nothing to fix at the connection level.");
  }

  static Wording resetAfterConnect() {
    return new Wording(
        "the connection broke after it was established; request bytes may have reached"
            + " the server",
        "Replay only idempotent requests; look at the server's log for a crash or a"
            + " connection limit.");
  }

  static Wording notAConnectFailure() {
    return new Wording("this is not a connect failure", "Nothing to fix at the connection level.");
  }
}
