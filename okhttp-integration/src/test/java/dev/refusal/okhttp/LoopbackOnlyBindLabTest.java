package dev.refusal.okhttp;

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
import org.junit.jupiter.api.Timeout;

/**
 * A service bound to loopback only, called at the host's interface address. The address is a
 * lab host's (a network namespace this test makes and removes), so no packet leaves the machine;
 * the scenario runs in a child JVM inside it.
 */
@DisplayName("A loopback-only service dialled at the host's interface address (lab host)")
@Timeout(120)
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

  @Test
  @DisplayName("fails after one attempt with LOOPBACK_ONLY_BIND and the remedy in the message")
  void oneAttemptAndTheRemedy() throws Exception {
    String address = host.v4().getHostAddress();

    LabHost.Result r = host.java(LoopbackOnlyBindScenario.class, 60, address);

    assertThat(r.exit).as(r.toString()).isZero();
    JsonNode out = new ObjectMapper().readTree(r.jsonLine());
    int port = out.get("port").asInt();
    assertThat(out.get("thrown").asText()).isEqualTo("dev.refusal.DiagnosedConnectException");
    assertThat(out.get("cause").asText()).isEqualTo("LOOPBACK_ONLY_BIND");
    assertThat(out.get("confidence").asText()).isEqualTo("HIGH");
    assertThat(out.get("attempts").asInt()).as("misconfiguration is not retried").isEqualTo(1);
    assertThat(out.get("requests").asInt()).isZero();
    assertThat(out.get("message").asText())
        .startsWith("Connection refused: " + address + ":" + port + " (" + address + ") — "
            + "LOOPBACK_ONLY_BIND (HIGH): a process listens on 127.0.0.1:" + port + " only")
        .contains("Bind the service to 0.0.0.0 or " + address);
    assertThat(out.get("routes").asText()).isEqualTo("okhttp-routes: attempt 1: OkHttp tried "
        + address + ":" + port + " (refused), directly");
  }
}
