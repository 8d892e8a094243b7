package dev.refusal.okhttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.refusal.lab.LabDnsResponder;
import dev.refusal.lab.LabServer;
import dev.refusal.testing.LabHost;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Scenario 7 of the lab with OkHttp: a real DNS responder on the server host whose answer moves
 * from a dead address to the live one while the client's JVM caches the old answer.
 */
@DisplayName("A moved DNS answer in the lab: RefusalDns recovers on the next call")
class StaleDnsLabTest {

  private static final int PORT = 18_080;

  @Test
  @DisplayName("call 1 is STALE_ADDRESS (HIGH); calls 2 and 3 resolve afresh and get HTTP 200")
  void movedAnswer() throws Exception {
    Optional<String> why = LabHost.unavailableReason();
    assumeTrue(why.isEmpty(), () -> "skipped: " + why.orElse(""));
    Path control = Files.createTempFile("lab-dns", ".txt");
    try (LabHost lab = LabHost.create()) {
      InetAddress old = lab.addServerAddress(5);
      Files.writeString(control, old.getHostAddress(), StandardCharsets.US_ASCII);
      lab.useNameServer(lab.serverV4());
      try (LabHost.Background dns = lab.startOnServer(LabDnsResponder.class,
              lab.serverV4().getHostAddress(), control.toString());
          LabHost.Background server = lab.startOnServer(LabServer.class, "http",
              lab.serverV4().getHostAddress(), String.valueOf(PORT))) {
        LabHost.Result r = lab.java(StaleDnsScenario.class, 60, false,
            List.of("-Dsun.net.inetaddr.ttl=600"), "orders.lab.internal",
            String.valueOf(PORT), control.toString(), lab.serverV4().getHostAddress());
        assertThat(r.exit).as(r.toString()).isZero();
        JsonNode d = new ObjectMapper().readTree(r.jsonLine());

        assertThat(d.get("cached").asText()).isEqualTo(old.getHostAddress());
        assertThat(d.get("call1").asText()).as(d.toString())
            .startsWith("STALE_ADDRESS (HIGH)")
            .contains("no longer resolves to " + old.getHostAddress());
        assertThat(d.get("call2").asText()).as(d.toString()).isEqualTo("HTTP 200");
        assertThat(d.get("call3").asText()).isEqualTo("HTTP 200");
      }
    } finally {
      Files.deleteIfExists(control);
    }
    assertThat(LabHost.leftovers()).isEmpty();
  }
}
