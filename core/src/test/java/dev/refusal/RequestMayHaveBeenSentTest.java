package dev.refusal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.refusal.testing.ClosedPort;
import dev.refusal.testing.FakeSystemView;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Whether the request may have been sent is a fact of the whole call")
class RequestMayHaveBeenSentTest {

  private final RefusalGuard guard = RefusalGuard.builder()
      .diagnoser(Diagnoser.builder().system(FakeSystemView.noContainer())
          .budget(Duration.ofSeconds(10)).build())
      .maxAttempts(2)
      .backoff(Duration.ofMillis(1), 1.0, Duration.ofMillis(1))
      .build();

  @AfterEach
  void close() {
    guard.close();
  }

  private static Void refusedConnect(int port) throws Exception {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
    }
    return null;
  }

  @Test
  @DisplayName("an idempotent call reset after writing, then refused: may have been sent")
  void resetThenRefused() {
    int port = ClosedPort.find();
    AtomicInteger attempts = new AtomicInteger();

    Throwable thrown = catchThrowable(() -> guard.callIdempotent(Endpoint.of("127.0.0.1", port),
        () -> {
          if (attempts.incrementAndGet() == 1) {
            throw new SocketException("Connection reset");
          }
          return refusedConnect(port);
        }));

    assertThat(attempts).hasValue(2);
    assertThat(thrown).isInstanceOf(DiagnosedConnectException.class);
    Diagnosis d = Diagnosis.find(thrown).orElseThrow();
    assertThat(d.kind()).isEqualTo(FailureKind.REFUSED);
    assertThat(d.requestMayHaveBeenSent()).isTrue();
    assertThat(thrown).hasMessageContaining("resend it only if it is idempotent");
  }

  @Test
  @DisplayName("refused on every attempt: not sent, and a later rejection says not sent either")
  void refusedOnly() {
    int port = ClosedPort.find();
    Endpoint endpoint = Endpoint.of("127.0.0.1", port);

    Throwable thrown = catchThrowable(() -> guard.call(endpoint, () -> refusedConnect(port)));

    assertThat(Diagnosis.find(thrown).orElseThrow().requestMayHaveBeenSent()).isFalse();
    assertThat(thrown.getMessage()).doesNotContain("may have reached");
  }

  @Test
  @DisplayName("a copy keeps the fact; a diagnosis made outside a call says false")
  void copiesKeepIt() {
    Diagnosis d = Diagnosis.of(Endpoint.of("127.0.0.1", 1), FailureKind.REFUSED,
        RefusalCause.NO_LISTENER, Confidence.HIGH, "nothing listens", "Start it.",
        java.util.List.of(), Duration.ZERO);
    assertThat(d.requestMayHaveBeenSent()).isFalse();
    Diagnosis sent = d.toBuilder().requestMayHaveBeenSent(true).build();
    assertThat(sent.withSummary("s").requestMayHaveBeenSent()).isTrue();
    assertThat(sent.withRemedy("r").requestMayHaveBeenSent()).isTrue();
    assertThat(sent.withEvidence(java.util.List.of()).requestMayHaveBeenSent()).isTrue();
  }
}
