package dev.refusal.internal.diagnosis;

import dev.refusal.Endpoint;
import dev.refusal.internal.HostSyntax;
import java.net.InetAddress;
import java.util.List;

/**
 * The wording of a refusal explained by something other than a listener's bind: a proxy, a
 * restart, a container's loopback, a remote host, a moved name, or a search cut short.
 *
 * <p>Pure text; {@code port} is the dialled port.
 */
final class RefusedWording {

  private RefusedWording() {}

  /** {@code proxy} is the proxy's address as text. */
  static Wording proxyRefused(String proxy, Endpoint endpoint) {
    return new Wording(
        "the proxy " + proxy + " refused the connection; " + endpoint + " was never contacted",
        "Start the proxy, or fix the proxy setting (-Dhttp.proxyHost/-Dhttps.proxyHost, the"
            + " HTTP(S)_PROXY variables, or the client's Proxy).");
  }

  /** A re-dial of {@code dialled}, {@code millis} after the refusal, was accepted. */
  static Wording acceptsAgain(InetAddress dialled, int port, long millis) {
    return new Wording(
        HostSyntax.socketText(dialled, port) + " accepts again " + millis + " ms after the"
            + " refusal: the service was starting or restarting",
        "Nothing to fix if restarts are expected; retry with backoff (RefusalGuard does).");
  }

  static Wording answeredRecently(Endpoint endpoint, long seconds) {
    return new Wording(
        endpoint + " answered " + seconds + " s ago and refuses now: it is restarting or has"
            + " just crashed",
        "Retry with backoff (RefusalGuard does); if it stays down, look at the service's log.");
  }

  /** Loopback has refused in a container for {@code seconds}, past the startup grace. */
  static Wording loopbackInContainer(Endpoint endpoint, long seconds) {
    return new Wording(
        "this process runs in a container, where " + endpoint.host() + " is the container"
            + " itself, and nothing has listened on port " + endpoint.port() + " in it for "
            + seconds + " s",
        "Dial the other container by its service name (or the pod's service DNS name), not "
            + endpoint.host() + ". If the service is a sidecar in the same pod, it is not"
            + " running: look at its log.");
  }

  /** Loopback refused in a container within the startup grace: perhaps a sidecar starting. */
  static Wording nothingListensInContainer(Endpoint endpoint) {
    return new Wording(
        "nothing listens on port " + endpoint.port() + " on this host (this container)",
        "Start the service, or check which port it listens on. If it is a sidecar in this pod, it"
            + " is starting or down (retried meanwhile); if it runs in another container, dial"
            + " it by its service name: " + endpoint.host() + " is this container itself.");
  }

  /** Another address of the same name, {@code accepting}, took the connect. */
  static Wording instanceDown(InetAddress dialled, InetAddress accepting, int port) {
    return new Wording(
        "nothing accepts on " + HostSyntax.socketText(dialled, port) + ", but "
            + HostSyntax.socketText(accepting, port) + " of the same host name does: one"
            + " instance is down",
        "Restart or remove the instance at " + HostSyntax.addressText(dialled)
            + ". Clients that try every address of a name get through meanwhile (OkHttp"
            + " does; the JDK HttpClient dials only the first).");
  }

  static Wording remoteReset(InetAddress dialled, int port) {
    return new Wording(
        HostSyntax.addressText(dialled) + " answered with a reset: the host is up, but nothing"
            + " accepts connections on port " + port + " for this client. From here it cannot be"
            + " told whether the service is down, bound to the server's loopback only, or behind"
            + " a firewall REJECT rule",
        "On the server, run: ss -ltnp 'sport = :" + port + "'. No row: the service is down or on"
            + " another port. A row on 127.0.0.1 or ::1: bind it to 0.0.0.0. A row on 0.0.0.0 or"
            + " *: look for a REJECT rule (iptables -S; nft list ruleset).");
  }

  /** Nothing accepted on this host, and the listener table could not be read to confirm. */
  static Wording nothingAcceptsUnconfirmed(int port) {
    return new Wording(
        "nothing accepts on port " + port + " on this host (the listener table could not be"
            + " read to confirm)",
        "Start the service, or check which port it listens on (netstat -an, or the service's"
            + " log line that names its port).");
  }

  static Wording budgetRanOut(Endpoint endpoint) {
    return new Wording(
        "the time budget ran out before the probes could tell why " + endpoint + " refused",
        "Run the doctor command against " + endpoint + " with a larger --budget.");
  }

  /** {@code accepting} is a fresh address that took the connect, or null. */
  static Wording staleAddress(Endpoint endpoint, InetAddress dialled, List<InetAddress> fresh,
      InetAddress accepting) {
    return new Wording(
        endpoint.host() + " no longer resolves to " + HostSyntax.addressText(dialled) + " (a"
            + " fresh query answers " + Wording.addressList(fresh) + ")"
            + (accepting != null ? ", and " + HostSyntax.socketText(accepting, endpoint.port())
                + " accepts" : ""),
        "Resolve the name again: lower networkaddress.cache.ttl (JVM default 30 s), refresh the"
            + " service-discovery cache, or restart the client's connection pool.");
  }
}
