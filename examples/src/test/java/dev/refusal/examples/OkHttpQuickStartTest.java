package dev.refusal.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayName("The README's OkHttp quick start")
@Timeout(30)
class OkHttpQuickStartTest {

  /** Runs the quick start's main method and returns what it printed. */
  private static String run(String url) throws Exception {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    PrintStream saved = System.out;
    System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
    try {
      OkHttpQuickStart.main(new String[] {url});
    } finally {
      System.setOut(saved);
    }
    return printed.toString(StandardCharsets.UTF_8);
  }

  @Test
  @DisplayName("prints the answer of a loopback server that is up")
  void serverUp() throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress(Loopback.V4, 0), 10);
    server.createContext("/orders/42", exchange -> {
      byte[] body = "order 42".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
    try {
      String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/orders/42";

      assertThat(run(url)).isEqualTo("200 order 42" + System.lineSeparator());
    } finally {
      server.stop(0);
    }
  }

  @Test
  @DisplayName("prints the diagnosis and the remedy when nothing listens")
  void serverDown() throws Exception {
    int port = Loopback.closedPort();

    String printed = run("http://127.0.0.1:" + port + "/orders/42");

    assertThat(printed).startsWith("Connection refused: 127.0.0.1:" + port + " (127.0.0.1) — "
        + "NO_LISTENER (HIGH): nothing listens on port " + port + " on this host")
        .contains("Start the service")
        .endsWith("NO_LISTENER, transient: true" + System.lineSeparator());
  }
}
