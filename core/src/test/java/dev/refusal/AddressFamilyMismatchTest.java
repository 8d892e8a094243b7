package dev.refusal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.refusal.testing.FakeSystemView;
import dev.refusal.testing.Loopback;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A listener on one address family, dialled on the other, is ADDRESS_FAMILY_MISMATCH")
class AddressFamilyMismatchTest {

  private final FakeSystemView system = FakeSystemView.noContainer();
  private final Diagnoser diagnoser = Diagnoser.builder().budget(Duration.ofSeconds(10))
      .system(system).build();

  @BeforeEach
  void needsIpv6() {
    assumeTrue(Loopback.ipv6Available(), "this machine cannot bind ::1, so no IPv6 scenario");
  }

  @Test
  @DisplayName("IPv6-only listener on ::1 dialled at 127.0.0.1")
  void v6ListenerDialledOverV4() throws Exception {
    try (ServerSocket server = Loopback.listen(Loopback.V6, 0, 50)) {
      int port = server.getLocalPort();
      Diagnosis d = diagnoser.diagnose(
          Endpoint.of("127.0.0.1", port).withAddress(new InetSocketAddress(Loopback.V4, port)),
          Loopback.refused(Loopback.V4, port));

      assertThat(d.cause()).isEqualTo(RefusalCause.ADDRESS_FAMILY_MISMATCH);
      assertThat(d.confidence()).isEqualTo(Confidence.HIGH);
      assertThat(d.summary()).contains("[::1]:" + port + " accepts but 127.0.0.1:" + port
          + " does not: the service listens on IPv6 only");
      // A literal was dialled: no JVM setting changes which address that is.
      assertThat(d.remedy()).contains("dial ::1 instead of the literal 127.0.0.1")
          .doesNotContain("preferIPv6Addresses");
    }
  }

  @Test
  @DisplayName("IPv4 listener on 127.0.0.1 dialled at ::1")
  void v4ListenerDialledOverV6() throws Exception {
    try (ServerSocket server = Loopback.listen(Loopback.V4, 0, 50)) {
      int port = server.getLocalPort();
      Diagnosis d = diagnoser.diagnose(Endpoint.of("::1", port),
          Loopback.refused(Loopback.V6, port));

      assertThat(d.cause()).isEqualTo(RefusalCause.ADDRESS_FAMILY_MISMATCH);
      assertThat(d.summary()).contains("127.0.0.1:" + port + " accepts but [::1]:" + port
          + " does not: the service listens on IPv4 only");
      assertThat(d.headline()).startsWith("Connection refused: [::1]:" + port);
    }
  }

  @Test
  @DisplayName("a host name that resolves to IPv4 only, with the service on IPv6 only")
  void nameResolvingToOneFamily() throws Exception {
    // v4only.refusal.test maps to 127.0.0.1 alone in the test JVM's hosts file.
    try (ServerSocket server = Loopback.listen(Loopback.V6, 0, 50)) {
      int port = server.getLocalPort();
      Diagnosis d = diagnoser.diagnose(Endpoint.of("v4only.refusal.test", port),
          Loopback.refused(Loopback.V4, port));

      assertThat(d.cause()).isEqualTo(RefusalCause.ADDRESS_FAMILY_MISMATCH);
      assertThat(d.summary()).contains("v4only.refusal.test was dialled at its IPv4 address");
      assertThat(d.evidence()).extracting(Evidence::toString)
          .anySatisfy(e -> assertThat(e).contains("resolves to 127.0.0.1"));
    }
  }

  @Test
  @DisplayName("the probes dial only the request's port")
  void probesStayOnThePort() throws Exception {
    try (ServerSocket server = Loopback.listen(Loopback.V6, 0, 50)) {
      int port = server.getLocalPort();
      diagnoser.diagnose(Endpoint.of("127.0.0.1", port), Loopback.refused(Loopback.V4, port));

      assertThat(system.dialled()).isNotEmpty()
          .allSatisfy(a -> {
            assertThat(a.getPort()).isEqualTo(port);
            assertThat(a.getAddress().isLoopbackAddress()).isTrue();
          });
    }
  }
}
