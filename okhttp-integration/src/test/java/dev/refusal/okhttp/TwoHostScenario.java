package dev.refusal.okhttp;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.refusal.DiagnosedConnectException;
import dev.refusal.Diagnoser;
import dev.refusal.Diagnosis;
import dev.refusal.Endpoint;
import dev.refusal.RefusalGuard;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.Call;
import okhttp3.EventListener;
import okhttp3.OkHttpClient;
import okhttp3.Response;

/**
 * Runs in a child JVM inside the client host of a two-host lab: makes CALLS GETs to
 * {@code http://ADDRESS:PORT/} through an installed OkHttp client whose guard opens its breaker
 * after 3 failures and makes at most 3 attempts per call, and prints one JSON line: the calls,
 * the dials (OkHttp's {@code connectStart} events), the calls rejected without dialling, the
 * breaker's final state, and the first and last exceptions a user saw.
 *
 * <p>Arguments: ADDRESS PORT CALLS.
 */
public final class TwoHostScenario {

  private TwoHostScenario() {}

  public static void main(String[] args) throws Exception {
    String address = args[0];
    int port = Integer.parseInt(args[1]);
    int calls = Integer.parseInt(args[2]);
    // A diagnoser of its own: no diagnosis cached from elsewhere. (Core's LabClient leaves the
    // container markers out; that option is package-private, so this sees the real system.)
    Diagnoser diagnoser = Diagnoser.builder().build();
    GuardEvents events = new GuardEvents();
    RefusalGuard guard = RefusalGuard.builder().diagnoser(diagnoser).listener(events)
        .failureThreshold(3).maxAttempts(3)
        .backoff(Duration.ofMillis(20), 1.6, Duration.ofMillis(100)).build();
    AtomicInteger dials = new AtomicInteger();
    EventListener counter = new EventListener() {
      @Override
      public void connectStart(Call call, InetSocketAddress inetSocketAddress, Proxy proxy) {
        dials.incrementAndGet();
      }
    };
    Map<String, Object> out = new LinkedHashMap<>();
    List<Integer> dialsPerCall = new ArrayList<>();
    int rejected = 0;
    int answered = 0;
    IOException first = null;
    IOException last = null;
    try (Clients clients = new Clients()) {
      OkHttpClient client = clients.build(
          RefusalOkHttp.install(Clients.builder().eventListener(counter), guard));
      String url = "http://" + address + ":" + port + "/";
      for (int i = 0; i < calls; i++) {
        int before = dials.get();
        try (Response response = client.newCall(Clients.get(url)).execute()) {
          answered++;
        } catch (IOException e) {
          if (first == null) {
            first = e;
          }
          last = e;
        }
        int made = dials.get() - before;
        dialsPerCall.add(made);
        if (made == 0) {
          rejected++;
        }
      }
    }
    out.put("calls", calls);
    out.put("answered", answered);
    out.put("dials", dials.get());
    out.put("dialsPerCall", dialsPerCall);
    out.put("attemptsFailed", events.failedAttempts());
    out.put("rejected", rejected);
    out.put("state", guard.circuitState(Endpoint.of(address, port)).name());
    describe(out, "first", first);
    describe(out, "last", last);
    out.put("events", events.events());
    System.out.println(new ObjectMapper().writeValueAsString(out));
  }

  private static void describe(Map<String, Object> out, String which, IOException e) {
    if (e == null) {
      return;
    }
    out.put(which + "Exception", e.getClass().getName());
    out.put(which + "Message", e.getMessage());
    if (e instanceof DiagnosedConnectException) {
      Diagnosis d = ((DiagnosedConnectException) e).diagnosis();
      out.put(which + "Cause", d.cause().name());
      out.put(which + "Confidence", d.confidence().name());
      out.put(which + "HasCause", e.getCause() != null);
    }
  }
}
