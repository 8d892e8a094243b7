package dev.refusal.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.ServerSocket;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@DisplayName("refusal doctor")
final class DoctorCommandTest {

  private static final String USER = "alice";
  private static final String SECRET = "s3cr3t";
  private static final String TOKEN = "t0k3n";

  @Nested
  @DisplayName("when nothing listens on the port")
  final class NothingListens {

    @Test
    @DisplayName("exits 1 and diagnoses NO_LISTENER")
    void diagnosesNoListener() throws Exception {
      int port = Loopback.closedPort();

      CliRun run = CliRun.of("doctor", "--json", "127.0.0.1:" + port);

      assertThat(run.exitCode()).isEqualTo(1);
      JsonNode json = run.json();
      assertThat(json.get("endpoint").asText()).isEqualTo("127.0.0.1:" + port);
      assertThat(json.get("connected").asBoolean()).isFalse();
      assertThat(json.get("address").asText()).isEqualTo("127.0.0.1");
      assertThat(json.get("kind").asText()).isEqualTo("REFUSED");
      assertThat(json.get("cause").asText()).isEqualTo("NO_LISTENER");
      assertThat(json.get("transient").asBoolean()).isTrue();
      assertThat(run.err()).isEmpty();
    }

    @Test
    @DisplayName("prints every field the design names, evidence as {probe, observation}")
    void printsEveryField() {
      CliRun run = CliRun.of("doctor", "--json", "127.0.0.1:" + Loopback.closedPort());

      JsonNode json = run.json();
      assertThat(json.has("confidence")).isTrue();
      assertThat(json.get("summary").asText()).isNotBlank();
      assertThat(json.get("remedy").asText()).isNotBlank();
      assertThat(json.get("elapsedMillis").isNumber()).isTrue();
      assertThat(json.get("evidence").isArray()).isTrue();
      assertThat(json.get("evidence")).isNotEmpty().allSatisfy(e -> {
        assertThat(e.get("probe").asText()).isNotBlank();
        assertThat(e.get("observation").asText()).isNotBlank();
      });
    }

    @Test
    @DisplayName("prints what its own dial got from the JDK")
    void printsTheDial() {
      CliRun run = CliRun.of("doctor", "--json", "127.0.0.1:" + Loopback.closedPort());

      JsonNode dial = run.json().get("attempts").get(0);
      assertThat(dial.get("accepted").asBoolean()).isFalse();
      assertThat(dial.get("kind").asText()).isEqualTo("REFUSED");
      assertThat(dial.get("error").asText()).startsWith("java.net.ConnectException");
    }

    @Test
    @DisplayName("as text: the headline, aligned evidence, the remedy and the time taken")
    void printsText() {
      int port = Loopback.closedPort();

      CliRun run = CliRun.of("doctor", "127.0.0.1:" + port);

      assertThat(run.exitCode()).isEqualTo(1);
      String[] lines = run.out().split("\n");
      assertThat(lines[0]).startsWith("Connection refused: 127.0.0.1:" + port)
          .contains("NO_LISTENER");
      assertThat(lines[1]).matches("  dial {2,}127\\.0\\.0\\.1:" + port + " -> .*");
      assertThat(run.out()).contains("\n  local-addresses ").contains("\nremedy:  ")
          .contains("\nelapsed: diagnosed in ");
      int observationColumn = lines[1].indexOf("127.0.0.1");
      for (int i = 1; lines[i].startsWith("  "); i++) {
        assertThat(lines[i].charAt(observationColumn - 1)).as(lines[i]).isEqualTo(' ');
        assertThat(lines[i].charAt(observationColumn)).as(lines[i]).isNotEqualTo(' ');
      }
    }
  }

  @Nested
  @DisplayName("when a listener accepts")
  final class ListenerAccepts {

    @Test
    @DisplayName("exits 0 and says which address accepted")
    void connects() throws Exception {
      try (ServerSocket server = Loopback.listenOn(Loopback.V4)) {
        CliRun run = CliRun.of("doctor", "--json", "127.0.0.1:" + server.getLocalPort());

        assertThat(run.exitCode()).isEqualTo(0);
        JsonNode json = run.json();
        assertThat(json.get("connected").asBoolean()).isTrue();
        assertThat(json.get("address").asText()).isEqualTo("127.0.0.1");
        assertThat(json.get("cause").isNull()).isTrue();
        assertThat(json.get("kind").isNull()).isTrue();
        assertThat(json.get("evidence")).isEmpty();
        assertThat(json.get("elapsedMillis").isNumber()).isTrue();
      }
    }

