package dev.refusal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.refusal.testing.FakeSystemView;
import dev.refusal.testing.FullAcceptQueue;
import dev.refusal.testing.ResettingServer;
import dev.refusal.testing.SilentServer;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The guard under faults that are not refusals")
class GuardFaultsTest {

  private final RefusalGuard guard = RefusalGuard.builder()
      .diagnoser(Diagnoser.builder().system(FakeSystemView.noContainer()).build())
      .failureThreshold(2).maxAttempts(3).backoff(Duration.ZERO, 1.0, Duration.ZERO).build();

  private static int exchange(InetSocketAddress address, int readTimeoutMillis)
      throws Exception {
    try (Socket s = new Socket()) {
      s.connect(address, 1_000);
      s.setSoTimeout(readTimeoutMillis);
      s.getOutputStream().write("GET / HTTP/1.1\r\n\r\n".getBytes(
          java.nio.charset.StandardCharsets.US_ASCII));
      InputStream in = s.getInputStream();
      int b = in.read();
      if (b < 0) {
        throw new java.io.EOFException("closed before a response");
      }
      return b;
    }
  }

  @Test
  @DisplayName("a server that accepts and never answers: the read timeout is rethrown untouched,"
      + " not retried, and does not open the breaker")
  void acceptsAndNeverAnswers() {
    try (SilentServer server = SilentServer.start()) {
      Endpoint endpoint = Endpoint.of("127.0.0.1", server.address().getPort());
      AtomicInteger attempts = new AtomicInteger();
      for (int i = 0; i < 3; i++) {
        Throwable thrown = catchThrowable(() -> guard.call(endpoint, () -> {
          attempts.incrementAndGet();
          return exchange(server.address(), 100);
        }));
        assertThat(thrown).isInstanceOf(SocketTimeoutException.class)
            .isNotInstanceOf(DiagnosedConnectException.class);
        assertThat(FailureKind.of(thrown)).isEqualTo(FailureKind.OTHER);
      }
      assertThat(attempts).hasValue(3);
      assertThat(guard.circuitState(endpoint)).isEqualTo(CircuitState.CLOSED);
    }
  }

  @Test
  @DisplayName("a server killed mid-exchange: the reset is not retried for a plain call, is for"
      + " an idempotent one, and never counts toward the breaker")
  void resetMidExchange() throws Exception {
    try (ResettingServer server = ResettingServer.start()) {
      Endpoint endpoint = Endpoint.of("127.0.0.1", server.address().getPort());
      AtomicInteger attempts = new AtomicInteger();
      Throwable plain = catchThrowable(() -> guard.call(endpoint, () -> {
        attempts.incrementAndGet();
        return exchange(server.address(), 2_000);
      }));
      assertThat(FailureKind.of(plain)).isEqualTo(FailureKind.RESET);
      assertThat(attempts).hasValue(1);

      Throwable idempotent = catchThrowable(() -> guard.callIdempotent(endpoint, () -> {
        attempts.incrementAndGet();
        return exchange(server.address(), 2_000);
      }));
      assertThat(FailureKind.of(idempotent)).isEqualTo(FailureKind.RESET);
      assertThat(attempts).hasValue(4);
      assertThat(guard.circuitState(endpoint)).isEqualTo(CircuitState.CLOSED);
    }
  }

  @Test
  @DisplayName("a listener whose accept queue is full: connects time out, the diagnosis says"
      + " ACCEPT_QUEUE_FULL, and the guard backs off and retries")
  void fullAcceptQueue() {
    try (FullAcceptQueue queue = FullAcceptQueue.open()) {
      assumeTrue(queue.isFull(), "this kernel kept accepting into the queue");
      Endpoint endpoint = Endpoint.of("127.0.0.1", queue.address().getPort());
      AtomicInteger attempts = new AtomicInteger();
      Throwable thrown = catchThrowable(() -> guard.call(endpoint, () -> {
        attempts.incrementAndGet();
        try (Socket s = new Socket()) {
          s.connect(queue.address(), 150);
        }
        return null;
      }));

      // The type the socket threw, so catch blocks written for it still match.
      assertThat(thrown).isExactlyInstanceOf(java.net.SocketTimeoutException.class)
          .hasMessageStartingWith("Connect timed out: 127.0.0.1:" + endpoint.port());
      Diagnosis d = Diagnosis.find(thrown).orElseThrow();
      assertThat(d.kind()).isEqualTo(FailureKind.CONNECT_TIMEOUT);
      assertThat(d.cause()).isEqualTo(RefusalCause.ACCEPT_QUEUE_FULL);
      assertThat(attempts.get()).isGreaterThan(1);
    }
  }
}
