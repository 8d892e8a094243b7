package dev.refusal.okhttp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.refusal.testing.ChildJvm;
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
 * An application whose build resolved OkHttp 4 (another dependency brought it). The class path
 * must be real, so the integration is installed in a child JVM on the test's class path with
 * OkHttp 5 swapped for OkHttp 4.12.0 (copied to {@code target/okhttp-4} by the build).
 */
@DisplayName("an application on OkHttp 4")
class OkHttp4Test {

  private static final Path OKHTTP_4 = Path.of("target", "okhttp-4");

  private static String classPathWithOkHttp4() throws IOException {
    List<String> entries = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      String name = Path.of(entry).getFileName().toString();
      if (!name.startsWith("okhttp") && !name.startsWith("mockwebserver")) {
        entries.add(entry);
      }
    }
    try (Stream<Path> jars = Files.list(OKHTTP_4)) {
      jars.filter(p -> p.toString().endsWith(".jar")).forEach(p -> entries.add(p.toString()));
    }
    return String.join(File.pathSeparator, entries);
  }

  @Test
  @DisplayName("install fails with an IllegalStateException naming both versions, never a"
      + " NoSuchMethodError on the first call")
  void installNamesTheVersions() throws Exception {
    assertThat(OKHTTP_4).as("the build copies OkHttp 4 here").isDirectory();

    ChildJvm.Result r = ChildJvm.main(OkHttp4Child.class).classPath(classPathWithOkHttp4())
        .timeout(Duration.ofSeconds(60)).run();

    assertThat(r.stdout()).as("stderr: %s", r.stderr()).singleElement().satisfies(line ->
        assertThat(line).startsWith("java.lang.IllegalStateException: ")
            .contains("needs OkHttp 5.0.0 or later")
            .contains("found OkHttp 4.12.0"));
  }

  @Test
  @DisplayName("on OkHttp 5 it installs")
  void installsOnOkHttp5() {
    ChildJvm.Result r = ChildJvm.main(OkHttp4Child.class).timeout(Duration.ofSeconds(60)).run();

    assertThat(r.stdout()).as("stderr: %s", r.stderr()).containsExactly("installed");
  }
}