    @Test
    @DisplayName("as text: one line saying it connected, and the dial")
    void printsText() throws Exception {
      try (ServerSocket server = Loopback.listenOn(Loopback.V4)) {
        CliRun run = CliRun.of("doctor", "127.0.0.1:" + server.getLocalPort());

        assertThat(run.exitCode()).isEqualTo(0);
        assertThat(run.out()).startsWith("Connected: 127.0.0.1:" + server.getLocalPort()
            + " accepted a connection at 127.0.0.1:" + server.getLocalPort());
        assertThat(run.out()).contains("  dial  127.0.0.1:" + server.getLocalPort()
            + " -> accepted after ");
      }
    }

    @Test
    @DisplayName("accepts a URL, an ISO-8601 budget and a budget over the diagnoser's 10 s cap")
    void acceptsUrlAndBudgets() throws Exception {
      try (ServerSocket server = Loopback.listenOn(Loopback.V4)) {
        String url = "http://127.0.0.1:" + server.getLocalPort() + "/health";

        assertThat(CliRun.of("doctor", "--budget", "PT0.5S", url).exitCode()).isEqualTo(0);
        assertThat(CliRun.of("doctor", "--budget=1m", url).exitCode()).isEqualTo(0);
      }
    }
  }

  @Nested
  @DisplayName("when the listener has the other address family")
  final class AddressFamily {

    @Test
    @DisplayName("an IPv6-only listener dialled at 127.0.0.1 is ADDRESS_FAMILY_MISMATCH")
    void ipv6ListenerDialledOverIpv4() throws Exception {
      Loopback.assumeIpv6Loopback();
      try (ServerSocket server = Loopback.listenOn(Loopback.V6)) {
        CliRun run = CliRun.of("doctor", "--json", "127.0.0.1:" + server.getLocalPort());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.json().get("cause").asText()).isEqualTo("ADDRESS_FAMILY_MISMATCH");
      }
    }

