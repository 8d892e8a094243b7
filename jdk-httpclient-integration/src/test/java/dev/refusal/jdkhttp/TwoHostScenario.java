package dev.refusal.jdkhttp;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.refusal.DiagnosedConnectException;
import dev.refusal.Diagnoser;
import dev.refusal.Diagnosis;
import dev.refusal.Endpoint;
import dev.refusal.RefusalGuard;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs in a child JVM inside the client host of a two-host lab: makes CALLS GETs to
 * {@code http://ADDRESS:PORT/} with {@code send} on a wrapped JDK client whose guard opens its
 * breaker after 3 failures and makes at most 3 attempts per call, and prints one JSON line: the
 * calls, the guard's attempts (its {@code attemptFailed} events: the JDK client has no event
 * listener of its own), the calls rejected without an attempt, the breaker's final state, and
 * the first and last exceptions {@code send} threw.
 *
 * <p>Arguments: ADDRESS PORT CALLS.
 */
public final class TwoHostScenario {

  private TwoHostScenario() {}

  public static void main(String[] args) throws Exception {
    String address = args[0];
    int port = Integer.parseInt(args[1]);
    int calls = Integer.parseInt(args[2]);
    RecordingListener listener = new RecordingListener();
    RefusalGuard guard = RefusalGuard.builder().diagnoser(Diagnoser.builder().build())
        .listener(listener).failureThreshold(3).maxAttempts(3)
        .backoff(Duration.ofMillis(20), 1.6, Duration.ofMillis(100)).build();
    HttpClient client = RefusalHttpClient.wrap(
        HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build(), guard);
    Map<String, Object> out = new LinkedHashMap<>();
    List<Long> attemptsPerCall = new ArrayList<>();
    int rejected = 0;
    int answered = 0;
    Exception first = null;
    Exception last = null;
    try {
      for (int i = 0; i < calls; i++) {
        long before = listener.failedAttempts();
        try {
          client.send(Fixtures.get(address, port), HttpResponse.BodyHandlers.discarding());
          answered++;
        } catch (IOException e) {
          if (first == null) {
            first = e;
          }
          last = e;
        }
        long made = listener.failedAttempts() - before;
        attemptsPerCall.add(made);
        if (made == 0) {
          rejected++;
        }
      }
    } finally {
      Fixtures.closeIfPossible(client);
    }
    out.put("calls", calls);
    out.put("answered", answered);
    out.put("attempts", listener.failedAttempts());
    out.put("attemptsPerCall", attemptsPerCall);
    out.put("rejected", rejected);
    out.put("state", guard.circuitState(Endpoint.of(address, port)).name());
    describe(out, "first", first);
    describe(out, "last", last);
    out.put("events", listener.events());
    System.out.println(new ObjectMapper().writeValueAsString(out));
    System.exit(0);
  }

  private static void describe(Map<String, Object> out, String which, Exception e) {
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
