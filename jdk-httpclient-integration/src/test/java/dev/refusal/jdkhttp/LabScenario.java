package dev.refusal.jdkhttp;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.refusal.DiagnosedConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Runs inside a lab host (a child JVM in its network namespace): starts WireMock on {@code
 * args[0]}, sends a GET through a wrapped JDK client to {@code args[1]} on the same port, and
 * prints one JSON line: the port, what was thrown, the diagnosis and the attempts made.
 */
public final class LabScenario {

  private LabScenario() {}

  public static void main(String[] args) throws Exception {
    String listenOn = args[0];
    String dial = args[1];
    WireMockServer server = Fixtures.wireMock(listenOn, 0);
    server.start();
    Map<String, Object> out = new LinkedHashMap<>();
    try {
      int port = server.port();
      out.put("port", port);
      RecordingListener listener = new RecordingListener();
      HttpClient client = RefusalHttpClient.wrap(
          HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build(),
          Fixtures.fastGuard(listener, 3));
      try {
        HttpResponse<Void> response =
            client.send(Fixtures.get(dial, port), HttpResponse.BodyHandlers.discarding());
        out.put("status", response.statusCode());
      } catch (DiagnosedConnectException e) {
        out.put("type", e.getClass().getName());
        out.put("cause", e.diagnosis().cause().name());
        out.put("confidence", e.diagnosis().confidence().name());
        out.put("message", e.getMessage());
      } catch (Exception e) {
        out.put("type", e.getClass().getName());
        out.put("message", String.valueOf(e.getMessage()));
      }
      out.put("attempts", listener.failedAttempts());
      out.put("events", listener.events());
    } finally {
      server.stop();
    }
    System.out.println(new ObjectMapper().writeValueAsString(out));
    System.exit(0);
  }
}
