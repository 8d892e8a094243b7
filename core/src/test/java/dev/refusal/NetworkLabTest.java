package dev.refusal;

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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Scenarios loopback cannot show, each real, on two lab hosts joined by a veth link: the client
 * host (10.77.N.2) and the server host (10.77.N.3). Every packet stays inside the lab.
 */
@DisplayName("Network lab: a client host and a server host")
class NetworkLabTest {

  private static final int PORT = 18_080;
  private LabHost lab;

  @BeforeEach
  void makeLab() {
    Optional<String> why = LabHost.unavailableReason();
    assumeTrue(why.isEmpty(), () -> "skipped: " + why.orElse(""));
    lab = LabHost.create();
  }

  @AfterEach
  void removeLab() {
    if (lab != null) {
      lab.close();
      assertThat(LabHost.leftovers()).as("lab namespaces left behind").isEmpty();
    }
  }

  private JsonNode client(String... args) throws Exception {
    LabHost.Result r = lab.java(LabClient.class, 60, args);
    assertThat(r.exit).as(r.toString()).isZero();
    return new ObjectMapper().readTree(r.jsonLine());
  }

  private void requireIptables() {
    LabHost.Result v = lab.execOnServer("iptables", "-S");
    assumeTrue(v.exit == 0, () -> "skipped: iptables is not usable here: " + v.err.trim());
  }

  @Test
  @DisplayName("service down on the server host: NO_LISTENER, MEDIUM, with the command to run"
      + " on the server")
  void serviceDownOnServer() throws Exception {
    JsonNode d = client("dial", lab.serverV4().getHostAddress(), String.valueOf(PORT));

    assertThat(d.get("kind").asText()).isEqualTo("REFUSED");
    assertThat(d.get("cause").asText()).isEqualTo("NO_LISTENER");
    assertThat(d.get("confidence").asText()).isEqualTo("MEDIUM");
    assertThat(d.get("headline").asText()).contains("ss -ltnp 'sport = :" + PORT + "'");
    assertThat(d.get("diagnosis").asText())
        .contains("local-addresses: " + lab.serverV4().getHostAddress()
            + " is not an address of this host");
  }

  @Test
  @DisplayName("service bound to the server's loopback: the remote client says it cannot tell"
      + " this from a down service, and how to tell on the server")
  void loopbackBoundOnServer() throws Exception {
    try (LabHost.Background server = lab.startOnServer(LabServer.class, "listen", "127.0.0.1",
        String.valueOf(PORT))) {
      JsonNode d = client("dial", lab.serverV4().getHostAddress(), String.valueOf(PORT));

      assertThat(d.get("cause").asText()).isEqualTo("NO_LISTENER");
      assertThat(d.get("confidence").asText()).isEqualTo("MEDIUM");
      assertThat(d.get("headline").asText())
          .contains("cannot be told whether the service is down, bound to the server's loopback"
              + " only, or behind a firewall REJECT rule")
          .contains("A row on 127.0.0.1 or ::1: bind it to 0.0.0.0");
    }
  }

  @Test
  @DisplayName("firewall on the server: REJECT with tcp-reset is a refusal, and the client"
      + " cannot see the rule")
  void rejectWithReset() throws Exception {
    requireIptables();
    try (LabHost.Background server = lab.startOnServer(LabServer.class, "listen", "0.0.0.0",
        String.valueOf(PORT))) {
      assertThat(lab.execOnServer("iptables", "-A", "INPUT", "-p", "tcp", "--dport",
          String.valueOf(PORT), "-j", "REJECT", "--reject-with", "tcp-reset").exit).isZero();

      JsonNode d = client("dial", lab.serverV4().getHostAddress(), String.valueOf(PORT));

      assertThat(d.get("kind").asText()).isEqualTo("REFUSED");
      assertThat(d.get("cause").asText()).isEqualTo("NO_LISTENER");
      assertThat(d.get("confidence").asText()).isEqualTo("MEDIUM");
      assertThat(d.get("headline").asText()).contains("look for a REJECT rule");
    }
  }

  @Test
  @DisplayName("firewall on the server: REJECT with icmp-host-prohibited is no route to host")
  void rejectWithIcmp() throws Exception {
    requireIptables();
    assertThat(lab.execOnServer("iptables", "-A", "INPUT", "-p", "tcp", "--dport",
        String.valueOf(PORT), "-j", "REJECT", "--reject-with", "icmp-host-prohibited").exit)
        .isZero();

    JsonNode d = client("dial", lab.serverV4().getHostAddress(), String.valueOf(PORT));

    assertThat(d.get("kind").asText()).isEqualTo("NO_ROUTE_TO_HOST");
    assertThat(d.get("cause").asText()).isEqualTo("UNREACHABLE");
    assertThat(d.get("headline").asText()).contains("icmp-host-prohibited");
  }

  @Test
  @DisplayName("firewall on the server: DROP is a connect timeout, never a refusal")
  void drop() throws Exception {
    requireIptables();
    assertThat(lab.execOnServer("iptables", "-A", "INPUT", "-p", "tcp", "--dport",
        String.valueOf(PORT), "-j", "DROP").exit).isZero();

    JsonNode d = client("dial", lab.serverV4().getHostAddress(), String.valueOf(PORT), "500");

    assertThat(d.get("kind").asText()).isEqualTo("CONNECT_TIMEOUT");
    assertThat(d.get("cause").asText()).isEqualTo("CONNECT_TIMEOUT");
    assertThat(d.get("confidence").asText()).isEqualTo("LOW");
  }

