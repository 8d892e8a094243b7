package dev.refusal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.refusal.testing.LabHost;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Bind-address mistakes need a non-loopback address on the client's own host; a lab host has one
 * (its veth address), so these scenarios run in a child JVM inside it.
 */
@DisplayName("Bind-address mistakes on the client's own host (lab host)")
class BindAddressLabTest {

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
  @DisplayName("service on 127.0.0.1, client dials the host's veth address: LOOPBACK_ONLY_BIND")
  void loopbackOnlyBind() throws Exception {
    String address = host.v4().getHostAddress();
    JsonNode d = scenario("127.0.0.1", address);

    assertThat(d.get("cause").asText()).isEqualTo("LOOPBACK_ONLY_BIND");
    assertThat(d.get("confidence").asText()).isEqualTo("HIGH");
    assertThat(d.get("headline").asText())
        .contains("a process listens on 127.0.0.1:" + d.get("port").asInt() + " only")
        .contains(address + " is not loopback (this host's lab0 address)")
        .contains("Bind the service to 0.0.0.0 or " + address);
  }

  @Test
  @DisplayName("service on ::1, client dials the host's IPv6 veth address: LOOPBACK_ONLY_BIND")
  void loopbackOnlyBindV6() throws Exception {
    JsonNode d = scenario("::1", host.v6().getHostAddress());

    assertThat(d.get("cause").asText()).isEqualTo("LOOPBACK_ONLY_BIND");
    assertThat(d.get("headline").asText()).contains("[::1]:" + d.get("port").asInt() + " only");
  }

  @Test
  @DisplayName("service on the veth address, client dials 127.0.0.1: WRONG_INTERFACE_BIND")
  void wrongInterfaceBind() throws Exception {
    String address = host.v4().getHostAddress();
    JsonNode d = scenario(address, "127.0.0.1");

    assertThat(d.get("cause").asText()).isEqualTo("WRONG_INTERFACE_BIND");
    assertThat(d.get("confidence").asText()).isEqualTo("HIGH");
    assertThat(d.get("headline").asText())
        .contains("a process listens on " + address + ":" + d.get("port").asInt() + " only");
  }

  @Test
  @DisplayName("service on the IPv6 veth address, client dials ::1: WRONG_INTERFACE_BIND")
  void wrongInterfaceBindV6() throws Exception {
    JsonNode d = scenario(host.v6().getHostAddress(), "::1");

    assertThat(d.get("cause").asText()).isEqualTo("WRONG_INTERFACE_BIND");
  }
}
