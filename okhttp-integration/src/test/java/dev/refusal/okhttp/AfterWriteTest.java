package dev.refusal.okhttp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.refusal.DiagnosedConnectException;
import dev.refusal.FailureKind;
import dev.refusal.RefusalGuard;
import dev.refusal.testing.Loopback;
import dev.refusal.testing.ThrowableShape;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.SocketEffect;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The server (MockWebServer) reads the whole request and then drops the connection without a
 * response: the request reached it, so replaying it is the caller's call to make.
 */
@DisplayName("A failure after the request was written")
@Timeout(30)
class AfterWriteTest {

  private final Clients clients = new Clients();
  private final GuardEvents events = new GuardEvents();
  private MockWebServer server;
  private OkHttpClient client;

  @BeforeEach
  void start() throws IOException {
    server = new MockWebServer();
    server.enqueue(new MockResponse.Builder()
        .onResponseStart(SocketEffect.ShutdownConnection.INSTANCE).build());
    server.enqueue(new MockResponse.Builder().body("second answer").build());
    server.start(Loopback.V4, 0);
    RefusalGuard guard = RefusalGuard.builder().listener(events).maxAttempts(3)
        .backoff(Duration.ofMillis(10), 1.0, Duration.ofMillis(10)).build();
    client = clients.build(RefusalOkHttp.install(Clients.builder(), guard));
  }

  @AfterEach
  void stop() {
    clients.close();
    server.close();
  }

  private String url() {
    return "http://127.0.0.1:" + server.getPort() + "/orders";
  }

  @Test
  @DisplayName("a POST is not retried: OkHttp's own exception, and the server saw it once")
  void postIsNotRetried() throws Exception {
    IOException failure = Clients.failure(client, Clients.post(url(), "pay 10 EUR"));

    assertThat(failure).isNotInstanceOf(DiagnosedConnectException.class);
    assertThat(FailureKind.of(failure)).as(ThrowableShape.of(failure)).isEqualTo(FailureKind.RESET);
    assertThat(server.getRequestCount()).isEqualTo(1);
    assertThat(server.takeRequest(1, TimeUnit.SECONDS).getBody().utf8()).isEqualTo("pay 10 EUR");
    assertThat(events.events()).containsExactly("attemptFailed 1 RESET");
  }

  @Test
  @DisplayName("a GET is not retried either unless tagged Idempotent")
  void getIsNotRetriedUntagged() {
    IOException failure = Clients.failure(client, Clients.get(url()));

    assertThat(FailureKind.of(failure)).isEqualTo(FailureKind.RESET);
    assertThat(server.getRequestCount()).isEqualTo(1);
    assertThat(events.events()).containsExactly("attemptFailed 1 RESET");
  }

  @Test
  @DisplayName("a GET tagged Idempotent is retried and gets the second answer")
  void idempotentGetIsRetried() throws Exception {
    Request request = new Request.Builder().url(url())
        .tag(Idempotent.class, Idempotent.INSTANCE).build();

    assertThat(Clients.body(client, request)).isEqualTo("second answer");
    assertThat(server.getRequestCount()).isEqualTo(2);
    assertThat(events.events()).containsExactly("attemptFailed 1 RESET", "retryScheduled 2");
  }

  @Test
  @DisplayName("a POST redirected (307) to a server that is down is not replayed: the first server"
      + " saw it once, and the diagnosis names the redirect's address")
  void redirectToADeadServer() throws Exception {
    int deadPort = Loopback.closedPort(Loopback.V4);
    try (MockWebServer first = new MockWebServer()) {
      first.enqueue(new MockResponse.Builder().code(307)
          .setHeader("Location", "http://127.0.0.1:" + deadPort + "/elsewhere").build());
      first.start(Loopback.V4, 0);

      IOException failure = Clients.failure(client,
          Clients.post("http://127.0.0.1:" + first.getPort() + "/orders", "pay 10 EUR"));

      dev.refusal.Diagnosis d = Clients.diagnosis(failure);
      assertThat(d.endpoint().port()).isEqualTo(deadPort);
      assertThat(d.endpoint().address()).contains(
          new java.net.InetSocketAddress(Loopback.V4, deadPort));
      assertThat(d.cause()).isEqualTo(dev.refusal.RefusalCause.NO_LISTENER);
      assertThat(first.getRequestCount()).isEqualTo(1);
      assertThat(events.failedAttempts()).isEqualTo(1);
    }
  }
}
