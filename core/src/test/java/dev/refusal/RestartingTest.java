package dev.refusal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.refusal.testing.FakeSystemView;
import dev.refusal.testing.Loopback;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("An endpoint that answers again moments later, or answered recently, is RESTARTING")
class RestartingTest {

  @Test
  @DisplayName("a listener that appears moments after the refusal: RESTARTING, HIGH")
  void listenerAppearsMomentsLater() throws Exception {
    int port = Loopback.closedPort(Loopback.V4);
    ConnectException refusal = Loopback.refused(Loopback.V4, port);
    // The listener comes up as the first probe dials: after the refusal, before the re-probe.
    AtomicReference<ServerSocket> server = new AtomicReference<>();
    FakeSystemView system = FakeSystemView.noContainer();
    system.onDial(() -> {
      if (server.get() == null) {
        server.set(Loopback.listen(Loopback.V4, port, 50));
      }
    });
    Diagnoser diagnoser = Diagnoser.builder().budget(Duration.ofSeconds(10)).system(system)
        .build();
    try {
      Diagnosis d = diagnoser.diagnose(Endpoint.of("127.0.0.1", port), refusal);

      assertThat(d.cause()).isEqualTo(RefusalCause.RESTARTING);
      assertThat(d.confidence()).isEqualTo(Confidence.HIGH);
      assertThat(d.summary()).contains("accepts again");
    } finally {
      if (server.get() != null) {
        server.get().close();
      }
    }
  }

  @Test
  @DisplayName("a success seconds ago, and nothing listening now: RESTARTING, MEDIUM")
  void recentSuccessInHistory() {
    int port = Loopback.closedPort(Loopback.V4);
    Diagnoser diagnoser = Diagnoser.builder().budget(Duration.ofSeconds(10))
        .system(FakeSystemView.noContainer()).build();
    Endpoint endpoint = Endpoint.of("127.0.0.1", port);
    diagnoser.recordSuccess(endpoint);

    Diagnosis d = diagnoser.diagnose(endpoint, Loopback.refused(Loopback.V4, port));

    assertThat(d.cause()).isEqualTo(RefusalCause.RESTARTING);
    assertThat(d.confidence()).isEqualTo(Confidence.MEDIUM);
    assertThat(d.evidence()).extracting(Evidence::probe).contains("history");
  }
}
