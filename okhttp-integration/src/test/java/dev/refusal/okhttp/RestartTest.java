package dev.refusal.okhttp;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.refusal.RefusalGuard;
import dev.refusal.testing.Loopback;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.OkHttpClient;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayName("A server that is restarting")
@Timeout(30)
class RestartTest {

  private final Clients clients = new Clients();

  @AfterEach
  void closeClients() {
    clients.close();
  }

  private static RefusalGuard patientGuard(GuardEvents events) {
    return RefusalGuard.builder().listener(events).maxAttempts(30).failureThreshold(100)
        .backoff(Duration.ofMillis(50), 1.6, Duration.ofMillis(200)).build();
  }

  @Test
  @DisplayName("a POST succeeds after retries, and the server (WireMock) records its body once")
  void postSucceedsAfterRetries() throws Exception {
    int port = Loopback.closedPort(Loopback.V4);
    WireMockServer server = new WireMockServer(options().bindAddress("127.0.0.1").port(port));
    server.stubFor(post(urlEqualTo("/orders")).willReturn(aResponse().withStatus(201)
        .withBody("created")));
    GuardEvents events = new GuardEvents();
    OkHttpClient client = clients.build(
        RefusalOkHttp.install(Clients.builder(), patientGuard(events)));
    CompletableFuture<Void> restart = CompletableFuture.runAsync(server::start,
        CompletableFuture.delayedExecutor(500, TimeUnit.MILLISECONDS));
    try {
      String answer = Clients.body(client,
          Clients.post("http://127.0.0.1:" + port + "/orders", "{\"sku\":\"A-1\"}"));

      assertThat(answer).isEqualTo("created");
      assertThat(events.failedAttempts()).as("refused attempts before the server was back")
          .isPositive();
      List<LoggedRequest> received = server.findAll(postRequestedFor(urlEqualTo("/orders")));
      assertThat(received).hasSize(1);
      assertThat(received.get(0).getBodyAsString()).isEqualTo("{\"sku\":\"A-1\"}");
    } finally {
      restart.get(10, TimeUnit.SECONDS);
      server.stop();
    }
  }

  @Test
  @DisplayName("enqueue: a POST to a MockWebServer that comes back reaches the callback's"
      + " onResponse, its body sent once")
  void enqueuedPostSucceedsAfterRetries() throws Exception {
    int port = Loopback.closedPort(Loopback.V4);
    MockWebServer server = new MockWebServer();
    server.enqueue(new MockResponse.Builder().code(201).body("created").build());
    GuardEvents events = new GuardEvents();
    OkHttpClient client = clients.build(
        RefusalOkHttp.install(Clients.builder(), patientGuard(events)));
    CompletableFuture<Void> restart = CompletableFuture.runAsync(() -> {
      try {
        server.start(Loopback.V4, port);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }, CompletableFuture.delayedExecutor(500, TimeUnit.MILLISECONDS));
    CompletableFuture<String> outcome = new CompletableFuture<>();
    Thread caller = Thread.currentThread();
    try {
      client.newCall(Clients.post("http://127.0.0.1:" + port + "/orders", "order #7"))
          .enqueue(new Callback() {
            @Override
            public void onResponse(Call call, Response response) throws IOException {
              try (response) {
                outcome.complete(response.code() + " " + response.body().string() + " on "
                    + (Thread.currentThread() == caller ? "the caller's thread" : "a dispatcher"
                    + " thread"));
              }
            }

            @Override
            public void onFailure(Call call, IOException e) {
              outcome.completeExceptionally(e);
            }
          });

      assertThat(outcome.get(20, TimeUnit.SECONDS)).isEqualTo("201 created on a dispatcher thread");
      assertThat(events.failedAttempts()).isPositive();
      RecordedRequest received = server.takeRequest(1, TimeUnit.SECONDS);
      assertThat(received.getBody().utf8()).isEqualTo("order #7");
      assertThat(server.getRequestCount()).isEqualTo(1);
    } finally {
      restart.get(10, TimeUnit.SECONDS);
      server.close();
    }
  }
}
