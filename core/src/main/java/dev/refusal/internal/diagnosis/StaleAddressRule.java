package dev.refusal.internal.diagnosis;

import dev.refusal.Confidence;
import dev.refusal.HostResolver;
import dev.refusal.RefusalCause;
import dev.refusal.internal.HostSyntax;
import dev.refusal.internal.diagnosis.SystemView.Dial;
import java.net.InetAddress;
import java.util.List;

/**
 * The rule for a refusal at an address the endpoint's name no longer resolves to: the client
 * dialled a stale answer from a cache.
 *
 * <p>Asked first for every refused name, wherever it points. A name the system resolver's hosts
 * file pins is never stale; a fresh answer that still holds the dialled address leaves the cause
 * to the other rules.
 */
final class StaleAddressRule extends Rule {

  private final HostResolver resolver;

  StaleAddressRule(Findings findings, ProbeKit kit, HostResolver resolver) {
    super(findings, kit);
    this.resolver = resolver;
  }

  /** True when it concluded STALE_ADDRESS. */
  boolean diagnose(InetAddress dialled) {
    if (endpoint.isIpLiteral() || ProbeKit.reservedName(endpoint.host())) {
      return false;
    }
    List<InetAddress> fresh = kit.lookup(endpoint.host(), true);
    if (fresh == null || fresh.isEmpty() || pinnedByHostsFile(dialled)) {
      return false;
    }
    findings.note("dns-fresh", "a fresh lookup answers " + Wording.addressList(fresh));
    if (fresh.contains(dialled)) {
      return false;
    }
    InetAddress accepting = null;
    int probes = 0;
    for (InetAddress a : fresh) {
      if (probes++ >= ProbeKit.MAX_ADDRESS_PROBES) {
        break;
      }
      if (kit.dial(a, "fresh-address-probe") == Dial.ACCEPTED) {
        accepting = a;
        break;
      }
    }
    // Round-robin pools and /etc/hosts entries also make the two answers differ; only a clean
    // move (no address in common) is proof.
    boolean overlap = false;
    for (InetAddress a : kit.addresses()) {
      overlap |= fresh.contains(a);
    }
    findings.conclude(RefusalCause.STALE_ADDRESS,
        accepting != null && !overlap ? Confidence.HIGH : Confidence.MEDIUM,
        RefusedWording.staleAddress(endpoint, dialled, fresh, accepting));
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
    String pin = endpoint.host() + " is pinned to " + Wording.addressList(pinned) + " in "
        + hosts.path();
    findings.note("hosts-file", pinned.contains(dialled)
        ? pin + "; the JVM's answer comes from there, so it cannot be stale"
        : pin + ", not to the dialled " + HostSyntax.addressText(dialled) + ": the file changed"
            + " after the JVM read it, or the resolver asks DNS first; answers from different"
            + " sources cannot show a stale address");
    return true;
  }
}
