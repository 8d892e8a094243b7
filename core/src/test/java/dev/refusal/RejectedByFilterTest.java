package dev.refusal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.refusal.testing.FakeSystemView;
import dev.refusal.testing.Loopback;
import java.util.Locale;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A refusal while a listener with room covers the address is REJECTED_BY_FILTER")
class RejectedByFilterTest {

  @Test
  @DisplayName("injected table: LISTEN on 0.0.0.0:port with an empty queue, yet refused")
  void listenerPresentYetRefused() {
    // Injected listener table: a REJECT rule needs iptables in a lab host (see the lab tests);
    // here the refusal is real and the table claims a wildcard listener.
    int port = Loopback.closedPort(Loopback.V4);
    String tcp = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt"
        + "   uid  timeout inode\n"
        + String.format(Locale.ROOT, "   0: 00000000:%04X 00000000:0000 0A 00000000:00000000"
            + " 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0\n",
            port);
    FakeSystemView system = FakeSystemView.noContainer()
        .file("/proc/net/tcp", tcp)
        .file("/proc/net/tcp6", "  sl  local_address remote_address st\n");

    Diagnosis d = Diagnoser.builder().system(system).build()
        .diagnose(Endpoint.of("127.0.0.1", port), Loopback.refused(Loopback.V4, port));

    assertThat(d.cause()).isEqualTo(RefusalCause.REJECTED_BY_FILTER);
    assertThat(d.confidence()).isEqualTo(Confidence.MEDIUM);
    assertThat(d.summary()).contains("0.0.0.0:" + port);
    assertThat(d.remedy()).contains("iptables");
  }
}