    @Test
    @DisplayName("an IPv4 listener dialled at [::1] is ADDRESS_FAMILY_MISMATCH")
    void ipv4ListenerDialledOverIpv6() throws Exception {
      Loopback.assumeIpv6Loopback();
      try (ServerSocket server = Loopback.listenOn(Loopback.V4)) {
        CliRun run = CliRun.of("doctor", "--json", "[::1]:" + server.getLocalPort());

        assertThat(run.exitCode()).isEqualTo(1);
        JsonNode json = run.json();
        assertThat(json.get("endpoint").asText()).isEqualTo("[::1]:" + server.getLocalPort());
        assertThat(json.get("address").asText()).isEqualTo("::1");
        assertThat(json.get("cause").asText()).isEqualTo("ADDRESS_FAMILY_MISMATCH");
      }
    }
  }

  @Test
  @DisplayName("a name that does not resolve is a diagnosed DNS_FAILURE, not bad input")
  void unresolvableNameIsDiagnosed() {
    // .invalid never resolves (RFC 6761), and the test JVM reads names from a hosts file only.
    CliRun run = CliRun.of("doctor", "--json", "no-such-service.invalid:8080");

    assertThat(run.exitCode()).isEqualTo(1);
    JsonNode json = run.json();
    assertThat(json.get("kind").asText()).isEqualTo("UNKNOWN_HOST");
    assertThat(json.get("cause").asText()).isEqualTo("DNS_FAILURE");
    assertThat(json.get("address").isNull()).isTrue();
    assertThat(json.get("attempts")).isEmpty();
  }

  @Nested
  @DisplayName("on bad input")
  final class BadInput {

    static Stream<Arguments> badInputs() {
      return Stream.of(
          Arguments.of("no target", new String[] {"doctor"}),
          Arguments.of("a target without a port", new String[] {"doctor", "127.0.0.1"}),
          Arguments.of("a port out of range", new String[] {"doctor", "127.0.0.1:99999"}),
          Arguments.of("an IPv6 literal without brackets", new String[] {"doctor", "::1:80"}),
          Arguments.of("an unclosed bracket", new String[] {"doctor", "[::1:80"}),
          Arguments.of("an unknown option", new String[] {"doctor", "--frobnicate", "a:1"}),
          Arguments.of("a second target", new String[] {"doctor", "127.0.0.1:1", "b:2"}),
          Arguments.of("a budget in parsecs", new String[] {"doctor", "--budget", "5parsecs",
              "127.0.0.1:1"}),
          Arguments.of("a zero budget", new String[] {"doctor", "--budget", "0ms", "a:1"}),
          Arguments.of("a budget over 10 minutes", new String[] {"doctor", "--budget=11m", "a:1"}),
          Arguments.of("a budget without a value", new String[] {"doctor", "a:1", "--budget"}),
          Arguments.of("an @file argument", new String[] {"doctor", "@/etc/passwd"}),
          Arguments.of("no command", new String[] {}),
          Arguments.of("an unknown command", new String[] {"cure", "127.0.0.1:1"}));
    }

    @ParameterizedTest(name = "{0}: exit 2, one line on stderr")
    @MethodSource("badInputs")
    @DisplayName("exits 2 with one line on stderr and no stack trace")
    void exitsTwoWithOneLine(String what, String[] args) {
      CliRun run = CliRun.of(args);

      assertThat(run.exitCode()).isEqualTo(2);
      assertThat(run.out()).isEmpty();
      assertThat(run.err()).endsWith("\n");
      assertThat(run.err().strip()).doesNotContain("\n").startsWith("refusal");
      assertThat(run.err()).doesNotContainPattern("\\bat [\\w.$]+\\(")
          .doesNotContain("Exception");
    }

    @Test
    @DisplayName("names the bad duration and the forms it accepts")
    void namesBadDuration() {
      CliRun run = CliRun.of("doctor", "--budget", "5parsecs", "127.0.0.1:1");

      assertThat(run.err()).contains("'5parsecs'").contains("500ms").contains("PT0.5S");
    }
  }

  @Nested
  @DisplayName("never prints URL user-info or query")
  final class Secrets {

    private final String secretUrlFormat =
        "http://" + USER + ":" + SECRET + "@127.0.0.1:%d/path?token=" + TOKEN + "#" + TOKEN;

    @Test
    @DisplayName("when the target refuses, in text and in JSON")
    void whenRefused() {
      String url = String.format(secretUrlFormat, Loopback.closedPort());

      assertNoSecret(CliRun.of("doctor", url), 1);
      assertNoSecret(CliRun.of("doctor", "--json", url), 1);
    }

    @Test
    @DisplayName("when the target accepts")
    void whenConnected() throws Exception {
      try (ServerSocket server = Loopback.listenOn(Loopback.V4)) {
        String url = String.format(secretUrlFormat, server.getLocalPort());

        assertNoSecret(CliRun.of("doctor", url), 0);
        assertNoSecret(CliRun.of("doctor", "--json", url), 0);
      }
    }

    @Test
    @DisplayName("in the error for a bad URL, a stray argument or a bad option value")
    void inErrors() {
      String badPort = String.format(secretUrlFormat, 99_999);
      String good = String.format(secretUrlFormat, 1);
      String hostPort = USER + ":" + SECRET + "@127.0.0.1:1";
      String query = "127.0.0.1:1?token=" + TOKEN;

      assertNoSecret(CliRun.of("doctor", badPort), 2);
      assertNoSecret(CliRun.of("doctor", hostPort), 2);
      assertNoSecret(CliRun.of("doctor", query), 2);
      assertNoSecret(CliRun.of("doctor", "127.0.0.1:1", good), 2);
      assertNoSecret(CliRun.of("doctor", "--budget", good, "127.0.0.1:1"), 2);
      assertNoSecret(CliRun.of("doctor", "--budget=" + good, "127.0.0.1:1"), 2);
      assertNoSecret(CliRun.of("doctor", "--token=" + good, "127.0.0.1:1"), 2);
      assertNoSecret(CliRun.of(good), 2);
    }

    private void assertNoSecret(CliRun run, int exitCode) {
      assertThat(run.exitCode()).as(run.all()).isEqualTo(exitCode);
      assertThat(run.all()).doesNotContain(SECRET).doesNotContain(TOKEN).doesNotContain(USER)
          .doesNotContain("/path");
    }
  }
}
