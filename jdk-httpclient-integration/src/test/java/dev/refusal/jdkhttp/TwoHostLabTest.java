package dev.refusal.jdkhttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.refusal.DiagnosedConnectException;
import dev.refusal.lab.LabServer;
import dev.refusal.testing.LabHost;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A wrapped JDK HttpClient on the client host of a two-host lab (10.77.N.2) calling a service
 * on the server host (10.77.N.3) that refuses: the service is down, or a firewall REJECT rule
 * answers with a reset. Each scenario runs in a child JVM inside the client host ({@link
 * TwoHostScenario}); every packet stays inside the lab's namespaces.
 */
@DisplayName("A wrapped JDK HttpClient (send) against a refusing server host (two-host lab)")
@Timeout(180)
class TwoHostLabTest {

  private static final int PORT = 18_080;
  private static final int CALLS = 8;

  @BeforeEach
  void requireLab() {
    Optional<String> why = LabHost.unavailableReason();
    assumeTrue(why.isEmpty(), () -> "skipped: " + why.orElse(""));
  }

  @AfterEach
  void noLabLeftBehind() {
    assertThat(LabHost.leftovers()).as("lab namespaces left behind").isEmpty();
  }

  private static JsonNode calls(LabHost lab) throws Exception {
    LabHost.Result r = lab.java(TwoHostScenario.class, 90, lab.serverV4().getHostAddress(),
        String.valueOf(PORT), String.valueOf(CALLS));
    assertThat(r.exit).as(r.toString()).isZero();
    return new ObjectMapper().readTree(r.jsonLine());
  }

  private static void requireIptables(LabHost lab) {
    LabHost.Result v = lab.execOnServer("iptables", "-S");
    assumeTrue(v.exit == 0, () -> "skipped: iptables is not usable here: " + v.err.trim());
  }

  /** The breaker, the attempts and what {@code send} throws, common to both scenarios. */
  private static void assertOpensAndRejects(JsonNode r, String server) {
    assertThat(r.get("calls").asInt()).isEqualTo(CALLS);
    assertThat(r.get("answered").asInt()).as(r.toString()).isZero();
    assertThat(r.get("state").asText()).as(r.toString()).isEqualTo("OPEN");
    // The first call makes its three attempts; the breaker then counts three failures and
    // opens.
    assertThat(r.get("attemptsPerCall").get(0).asInt()).as(r.toString()).isEqualTo(3);
    assertThat(r.get("attempts").asInt()).as(r.toString()).isBetween(3, 9);
    assertThat(r.get("rejected").asInt()).as(r.toString()).isGreaterThanOrEqualTo(CALLS - 3);
    for (int i = CALLS - 3; i < CALLS; i++) {
      assertThat(r.get("attemptsPerCall").get(i).asInt()).as("call %d attempts", i).isZero();
    }
    assertThat(r.get("firstException").asText())
        .isEqualTo(DiagnosedConnectException.class.getName());
    assertThat(r.get("firstCause").asText()).isEqualTo("NO_LISTENER");
    assertThat(r.get("firstConfidence").asText()).isEqualTo("MEDIUM");
    assertThat(r.get("firstMessage").asText())
        .startsWith("Connection refused: " + server + ":" + PORT);
    assertThat(r.get("lastException").asText())
        .isEqualTo(DiagnosedConnectException.class.getName());
    assertThat(r.get("lastCause").asText()).isEqualTo("NO_LISTENER");
    assertThat(r.get("lastConfidence").asText()).isEqualTo("MEDIUM");
    assertThat(r.get("lastMessage").asText())
        .startsWith("Circuit OPEN for " + server + ":" + PORT + ", not dialled. Last failure:"
            + " Connection refused")
        .contains("NO_LISTENER (MEDIUM)");
  }

  @Test
  @DisplayName("service down on the server host: three attempts on the first call, the breaker"
      + " opens, later calls fail without dialling with NO_LISTENER, MEDIUM and the ss command"
      + " to run on the server")
  void serviceDown() throws Exception {
    try (LabHost lab = LabHost.create()) {
      String server = lab.serverV4().getHostAddress();

      JsonNode r = calls(lab);

      assertOpensAndRejects(r, server);
      assertThat(r.get("firstMessage").asText()).contains("ss -ltnp 'sport = :" + PORT + "'");
      assertThat(r.get("lastMessage").asText()).contains("ss -ltnp 'sport = :" + PORT + "'");
    }
  }

  @Test
  @DisplayName("REJECT with tcp-reset on the server host, a listener present: the same breaker"
      + " and rejections, and the message says to look for a REJECT rule")
  void rejectRule() throws Exception {
    try (LabHost lab = LabHost.create()) {
      requireIptables(lab);
      String server = lab.serverV4().getHostAddress();
      try (LabHost.Background listener = lab.startOnServer(LabServer.class, "listen", "0.0.0.0",
          String.valueOf(PORT))) {
        assertThat(lab.execOnServer("iptables", "-A", "INPUT", "-p", "tcp", "--dport",
            String.valueOf(PORT), "-j", "REJECT", "--reject-with", "tcp-reset").exit).isZero();

        JsonNode r = calls(lab);

        assertOpensAndRejects(r, server);
        assertThat(r.get("firstMessage").asText()).contains("look for a REJECT rule");
        assertThat(r.get("lastMessage").asText()).contains("look for a REJECT rule");
        // Each guard attempt is one send, and JDK 17 to 25 retry a refused connect once by
        // themselves (see RefusalHttpClient), so the rule sees up to two SYNs per attempt, plus
        // the diagnoser's re-probe of the port (seen: 7, now and then 8, for 3 attempts), and
        // the guard's recovery probes (bare connects, at most one per 100 ms while rejected
        // calls arrive, plus the background one). The bound does not grow with the calls
        // rejected while the breaker was open.
        long attempts = r.get("attempts").asLong();
        assertThat(rejectedSyns(lab)).as(r.toString()).isBetween(attempts + 1, 2 * attempts + 5);
      }
    }
  }

  /** Packets the REJECT rule on the server host matched. */
  private static long rejectedSyns(LabHost lab) {
    LabHost.Result list = lab.execOnServer("iptables", "-L", "INPUT", "-v", "-x", "-n");
    assertThat(list.exit).as(list.toString()).isZero();
    for (String line : list.out.split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length > 2 && f[2].equals("REJECT")) {
        return Long.parseLong(f[0]);
      }
    }
    throw new AssertionError("no REJECT rule in\n" + list.out);
  }
}
