package dev.refusal.jdkhttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.refusal.DiagnosedConnectException;
import dev.refusal.testing.LabHost;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A service bound to loopback only, dialled at the client host's own interface address: a lab
 * host (a network namespace with a veth address) gives the client such an address, so the
 * scenario runs in a child JVM inside it ({@link LabScenario}), with WireMock as the service.
 */
@DisplayName("A WireMock bound to loopback only, dialled at this host's interface address"
    + " (lab host)")
class LoopbackOnlyBindLabTest {

  private static LabHost host;

  @BeforeAll
  static void makeHost() {
    Optional<String> why = LabHost.unavailableReason();
    assumeTrue(why.isEmpty(), () -> "skipped: " + why.orElse(""));
    host = LabHost.create();
  }

  @AfterAll
  static void removeHost() {
    if (host != null) {
      host.close();
      assertThat(LabHost.leftovers()).isEmpty();
    }
  }

  private static JsonNode scenario(String listenOn, String dial) throws Exception {
    LabHost.Result r = host.java(LabScenario.class, 60, listenOn, dial);
    assertThat(r.exit).as(r.toString()).isZero();
    return new ObjectMapper().readTree(r.jsonLine());
  }

  @Test
  @DisplayName("send fails at once with LOOPBACK_ONLY_BIND, naming the address and the bind to"
      + " fix")
  void loopbackOnlyBind() throws Exception {
    String address = host.v4().getHostAddress();

    JsonNode d = scenario("127.0.0.1", address);

    int port = d.get("port").asInt();
    assertThat(d.get("type").asText()).isEqualTo(DiagnosedConnectException.class.getName());
    assertThat(d.get("cause").asText()).isEqualTo("LOOPBACK_ONLY_BIND");
    assertThat(d.get("confidence").asText()).isEqualTo("HIGH");
    assertThat(d.get("message").asText())
        .startsWith("Connection refused: " + address + ":" + port + " (" + address + ") — ")
        .contains("a process listens on 127.0.0.1:" + port + " only")
        .contains(address + " is not loopback (this host's lab0 address)")
        .contains("Bind the service to 0.0.0.0 or " + address);
    // A misconfiguration: retrying the same address cannot help, so the guard does not.
    assertThat(d.get("attempts").asInt()).isEqualTo(1);
  }
}
