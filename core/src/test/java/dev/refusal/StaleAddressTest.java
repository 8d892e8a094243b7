package dev.refusal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.refusal.testing.FakeSystemView;
import dev.refusal.testing.Loopback;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("An address that DNS no longer hands out is STALE_ADDRESS")
class StaleAddressTest {

  @Test
  @DisplayName("the client dialled 127.0.0.1, a fresh answer says 127.0.0.2, which accepts")
  void freshAnswerMoved() throws Exception {
    // Injected resolver: a moving DNS answer needs a DNS server (the lab's job); the refusal and
    // the accepting address are real sockets.
    InetAddress stale = InetAddress.getByName("127.0.0.1");
    InetAddress live = InetAddress.getByName("127.0.0.2");
    try (ServerSocket server = Loopback.listen(live, 0, 50)) {
      int port = server.getLocalPort();
      HostResolver resolver = new HostResolver() {
        @Override
        public List<InetAddress> lookup(String host) {
          return List.of(stale);
        }

        @Override
        public List<InetAddress> lookupFresh(String host) {
          return List.of(live);
        }
      };
      Diagnoser diagnoser = Diagnoser.builder().budget(Duration.ofSeconds(10)).resolver(resolver)
          .system(FakeSystemView.noContainer()).build();

      Diagnosis d = diagnoser.diagnose(
          Endpoint.of("orders.internal", port).withAddress(new InetSocketAddress(stale, port)),
          Loopback.refused(stale, port));

      assertThat(d.cause()).isEqualTo(RefusalCause.STALE_ADDRESS);
      assertThat(d.confidence()).isEqualTo(Confidence.HIGH);
      assertThat(d.summary()).contains("no longer resolves to 127.0.0.1")
          .contains("127.0.0.2:" + port + " accepts");
      assertThat(d.remedy()).contains("networkaddress.cache.ttl");
    }
  }
}
