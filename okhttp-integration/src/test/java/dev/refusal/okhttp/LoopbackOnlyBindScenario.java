package dev.refusal.okhttp;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.refusal.DiagnosedConnectException;
import dev.refusal.Diagnosis;
import dev.refusal.RefusalGuard;
import dev.refusal.testing.Loopback;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.OkHttpClient;
import okhttp3.Response;

/**
 * Runs in a child JVM inside a lab host: a MockWebServer listens on 127.0.0.1 only, and an
 * installed OkHttp client calls it at the host's interface address. Prints one JSON line.
 *
 * <p>Argument: the interface address to dial.
 */
public final class LoopbackOnlyBindScenario {

  private LoopbackOnlyBindScenario() {}

  public static void main(String[] args) throws Exception {
    String dial = args[0];
    Map<String, Object> out = new LinkedHashMap<>();
    GuardEvents events = new GuardEvents();
    RefusalGuard guard = RefusalGuard.builder().listener(events).maxAttempts(5)
        .backoff(Duration.ofMillis(10), 1.0, Duration.ofMillis(10)).build();
    try (MockWebServer server = new MockWebServer(); Clients clients = new Clients()) {
      server.enqueue(new MockResponse.Builder().body("loopback only").build());
      server.start(Loopback.V4, 0);
      OkHttpClient client = clients.build(RefusalOkHttp.install(Clients.builder(), guard));
      String url = "http://" + (dial.contains(":") ? "[" + dial + "]" : dial) + ":"
          + server.getPort() + "/";
      out.put("port", server.getPort());
      try (Response response = client.newCall(Clients.get(url)).execute()) {
        out.put("answered", response.code());
      } catch (IOException e) {
        out.put("thrown", e.getClass().getName());
        out.put("message", e.getMessage());
        if (e instanceof DiagnosedConnectException) {
          Diagnosis d = ((DiagnosedConnectException) e).diagnosis();
          out.put("cause", d.cause().name());
          out.put("confidence", d.confidence().name());
          out.put("routes", d.evidence().get(0).toString());
        }
      }
      out.put("attempts", events.failedAttempts());
      out.put("requests", server.getRequestCount());
    }
    System.out.println(new ObjectMapper().writeValueAsString(out));
  }
}
