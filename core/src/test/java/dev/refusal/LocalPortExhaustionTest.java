package dev.refusal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.refusal.internal.diagnosis.RealSystemView;
import dev.refusal.testing.FakeSystemView;
import dev.refusal.testing.Loopback;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("EADDRNOTAVAIL on the client side is LOCAL_PORT_EXHAUSTION, with the port range")
class LocalPortExhaustionTest {

  @Test
  @DisplayName("a client socket bound to an address this host lacks: the real EADDRNOTAVAIL,"
      + " with ip_local_port_range and TIME_WAIT read as evidence")
  void bindToAnAbsentAddress() throws Exception {
    // 203.0.113.77 (TEST-NET-3) is not on this host; the bind fails locally, nothing is sent.
    InetAddress absent = InetAddress.getByName("203.0.113.77");
    assumeFalse(RealSystemView.INSTANCE.localAddresses().containsKey(absent),
        "203.0.113.77 is assigned to this host, so binding to it would succeed");
    int port = Loopback.closedPort(Loopback.V4);
    IOException failure = null;
    try (Socket s = new Socket()) {
      s.bind(new InetSocketAddress(absent, 0));
      s.connect(new InetSocketAddress(Loopback.V4, port), 1_000);
    } catch (IOException e) {
      failure = e;
    }
    assertThat(FailureKind.of(failure)).isEqualTo(FailureKind.LOCAL_ADDRESS_UNAVAILABLE);

    Diagnosis d = Diagnoser.builder().system(FakeSystemView.noContainer()).build()
        .diagnose(Endpoint.of("127.0.0.1", port), failure);

    assertThat(d.cause()).isEqualTo(RefusalCause.LOCAL_PORT_EXHAUSTION);
    assertThat(d.evidence()).extracting(Evidence::probe)
        .contains("ephemeral-ports", "listener-table");
    assertThat(d.evidence()).extracting(Evidence::observation)
        .anySatisfy(o -> assertThat(o).contains("ip_local_port_range is"))
        .anySatisfy(o -> assertThat(o).contains("TIME_WAIT"));
    assertThat(d.summary()).contains("local address this host does not have");
  }
}
