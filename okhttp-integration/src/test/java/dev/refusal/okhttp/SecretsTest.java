package dev.refusal.okhttp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.refusal.DiagnosedConnectException;
import dev.refusal.RefusalGuard;
import dev.refusal.testing.Loopback;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Secrets in a request's URL never reach an exception message, a diagnosis or a log line (the
 * test logger writes to standard error, which is captured here) through an installed client.
 */
@DisplayName("Secrets in an OkHttp request's URL never leak")
class SecretsTest {

  private static final String SECRET = "s3cr3t-91ab";

  @Test
  @DisplayName("user-info, query and fragment secrets: failed, retried and rejected calls")
  void noSecretAnywhere() throws Exception {
    int port = Loopback.closedPort(Loopback.V4);
    String url = "http://alice:" + SECRET + "@127.0.0.1:" + port + "/orders?token=" + SECRET
        + "#" + SECRET;
    RefusalGuard guard = RefusalGuard.builder().failureThreshold(2).maxAttempts(2)
        .backoff(Duration.ZERO, 1.0, Duration.ZERO).warnInterval(Duration.ZERO).build();
    OkHttpClient client = RefusalOkHttp.install(new OkHttpClient.Builder(), guard).build();
    List<String> texts = new ArrayList<>();
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      for (int i = 0; i < 4; i++) {
        try (Response r = client.newCall(new Request.Builder().url(url)
            .header("Authorization", "Bearer " + SECRET).build()).execute()) {
          texts.add("answered " + r.code());
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
      client.dispatcher().executorService().shutdown();
    }
    texts.add(captured.toString(StandardCharsets.UTF_8));

    assertThat(texts).anySatisfy(t -> assertThat(t).contains("NO_LISTENER"));
    assertThat(texts).allSatisfy(t -> assertThat(t).doesNotContain(SECRET)
        .doesNotContain("alice"));
  }
}
