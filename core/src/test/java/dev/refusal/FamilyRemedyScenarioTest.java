package dev.refusal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.refusal.testing.ChildJvm;
import dev.refusal.testing.FakeSystemView;
import dev.refusal.testing.Loopback;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("An address-family mismatch gets a remedy that can help")
class FamilyRemedyScenarioTest {

  @Test
  @DisplayName("localhost is 127.0.0.1 only in the hosts file and the service listens on ::1:"
      + " no JVM flag is offered, since none can help")
  void nameWithOneFamily() {
    assumeTrue(Loopback.ipv6Available(), "this host has no ::1 to listen on");
    try (ServerSocket v6Only = Loopback.listen(Loopback.V6, 0, 50)) {
      int port = v6Only.getLocalPort();

      String line = ChildJvm.main(FamilyRemedyChild.class).resolveOnlyLocalhost()
          .timeout(Duration.ofSeconds(60)).run("localhost", Integer.toString(port)).singleLine();

      assertThat(line).startsWith(RefusalCause.ADDRESS_FAMILY_MISMATCH + "\t")
          .doesNotContain("preferIPv6Addresses").doesNotContain("preferIPv4Stack")
          .contains("give localhost an IPv6 address").contains("No JVM setting helps");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  @DisplayName("the literal [::1] is dialled and the service listens on 127.0.0.1: the remedy"
      + " says dial 127.0.0.1, never -Djava.net.preferIPv4Stack=true (which breaks IPv6 dialling)")
  void ipv6Literal() throws Exception {
    assumeTrue(Loopback.ipv6Available(), "this host has no ::1 to dial");
    try (ServerSocket v4Only = Loopback.listen(Loopback.V4, 0, 50)) {
      int port = v4Only.getLocalPort();
      Diagnoser diagnoser = Diagnoser.builder().system(FakeSystemView.noContainer()).build();

      Diagnosis d = diagnoser.diagnose(
          Endpoint.of("[::1]", port).withAddress(new InetSocketAddress(Loopback.V6, port)),
          Loopback.refused(Loopback.V6, port));

      assertThat(d.cause()).isEqualTo(RefusalCause.ADDRESS_FAMILY_MISMATCH);
      assertThat(d.remedy()).contains("dial 127.0.0.1 instead of the literal ::1")
          .doesNotContain("preferIPv4Stack").doesNotContain("preferIPv6Addresses");
    }
  }
}
