package dev.refusal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.refusal.testing.FakeSystemView;
import dev.refusal.testing.Loopback;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("An endpoint that answers again moments later, or answered recently, is RESTARTING")
class RestartingTest {

  @Test
  @DisplayName("a listener that appears moments after the refusal: RESTARTING, HIGH")
  void listenerAppearsMomentsLater() throws Exception {
    int port = Loopback.closedPort(Loopback.V4);
    ConnectException refusal = Loopback.refused(Loopback.V4, port);
    Diagnoser diagnoser = Diagnoser.builder().budget(Duration.ofSeconds(10)).system(FakeSystemView.noContainer())
        .reprobeDelay(Duration.ofMillis(300)).build();
    CompletableFuture<ServerSocket> server = CompletableFuture.supplyAsync(
        () -> Loopback.listen(Loopback.V4, port, 50),
        CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS));
    try {
      Diagnosis d = diagnoser.diagnose(Endpoint.of("127.0.0.1", port), refusal);

      assertThat(d.cause()).isEqualTo(RefusalCause.RESTARTING);
      assertThat(d.confidence()).isEqualTo(Confidence.HIGH);
      assertThat(d.summary()).contains("accepts again");
    } finally {
      server.get(5, TimeUnit.SECONDS).close();
    }
  }

  @Test
  @DisplayName("a success seconds ago, and nothing listening now: RESTARTING, MEDIUM")
  void recentSuccessInHistory() {
    int port = Loopback.closedPort(Loopback.V4);
    Diagnoser diagnoser = Diagnoser.builder().budget(Duration.ofSeconds(10)).system(FakeSystemView.noContainer()).build();
    Endpoint endpoint = Endpoint.of("127.0.0.1", port);
    diagnoser.recordSuccess(endpoint);

    Diagnosis d = diagnoser.diagnose(endpoint, Loopback.refused(Loopback.V4, port));

    assertThat(d.cause()).isEqualTo(RefusalCause.RESTARTING);
    assertThat(d.confidence()).isEqualTo(Confidence.MEDIUM);
    assertThat(d.evidence()).extracting(Evidence::probe).contains("history");
  }
}
