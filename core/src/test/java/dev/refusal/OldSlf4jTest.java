package dev.refusal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.refusal.testing.ChildJvm;
import dev.refusal.testing.Loopback;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * An application whose build resolved {@code slf4j-api} 1.7 (Maven picks resilience4j's 1.7.30
 * over Refusal's 2.x when resilience4j is the nearer declaration). The class path must be real,
 * so the guard runs in a child JVM on the test's class path with SLF4J 2 and Logback swapped for
 * {@code slf4j-api} and {@code slf4j-simple} 1.7.36 (copied to {@code target/slf4j-1.7} by the
 * build).
 */
@DisplayName("an application on slf4j-api 1.7")
class OldSlf4jTest {

  private static final Path OLD_SLF4J = Path.of("target", "slf4j-1.7");

  /** The test's class path without SLF4J 2 and Logback, with the 1.7 jars in their place. */
  private static String classPathWithOldSlf4j() throws IOException {
    List<String> entries = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      String name = Path.of(entry).getFileName().toString();
      if (!name.startsWith("slf4j-") && !name.startsWith("logback-")) {
        entries.add(entry);
      }
    }
    try (Stream<Path> jars = Files.list(OLD_SLF4J)) {
      jars.filter(p -> p.toString().endsWith(".jar")).forEach(p -> entries.add(p.toString()));
    }
    return String.join(File.pathSeparator, entries);
  }

  @Test
  @DisplayName("a misconfiguration diagnosis throws the diagnosed refusal, not NoSuchMethodError,"
      + " and its WARN is written with the key-values in the message")
  void misconfigurationWarnsOnOldSlf4j() throws Exception {
    assumeTrue(Loopback.ipv6Available(), "this machine cannot bind ::1");
    assertThat(OLD_SLF4J).as("the build copies the SLF4J 1.7 jars here").isDirectory();

    ChildJvm.Result r = ChildJvm.main(OldSlf4jChild.class).classPath(classPathWithOldSlf4j())
        .timeout(Duration.ofSeconds(60)).run();

    assertThat(r.stdout()).as("stderr: %s", r.stderr())
        .containsExactly("slf4j-api-1.7.36.jar", DiagnosedConnectException.class.getName());
    assertThat(r.stderr()).as("the WARN line").anySatisfy(line -> assertThat(line)
        .contains("WARN dev.refusal.RefusalGuard")
        .contains("ADDRESS_FAMILY_MISMATCH")
        .contains("endpoint=127.0.0.1:")
        .contains("cause=ADDRESS_FAMILY_MISMATCH"));
  }
}
