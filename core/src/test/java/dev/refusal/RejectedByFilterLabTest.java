package dev.refusal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.refusal.testing.LabHost;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A firewall REJECT with tcp-reset in front of a live listener (lab host)")
class RejectedByFilterLabTest {

  @Test
  @DisplayName("listener on 0.0.0.0, REJECT rules for its port: REJECTED_BY_FILTER")
  void rejectRule() throws Exception {
    Optional<String> why = LabHost.unavailableReason();
    assumeTrue(why.isEmpty(), () -> "skipped: " + why.orElse(""));
    try (LabHost host = LabHost.create()) {
      int port = 18_080;
      LabHost.Result v4 = host.exec("iptables", "-A", "INPUT", "-p", "tcp", "--dport",
          String.valueOf(port), "-j", "REJECT", "--reject-with", "tcp-reset");
      assumeTrue(v4.exit == 0, () -> "skipped: iptables is not usable here: " + v4.err.trim());
      LabHost.Result v6 = host.exec("ip6tables", "-A", "INPUT", "-p", "tcp", "--dport",
          String.valueOf(port), "-j", "REJECT", "--reject-with", "tcp-reset");
      assumeTrue(v6.exit == 0, () -> "skipped: ip6tables is not usable here: " + v6.err.trim());

      LabHost.Result r = host.java(LabScenario.class, 60, "0.0.0.0", "127.0.0.1",
          String.valueOf(port));
      assertThat(r.exit).as(r.toString()).isZero();
      JsonNode d = new ObjectMapper().readTree(r.jsonLine());

      assertThat(d.get("kind").asText()).isEqualTo("REFUSED");
      assertThat(d.get("cause").asText()).isEqualTo("REJECTED_BY_FILTER");
      assertThat(d.get("confidence").asText()).isEqualTo("MEDIUM");
      assertThat(d.get("headline").asText()).contains("REJECT rule on port " + port);
    }
    assertThat(LabHost.leftovers()).isEmpty();
  }
}
