package dev.refusal.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The JDK HttpClient quick start")
final class JdkHttpClientQuickStartTest {

  private static final Path SOURCE =
      Path.of("src/main/java/dev/refusal/examples/JdkHttpClientQuickStart.java");
  private static final Path README = Path.of("../README.md");

  /** What a run of the example's main, in its own JVM, printed. */
  private record Run(int exitCode, String out, String err) {}

  private static Run run(String url) throws Exception {
    Path out = Files.createTempFile("quick-start", ".out");
    Path err = Files.createTempFile("quick-start", ".err");
    try {
      List<String> command = new ArrayList<>(List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString()));
      String hosts = System.getProperty("jdk.net.hosts.file");
      if (hosts != null) {
        command.add("-Djdk.net.hosts.file=" + hosts);
      }
      command.addAll(List.of("-cp", System.getProperty("java.class.path"),
          JdkHttpClientQuickStart.class.getName(), url));
      Process p = new ProcessBuilder(command)
          .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("the quick start still ran after 60 s");
      }
      return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  /** Lines between the markers (source) or in the README's block, without indentation. */
  private static List<String> snippet(List<String> lines, String begin, String end) {
    List<String> found = new ArrayList<>();
    boolean inside = false;
    for (String line : lines) {
      if (inside && line.strip().equals(end)) {
        return found;
      }
      if (inside) {
        found.add(line.strip());
      }
      if (line.strip().equals(begin)) {
        inside = true;
      }
    }
    throw new AssertionError("no snippet between '" + begin + "' and '" + end + "'");
  }

  @Test
  @DisplayName("the README's snippet is this example's code, line for line")
  void readmeMatchesTheExample() throws IOException {
    List<String> source = snippet(Files.readAllLines(SOURCE), "// README quick start: begin",
        "// README quick start: end");
    List<String> readme = Files.readAllLines(README);
    int heading = readme.indexOf("## Quick start: the JDK HttpClient");
    assertThat(heading).as("README heading").isNotNegative();
    List<String> block = snippet(readme.subList(heading, readme.size()), "```java", "```");

    assertThat(block).isEqualTo(source);
  }

  @Test
  @DisplayName("against a loopback server, the POST goes through once and the response is"
      + " printed")
  void postsTheOrder() throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    List<String> bodies = new CopyOnWriteArrayList<>();
    server.createContext("/orders", exchange -> {
      bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      byte[] answer = "created".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(201, answer.length);
      exchange.getResponseBody().write(answer);
      exchange.close();
    });
    server.start();
    try {
      Run run = run("http://127.0.0.1:" + server.getAddress().getPort() + "/orders");

      assertThat(run.exitCode()).as(run.err()).isZero();
      assertThat(run.out()).isEqualTo("201 created" + System.lineSeparator());
      assertThat(bodies).containsExactly("{\"item\": 42}");
    } finally {
      server.stop(0);
    }
  }

  @Test
  @DisplayName("with nothing listening, it prints the diagnosis instead of a bare"
      + " ConnectException")
  void printsTheDiagnosis() throws Exception {
    int port = Loopback.closedPort();

    Run run = run("http://127.0.0.1:" + port + "/orders");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).isEmpty();
    assertThat(run.err()).contains("Connection refused: 127.0.0.1:" + port
        + " (127.0.0.1) — NO_LISTENER");
  }
}
