package dev.refusal.internal.diagnosis;

import dev.refusal.Confidence;
import dev.refusal.RefusalCause;
import java.net.InetAddress;
import java.util.List;

/**
 * The rule for a name that did not resolve: a lookup starved of descriptors, a reserved domain,
 * a lookup that failed for a moment, a JVM cache behind a fresh answer, or a name that does not
 * exist.
 *
 * <p>Concludes DNS_FAILURE, or LOCAL_FD_EXHAUSTION when the resolver could not open a socket.
 */
final class UnknownHostRule extends Rule {

  private final LocalResourcesRule resources;

  UnknownHostRule(Findings findings, ProbeKit kit, LocalResourcesRule resources) {
    super(findings, kit);
    this.resources = resources;
  }

  void diagnose() {
    String host = endpoint.host();
    if (resources.fdExhaustedBehindLookup()) {
      return;
    }
    if (ProbeKit.reservedName(host)) {
      findings.note("dns", host + " is in a reserved domain that never resolves (RFC 2606/6761)");
      findings.conclude(RefusalCause.DNS_FAILURE, Confidence.HIGH,
          FailureWording.reservedDomain(host));
      return;
    }
    List<InetAddress> jvm = kit.lookup(host, false);
    if (jvm != null && !jvm.isEmpty()) {
      findings.conclude(RefusalCause.DNS_FAILURE, Confidence.MEDIUM,
          FailureWording.resolvesNow(host, jvm));
      return;
    }
    List<InetAddress> fresh = kit.lookup(host, true);
    if (fresh != null && !fresh.isEmpty()) {
      findings.conclude(RefusalCause.DNS_FAILURE, Confidence.MEDIUM,
          FailureWording.freshLookupAnswers(host, fresh));
      return;
    }
    findings.conclude(RefusalCause.DNS_FAILURE, Confidence.HIGH,
        FailureWording.doesNotResolve(host));
  }
}
