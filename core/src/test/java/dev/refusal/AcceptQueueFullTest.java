package dev.refusal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.refusal.testing.FakeSystemView;
import dev.refusal.testing.Loopback;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A listener that never accepts, under a burst of connects, is ACCEPT_QUEUE_FULL")
class AcceptQueueFullTest {

  @Test
  @DisplayName("backlog 1, never accepting: the burst times out (Linux drops SYNs), and the"
      + " diagnosis names the full queue with ListenOverflows as evidence")
  void fullAcceptQueue() throws Exception {
    List<Socket> held = new ArrayList<>();
    try (ServerSocket server = Loopback.listen(Loopback.V4, 0, 1)) {
      int port = server.getLocalPort();
      IOException timeout = null;
      // Bounded burst: the queue holds backlog+1 connections, then SYNs are dropped.
      for (int i = 0; i < 16 && timeout == null; i++) {
        Socket s = new Socket();
        held.add(s);
        try {
          s.connect(new InetSocketAddress(Loopback.V4, port), 200);
        } catch (IOException e) {
          timeout = e;
        }
      }
      assumeTrue(timeout != null, "the kernel never dropped a SYN within 16 connects");
      assertThat(FailureKind.of(timeout)).isEqualTo(FailureKind.CONNECT_TIMEOUT);

      Diagnosis d = Diagnoser.builder().budget(Duration.ofSeconds(10))
          .system(FakeSystemView.noContainer()).build()
          .diagnose(Endpoint.of("127.0.0.1", port), timeout);

      assertThat(d.kind()).isEqualTo(FailureKind.CONNECT_TIMEOUT);
      assertThat(d.cause()).isEqualTo(RefusalCause.ACCEPT_QUEUE_FULL);
      assertThat(d.confidence()).isEqualTo(Confidence.HIGH);
      assertThat(d.summary()).contains("accept queue is full");
      assertThat(d.evidence()).extracting(Evidence::probe)
          .contains("listener-table", "netstat");
      assertThat(d.headline()).startsWith("Connect timed out: 127.0.0.1:" + port);
    } finally {
      for (Socket s : held) {
        s.close();
      }
    }
  }
}
