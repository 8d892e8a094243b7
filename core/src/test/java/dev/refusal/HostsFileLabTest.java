package dev.refusal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.refusal.lab.LabDnsResponder;
import dev.refusal.testing.LabHost;
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
 * A name the hosts file pins while DNS answers something else, on a lab host: the client's
 * resolv.conf points at a DNS responder on the server host that answers 127.0.0.2, the hosts
 * file pins the name to 127.0.0.1, and nothing listens on 127.0.0.1. The JVM dials the pinned
 * address, so the refusal is a down service, never a stale address. Every packet stays inside
 * the lab.
 */
@DisplayName("A name pinned in the hosts file that DNS answers differently is not stale")
class HostsFileLabTest {

  private static final String NAME = "orders.example.internal";
  private static final int PORT = 18_081;
  private LabHost lab;
  private Path control;

  @BeforeEach
  void makeLab() throws Exception {
    Optional<String> why = LabHost.unavailableReason();
    assumeTrue(why.isEmpty(), () -> "skipped: " + why.orElse(""));
    lab = LabHost.create();
    control = Files.createTempFile("lab-dns", ".txt");
    Files.writeString(control, "127.0.0.2", StandardCharsets.US_ASCII);
    lab.useNameServer(lab.serverV4());
  }

  @AfterEach
  void removeLab() throws Exception {
    if (control != null) {
      Files.deleteIfExists(control);
    }
    if (lab != null) {
      lab.close();
      assertThat(LabHost.leftovers()).as("lab namespaces left behind").isEmpty();
    }
  }

  private JsonNode dialByName(List<String> jvmOptions) throws Exception {
    try (LabHost.Background dns = lab.startOnServer(LabDnsResponder.class,
        lab.serverV4().getHostAddress(), control.toString())) {
      LabHost.Result r = lab.java(LabClient.class, 60, false, jvmOptions, "dial", NAME,
          String.valueOf(PORT));
      assertThat(r.exit).as(r.toString()).isZero();
      return new ObjectMapper().readTree(r.jsonLine());
    }
  }

  @Test
  @DisplayName("/etc/hosts pins the name (as --add-host or hostAliases do): NO_LISTENER, with"
      + " the pin as evidence")
  void etcHostsPin() throws Exception {
    lab.useHostsFile("127.0.0.1 localhost\n127.0.0.1 " + NAME + " orders\n");

    JsonNode d = dialByName(List.of());

    assertThat(d.get("kind").asText()).as(d.toString()).isEqualTo("REFUSED");
    assertThat(d.get("cause").asText()).as(d.toString()).isEqualTo("NO_LISTENER");
    assertThat(d.get("diagnosis").asText())
        .contains("hosts-file: " + NAME + " is pinned to 127.0.0.1 in /etc/hosts")
        .doesNotContain("no longer resolves");
  }

  @Test
  @DisplayName("jdk.net.hosts.file pins the name: the JVM never asks DNS, so NO_LISTENER")
  void jdkHostsFilePin() throws Exception {
    Path hosts = Files.createTempFile("lab-hosts", ".txt");
    try {
      Files.writeString(hosts, "127.0.0.1 localhost\n127.0.0.1 " + NAME + "\n",
          StandardCharsets.US_ASCII);

      JsonNode d = dialByName(List.of("-Djdk.net.hosts.file=" + hosts));

      assertThat(d.get("kind").asText()).as(d.toString()).isEqualTo("REFUSED");
      assertThat(d.get("cause").asText()).as(d.toString()).isEqualTo("NO_LISTENER");
      assertThat(d.get("diagnosis").asText())
          .contains("hosts-file: " + NAME + " is pinned to 127.0.0.1 in " + hosts)
          .doesNotContain("no longer resolves");
    } finally {
      Files.deleteIfExists(hosts);
    }
  }
}