  @Test
  @DisplayName("ephemeral ports narrowed to four and held open: LOCAL_PORT_EXHAUSTION, HIGH")
  void ephemeralPortExhaustion() throws Exception {
    assertThat(lab.exec("sysctl", "-q", "-w", "net.ipv4.ip_local_port_range=40000 40003").exit)
        .isZero();
    try (LabHost.Background server = lab.startOnServer(LabServer.class, "hold", "0.0.0.0",
        String.valueOf(PORT))) {
      JsonNode d = client("exhaust", lab.serverV4().getHostAddress(), String.valueOf(PORT),
          "32");

      assertThat(d.get("kind").asText()).isEqualTo("LOCAL_ADDRESS_UNAVAILABLE");
      assertThat(d.get("cause").asText()).isEqualTo("LOCAL_PORT_EXHAUSTION");
      assertThat(d.get("confidence").asText()).isEqualTo("HIGH");
      assertThat(d.get("diagnosis").asText())
          .contains("ip_local_port_range is 40000-40003 (4 ports)")
          .contains("TIME_WAIT");
    }
  }

  @Test
  @DisplayName("accept queue overflow with tcp_abort_on_overflow 0: ACCEPT_QUEUE_FULL")
  void acceptQueueOverflow() throws Exception {
    assertThat(lab.exec("sysctl", "-q", "-w", "net.ipv4.tcp_abort_on_overflow=0").exit).isZero();
    JsonNode d = client("queue");

    assertThat(d.get("kind").asText()).isEqualTo("CONNECT_TIMEOUT");
    assertThat(d.get("cause").asText()).isEqualTo("ACCEPT_QUEUE_FULL");
    assertThat(d.get("confidence").asText()).isEqualTo("HIGH");
  }

  @Test
  @DisplayName("accept queue overflow with tcp_abort_on_overflow 1: still dropped SYNs, so"
      + " still a timeout and ACCEPT_QUEUE_FULL")
  void acceptQueueOverflowWithAbort() throws Exception {
    assertThat(lab.exec("sysctl", "-q", "-w", "net.ipv4.tcp_abort_on_overflow=1").exit).isZero();
    JsonNode d = client("queue");

    assertThat(d.get("kind").asText()).isEqualTo("CONNECT_TIMEOUT");
    assertThat(d.get("cause").asText()).isEqualTo("ACCEPT_QUEUE_FULL");
  }

  @Test
  @DisplayName("a DNS answer that moved while the JVM cached the old one: STALE_ADDRESS, HIGH")
  void staleDns() throws Exception {
    InetAddress old = lab.addServerAddress(5);
    Path control = Files.createTempFile("lab-dns", ".txt");
    try {
      Files.writeString(control, old.getHostAddress(), StandardCharsets.US_ASCII);
      lab.useNameServer(lab.serverV4());
      try (LabHost.Background dns = lab.startOnServer(LabDnsResponder.class,
              lab.serverV4().getHostAddress(), control.toString());
          LabHost.Background server = lab.startOnServer(LabServer.class, "listen",
              lab.serverV4().getHostAddress(), String.valueOf(PORT))) {
        LabHost.Result r = lab.java(LabClient.class, 60, false,
            List.of("-Dsun.net.inetaddr.ttl=600"), "stale", "orders.lab.internal",
            String.valueOf(PORT), control.toString(), lab.serverV4().getHostAddress());
        assertThat(r.exit).as(r.toString()).isZero();
        JsonNode d = new ObjectMapper().readTree(r.jsonLine());

        assertThat(d.get("cause").asText()).as(d.toString()).isEqualTo("STALE_ADDRESS");
        assertThat(d.get("confidence").asText()).isEqualTo("HIGH");
        assertThat(d.get("headline").asText())
            .contains("no longer resolves to " + old.getHostAddress())
            .contains(lab.serverV4().getHostAddress() + ":" + PORT + " accepts");
      }
    } finally {
      Files.deleteIfExists(control);
    }
  }

  @Test
  @DisplayName("the guard against a server host whose service is down: three attempts per call,"
      + " the breaker opens, later calls are rejected without dialling")
  void guardAgainstServiceDown() throws Exception {
    JsonNode r = client("guard", lab.serverV4().getHostAddress(), String.valueOf(PORT), "10");

    assertThat(r.get("state").asText()).isEqualTo("OPEN");
    assertThat(r.get("dials").asInt()).as(r.toString()).isBetween(3, 9);
    assertThat(r.get("rejected").asInt()).isGreaterThanOrEqualTo(7);
    assertThat(r.get("exception").asText()).isEqualTo("dev.refusal.DiagnosedConnectException");
    assertThat(r.get("message").asText()).startsWith("Circuit OPEN for "
        + lab.serverV4().getHostAddress() + ":" + PORT + ", not dialled. Last failure:"
        + " Connection refused").contains("NO_LISTENER (MEDIUM)");
  }

  @Test
  @DisplayName("the guard against a REJECT rule on the server host: the same honest answer")
  void guardAgainstRejectRule() throws Exception {
    requireIptables();
    try (LabHost.Background server = lab.startOnServer(LabServer.class, "listen", "0.0.0.0",
        String.valueOf(PORT))) {
      assertThat(lab.execOnServer("iptables", "-A", "INPUT", "-p", "tcp", "--dport",
          String.valueOf(PORT), "-j", "REJECT", "--reject-with", "tcp-reset").exit).isZero();
      JsonNode r = client("guard", lab.serverV4().getHostAddress(), String.valueOf(PORT), "10");

      assertThat(r.get("state").asText()).isEqualTo("OPEN");
      assertThat(r.get("rejected").asInt()).isGreaterThanOrEqualTo(7);
      assertThat(r.get("message").asText()).contains("NO_LISTENER (MEDIUM)")
          .contains("look for a REJECT rule");
    }
  }
}
