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
  @DisplayName("demo refuses a connection on loopback and shows the JDK's words beside the"
      + " diagnosis")
  void demo() {
    CliRun run = CliRun.of("demo");

    assertThat(run.exitCode()).isEqualTo(0);
    assertThat(run.out()).contains("The JDK said:     java.net.ConnectException")
        .contains("FailureKind.of:   REFUSED").contains("Diagnoser said:   NO_LISTENER");
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
