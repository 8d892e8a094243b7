package dev.refusal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.refusal.testing.FakeSystemView;
import dev.refusal.testing.Loopback;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("probeTargets limits what the probes dial")
class ProbeTargetsTest {

  @Test
  @DisplayName("only the dialled address allowed: the other-family probe does not dial ::1,"
      + " where a listener waits, and the evidence says so")
  void onlyTheDialledAddress() throws Exception {
    try (ServerSocket v6 = Loopback.ipv6Available() ? Loopback.listen(Loopback.V6, 0, 50) : null) {
      int port = v6 != null ? v6.getLocalPort() : Loopback.closedPort(Loopback.V4);
      InetSocketAddress dialled = new InetSocketAddress(Loopback.V4, port);
      FakeSystemView system = FakeSystemView.noContainer();
      Diagnoser diagnoser = Diagnoser.builder().system(system)
          .probeTargets(dialled::equals).build();

      Diagnosis d = diagnoser.diagnose(Endpoint.of("127.0.0.1", port).withAddress(dialled),
          Loopback.refused(Loopback.V4, port));

      // The listener table may still prove the cause without a dial; no other address is dialled.
      assertThat(system.dialled()).allSatisfy(a -> assertThat(a).isEqualTo(dialled));
      assertThat(d.evidence()).extracting(Evidence::toString).anySatisfy(e -> assertThat(e)
          .contains("[::1]:" + port + " not dialled: the diagnoser's probeTargets excludes it"));
    }
  }

  @Test
  @DisplayName("a filter that throws excludes the address and never reaches the caller")
  void throwingFilter() {
    int port = Loopback.closedPort(Loopback.V4);
    FakeSystemView system = FakeSystemView.noContainer();
    Diagnoser diagnoser = Diagnoser.builder().system(system).probeTargets(a -> {
      throw new IllegalStateException("filter bug");
    }).build();

    Diagnosis d = diagnoser.diagnose(Endpoint.of("127.0.0.1", port),
        Loopback.refused(Loopback.V4, port));

    assertThat(system.dialled()).isEmpty();
    assertThat(d.kind()).isEqualTo(FailureKind.REFUSED);
  }

  @Test
  @DisplayName("a null filter is refused by name")
  void nullFilter() {
    assertThatThrownBy(() -> Diagnoser.builder().probeTargets(null))
        .isInstanceOf(NullPointerException.class).hasMessage("allowed");
  }
}
