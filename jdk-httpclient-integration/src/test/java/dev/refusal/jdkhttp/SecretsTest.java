package dev.refusal.jdkhttp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.refusal.DiagnosedConnectException;
import dev.refusal.RefusalGuard;
import dev.refusal.testing.Loopback;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Secrets in a request's query and headers never reach an exception message, a diagnosis or a
 * log line (the test logger writes to standard error, captured here) through a wrapped client.
 */
@DisplayName("Secrets in a JDK HttpClient request never leak")
class SecretsTest {

  private static final String SECRET = "s3cr3t-5d2e";

  @Test
  @DisplayName("query and header secrets: failed, retried and rejected sends")
  void noSecretAnywhere() throws Exception {
    int port = Loopback.closedPort(Loopback.V4);
    URI uri = URI.create("http://127.0.0.1:" + port + "/orders?token=" + SECRET);
    RefusalGuard guard = RefusalGuard.builder().failureThreshold(2).maxAttempts(2)
        .backoff(Duration.ZERO, 1.0, Duration.ZERO).warnInterval(Duration.ZERO).build();
    HttpClient client = RefusalHttpClient.wrap(HttpClient.newHttpClient(), guard);
    List<String> texts = new ArrayList<>();
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      for (int i = 0; i < 4; i++) {
        try {
          HttpResponse<Void> r = client.send(HttpRequest.newBuilder(uri)
              .header("Authorization", "Bearer " + SECRET).build(),
              HttpResponse.BodyHandlers.discarding());
          texts.add("answered " + r.statusCode());
        } catch (IOException e) {
          texts.add(e.toString());
          for (Throwable t = e; t != null; t = t.getCause()) {
            texts.add(String.valueOf(t.getMessage()));
          }
          if (e instanceof DiagnosedConnectException) {
            texts.add(((DiagnosedConnectException) e).diagnosis().toString());
          }
        }
      }
    } finally {
      System.setErr(err);
    }
    texts.add(captured.toString(StandardCharsets.UTF_8));

    assertThat(texts).anySatisfy(t -> assertThat(t).contains("NO_LISTENER"));
    assertThat(texts).allSatisfy(t -> assertThat(t).doesNotContain(SECRET));
  }
}
