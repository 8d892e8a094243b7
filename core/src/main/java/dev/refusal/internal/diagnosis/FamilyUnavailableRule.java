package dev.refusal.internal.diagnosis;

import dev.refusal.Confidence;
import dev.refusal.RefusalCause;
import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * The rule for a socket the JVM or host could not open for the dialled address's family
 * (EAFNOSUPPORT): an IPv4-only JVM, or a host without that family's stack.
 *
 * <p>Reads the JVM's {@code java.net.preferIPv4Stack}; concludes ADDRESS_FAMILY_MISMATCH.
 */
final class FamilyUnavailableRule extends Rule {

  FamilyUnavailableRule(Findings findings, ProbeKit kit) {
    super(findings, kit);
  }

  void diagnose() {
    InetAddress dialled = kit.dialledAddress();
    String target = dialled == null ? endpoint.toString() : kit.hostPort(dialled);
    boolean ipv4 = dialled instanceof Inet4Address;
    if (!ipv4 && "true".equals(System.getProperty("java.net.preferIPv4Stack"))) {
      findings.note("jvm-options",
          "java.net.preferIPv4Stack=true: this JVM opens IPv4 sockets only");
      findings.conclude(RefusalCause.ADDRESS_FAMILY_MISMATCH, Confidence.HIGH,
          FailureWording.ipv4StackOnly(target));
      return;
    }
    findings.note("jvm-options", "java.net.preferIPv4Stack is not set: the host itself refused"
        + " to open an " + (ipv4 ? "IPv4" : "IPv6") + " socket (EAFNOSUPPORT)");
    findings.conclude(RefusalCause.ADDRESS_FAMILY_MISMATCH, Confidence.MEDIUM,
        FailureWording.noStack(target, ipv4));
  }
}
