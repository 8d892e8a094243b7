package dev.refusal.examples;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("refusal")
final class RefusalCliTest {

  @Test
  @DisplayName("--help lists the commands and exit codes, and exits 0")
  void help() {
    CliRun run = CliRun.of("--help");

    assertThat(run.exitCode()).isEqualTo(0);
    assertThat(run.out()).contains("doctor").contains("demo").contains("Exit codes:");
  }

  @Test
  @DisplayName("doctor --help shows the synopsis and exits 0")
  void doctorHelp() {
    CliRun run = CliRun.of("doctor", "--help");

    assertThat(run.exitCode()).isEqualTo(0);
    assertThat(run.out()).contains("refusal doctor [-hV] [--json] [--budget=DURATION] TARGET");
  }

  @Test
  @DisplayName("--version names the build's version and exits 0")
  void version() {
    CliRun run = CliRun.of("--version");

    assertThat(run.exitCode()).isEqualTo(0);
    assertThat(run.out()).startsWith("refusal ").doesNotContain("${").doesNotContain("unknown");
  }

  @Test
  @DisplayName("demo (interface scenario left out: it needs a lab host in tests) shows each"
      + " failure through the plain client and with Refusal, in under 30 s")
  void demo() {
    long start = System.nanoTime();
    CliRun run = CliRun.of("demo", "--skip", "2");

    assertThat(run.exitCode()).isEqualTo(0);
    assertThat((System.nanoTime() - start) / 1_000_000_000L).isLessThan(30);
    assertThat(run.out())
        .contains("plain OkHttp         java.net.ConnectException: Failed to connect to")
        .contains("guard                the defaults: 7 attempts per call")
        .contains("7 attempt(s), then NO_LISTENER (HIGH); all 7 attempts used")
        .contains("3 attempt(s), then NO_LISTENER (HIGH); failure 10 in a row opened the circuit")
        .contains("rejected at once: the circuit is OPEN, nothing was dialled")
        .contains("server received      1 POST body(ies)")
        .contains("with Refusal, 2nd    HTTP 200 from the fresh address")
        .contains("STALE_ADDRESS (HIGH confidence)")
        .contains("Summary: ")
        .contains("2: left out with --skip");
    if (dev.refusal.testing.Loopback.ipv6Available()) {
      assertThat(run.out()).contains("ADDRESS_FAMILY_MISMATCH (HIGH confidence)")
          .contains("4 scenarios shown, 1 skipped");
    }
  }

  @Test
  @DisplayName("hides an argument holding '@', '?' or '#' wherever a message repeats it")
  void hidesSecrets() {
    String[] args = {"doctor", "--opt=http://u:pw@h?q=1", "x"};

    String hidden = RefusalCli.hideSecrets(
        "Unknown option: '--opt=http://u:pw@h?q=1'; value 'http://u:pw@h?q=1'", args);

    assertThat(hidden).doesNotContain("pw").doesNotContain("q=1").contains("Unknown option");
  }
}
