package dev.refusal.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.refusal.DiagnosedConnectException;
import dev.refusal.Diagnoser;
import dev.refusal.RefusalCause;
import dev.refusal.RefusalGuard;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("SocketQuickStart: a raw socket exchange under the guard")
class SocketQuickStartTest {

  private final InetAddress loopback = InetAddress.getLoopbackAddress();

  @Test
  @DisplayName("a live service answers through the guard")
  void liveService() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 10, loopback)) {
      Thread t = new Thread(() -> {
        try (Socket c = server.accept()) {
          c.getOutputStream().write('k');
        } catch (Exception ignored) {
          // The test fails on its own if nothing was written.
        }
      });
      t.start();
      int b = new SocketQuickStart(RefusalGuard.defaults())
          .firstByte("127.0.0.1", server.getLocalPort());
      t.join(5_000);

      assertThat(b).isEqualTo('k');
    }
  }

  @Test
  @DisplayName("a dead service: a DiagnosedConnectException, still a ConnectException")
  void deadService() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, loopback)) {
      port = s.getLocalPort();
    }
    RefusalGuard guard = RefusalGuard.builder().diagnoser(Diagnoser.builder().build())
        .maxAttempts(2).backoff(Duration.ZERO, 1.0, Duration.ZERO).build();

    Throwable thrown = catchThrowable(() -> new SocketQuickStart(guard)
        .firstByte("127.0.0.1", port));

    assertThat(thrown).isInstanceOf(ConnectException.class)
        .isInstanceOf(DiagnosedConnectException.class);
    assertThat(((DiagnosedConnectException) thrown).diagnosis().cause())
        .isIn(RefusalCause.NO_LISTENER, RefusalCause.LOOPBACK_IN_CONTAINER);
  }
}
