package dev.refusal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.refusal.testing.FakeSystemView;
import dev.refusal.testing.Loopback;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A port nothing listens on is NO_LISTENER")
class NoListenerTest {

  @Test
  @DisplayName("a closed port on 127.0.0.1: NO_LISTENER, HIGH, proved by the listener table")
  void closedLoopbackPort() {
    int port = Loopback.closedPort(Loopback.V4);
    FakeSystemView system = FakeSystemView.noContainer();
    Diagnoser diagnoser = Diagnoser.builder().budget(Duration.ofSeconds(10)).system(system).build();
    Endpoint endpoint = Endpoint.of("127.0.0.1", port)
        .withAddress(new InetSocketAddress(Loopback.V4, port));

    Diagnosis d = diagnoser.diagnose(endpoint, Loopback.refused(Loopback.V4, port));

    assertThat(d.kind()).isEqualTo(FailureKind.REFUSED);
    assertThat(d.cause()).isEqualTo(RefusalCause.NO_LISTENER);
    assertThat(d.confidence()).isEqualTo(Confidence.HIGH);
    assertThat(d.summary()).contains("nothing listens on port " + port);
    assertThat(d.evidence()).extracting(Evidence::probe).contains("listener-table", "reprobe");
    assertThat(d.headline()).startsWith("Connection refused: 127.0.0.1:" + port
        + " (127.0.0.1) — NO_LISTENER (HIGH): ");
    assertThat(system.dialled()).allSatisfy(a -> assertThat(a.getPort()).isEqualTo(port));
  }

  @Test
  @DisplayName("the diagnosis is cached: a second failure within the TTL gets the same answer")
  void cachedForTheTtl() {
    int port = Loopback.closedPort(Loopback.V4);
    FakeSystemView system = FakeSystemView.noContainer();
    Diagnoser diagnoser = Diagnoser.builder().budget(Duration.ofSeconds(10)).system(system).build();
    Endpoint endpoint = Endpoint.of("127.0.0.1", port);

    Diagnosis first = diagnoser.diagnose(endpoint, Loopback.refused(Loopback.V4, port));
    int dials = system.dialled().size();
    Diagnosis second = diagnoser.diagnose(endpoint, Loopback.refused(Loopback.V4, port));

    assertThat(second).isSameAs(first);
    assertThat(system.dialled()).hasSize(dials);
  }

  @Test
  @DisplayName("\"localhost\" outside a container: NO_LISTENER")
  void localhostOutsideContainer() {
    int port = Loopback.closedPort(Loopback.V4);
    Diagnoser diagnoser = Diagnoser.builder().budget(Duration.ofSeconds(10))
        .system(FakeSystemView.noContainer()).build();

    Diagnosis d = diagnoser.diagnose(Endpoint.of("localhost", port),
        Loopback.refused(Loopback.V4, port));

    assertThat(d.cause()).isEqualTo(RefusalCause.NO_LISTENER);
  }
}
