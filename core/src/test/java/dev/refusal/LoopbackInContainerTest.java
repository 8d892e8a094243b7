package dev.refusal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.refusal.testing.FakeSystemView;
import dev.refusal.testing.FlappingServer;
import dev.refusal.testing.Loopback;
import dev.refusal.testing.ManualClock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Loopback refused inside a container. The container is injected (a Kubernetes environment
 * variable: a pod cannot be made here); refusals, listeners and dials are real.
 */
@DisplayName("Loopback in a container is a sidecar still starting until it lasts")
class LoopbackInContainerTest {

  private static FakeSystemView pod() {
    return FakeSystemView.noContainer().env("KUBERNETES_SERVICE_HOST", "10.96.0.1");
  }

  @Test
  @DisplayName("a sidecar on localhost that starts listening 700 ms after the first call: the"
      + " call is retried and succeeds")
  void sidecarStartingAfterTheFirstCall() throws Exception {
    Diagnoser diagnoser = Diagnoser.builder().system(pod()).build();
    AtomicBoolean startScheduled = new AtomicBoolean();
    try (FlappingServer sidecar = FlappingServer.onFreePort(Loopback.V4)) {
      int port = sidecar.port();
      RefusalListener startsTheSidecar = new RefusalListener() {
        @Override
        public void attemptFailed(Endpoint endpoint, int attempt, FailureKind kind,
            Throwable failure) {
          if (startScheduled.compareAndSet(false, true)) {
            Thread starter = new Thread(() -> {
              try {
                Thread.sleep(700);   // the scenario itself: the sidecar's start-up time
              } catch (InterruptedException e) {
                return;
              }
              sidecar.start();
            }, "sidecar-start");
            starter.setDaemon(true);
            starter.start();
          }
        }
      };
      try (RefusalGuard guard = RefusalGuard.builder().diagnoser(diagnoser)
          .listener(startsTheSidecar).build()) {

        int answer = guard.call(Endpoint.of("localhost", port),
            () -> FlappingServer.fetch(Loopback.V4, port));

        assertThat(answer).isEqualTo('k');
        assertThat(startScheduled).isTrue();
        assertThat(sidecar.accepted()).isGreaterThanOrEqualTo(1);
      }
    }
  }

  @Test
  @DisplayName("a first refusal on localhost: NO_LISTENER, retried, with the container in the"
      + " evidence and both readings in the remedy")
  void firstRefusalIsNoListener() {
    int port = Loopback.closedPort(Loopback.V4);
    Diagnoser diagnoser = Diagnoser.builder().system(pod()).build();

    Diagnosis d = diagnoser.diagnose(Endpoint.of("localhost", port),
        Loopback.refused(Loopback.V4, port));

    assertThat(d.cause()).isEqualTo(RefusalCause.NO_LISTENER);
    assertThat(d.isTransient()).isTrue();
    assertThat(d.summary()).contains("nothing listens on port " + port + " on this host (this container)");
    assertThat(d.remedy()).contains("sidecar").contains("service name");
    assertThat(d.evidence()).extracting(Evidence::toString)
        .anySatisfy(e -> assertThat(e).contains("KUBERNETES_SERVICE_HOST"));
  }

  @Test
  @DisplayName("refusals on localhost that last past the grace (30 s) with no success between:"
      + " LOOPBACK_IN_CONTAINER")
  void persistentRefusalIsLoopbackInContainer() {
    int port = Loopback.closedPort(Loopback.V4);
    ManualClock clock = new ManualClock();
    Diagnoser diagnoser = Diagnoser.builder().system(pod()).clock(clock).build();
    Endpoint endpoint = Endpoint.of("localhost", port);

    Diagnosis first = diagnoser.diagnose(endpoint, Loopback.refused(Loopback.V4, port));
    clock.advance(Diagnoser.DEFAULT_LOOPBACK_IN_CONTAINER_AFTER.plusSeconds(1));
    Diagnosis later = diagnoser.diagnose(endpoint, Loopback.refused(Loopback.V4, port));

    assertThat(first.cause()).isEqualTo(RefusalCause.NO_LISTENER);
    assertThat(later.cause()).isEqualTo(RefusalCause.LOOPBACK_IN_CONTAINER);
    assertThat(later.confidence()).isEqualTo(Confidence.MEDIUM);
    assertThat(later.isTransient()).isFalse();
    assertThat(later.remedy()).contains("service name");
  }

  @Test
  @DisplayName("a success in between starts the grace again")
  void successRestartsTheGrace() {
    int port = Loopback.closedPort(Loopback.V4);
    ManualClock clock = new ManualClock();
    Diagnoser diagnoser = Diagnoser.builder().system(pod()).clock(clock)
        .recentSuccessWindow(Duration.ZERO).build();
    Endpoint endpoint = Endpoint.of("localhost", port);

    diagnoser.diagnose(endpoint, Loopback.refused(Loopback.V4, port));
    clock.advance(Duration.ofSeconds(20));
    diagnoser.recordSuccess(endpoint);
    clock.advance(Duration.ofSeconds(20));
    Diagnosis d = diagnoser.diagnose(endpoint, Loopback.refused(Loopback.V4, port));

    assertThat(d.cause()).isEqualTo(RefusalCause.NO_LISTENER);
  }
}
