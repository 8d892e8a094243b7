package dev.refusal.okhttp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.refusal.DiagnosedConnectException;
import dev.refusal.FailureKind;
import dev.refusal.RefusalGuard;
import dev.refusal.testing.ClosedPort;
import dev.refusal.testing.SilentServer;
import dev.refusal.testing.ThrowableShape;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import okhttp3.Call;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Real OkHttp calls through the interceptor, cancelled: never read as a refusal, never
 * retried, and thrown as the type plain OkHttp throws for the same cancel.
 */
@DisplayName("A cancelled call")
@Timeout(30)
class CancelledCallTest {

  private final Clients clients = new Clients();
  private final GuardEvents events = new GuardEvents();

  @AfterEach
  void closeClients() {
    clients.close();
  }

  private static IOException failure(Call call) {
    try (Response response = call.execute()) {
      throw new AssertionError("answered " + response.code());
    } catch (IOException e) {
      return e;
    }
  }

  /** Cancels a call to a server that never answers once the server has read the request. */
  private static IOException cancelledAfterTheRequest(OkHttpClient client, SilentServer server) {
    Request request = new Request.Builder()
        .url("http://127.0.0.1:" + server.address().getPort() + "/orders")
        .tag(Idempotent.class, Idempotent.INSTANCE).build();
    Call call = client.newCall(request);
    // The event: the server has read the request. Then the call is cancelled from another
    // thread, as a user's cancel button or a shutdown would.
    CompletableFuture<Integer> cancelled = CompletableFuture.supplyAsync(() -> {
      int received = server.awaitBytesReceived();
      call.cancel();
      return received;
    });
    IOException failure = failure(call);
    assertThat(cancelled.join()).as("request bytes that reached the server").isPositive();
    return failure;
  }

  @Test
  @DisplayName("once its request reached a server that never answers throws what plain OkHttp"
      + " throws, is never read as a refusal, and is not retried though idempotent")
  void cancelledWhileWaitingForTheAnswer() {
    IOException plain;
    try (SilentServer server = SilentServer.start()) {
      plain = cancelledAfterTheRequest(clients.build(Clients.builder()), server);
    }
    try (SilentServer server = SilentServer.start()) {
      RefusalGuard guard = RefusalGuard.builder().listener(events).maxAttempts(3)
          .backoff(Duration.ofMillis(10), 1.0, Duration.ofMillis(10)).build();
      OkHttpClient client = clients.build(RefusalOkHttp.install(Clients.builder(), guard));

      IOException failure = cancelledAfterTheRequest(client, server);

      assertThat(failure).as(ThrowableShape.of(failure))
          .isExactlyInstanceOf(plain.getClass()).hasMessage(plain.getMessage());
      assertThat(FailureKind.of(failure)).isNotEqualTo(FailureKind.REFUSED);
      assertThat(events.events()).as("the guard's events").hasSize(1)
          .allMatch(e -> e.startsWith("attemptFailed 1 "));
      assertThat(server.connections()).isEqualTo(1);
    }
  }

  @Test
  @DisplayName("during the guard's backoff after a refusal is CANCELED, not REFUSED, and the"
      + " refusal's diagnosis is kept as suppressed")
  void cancelledDuringTheBackoffAfterARefusal() {
    CompletableFuture<Call> calls = new CompletableFuture<>();
    // The event: the guard scheduled a retry; the cancel comes before its wait starts, which
    // must then end at once.
    events.onRetryScheduled(delay -> calls.join().cancel());
    // A wait long enough that only the cancel can end it within the test's timeout.
    RefusalGuard guard = RefusalGuard.builder().listener(events).maxAttempts(3)
        .restartWindow(Duration.ofMinutes(1))
        .backoff(Duration.ofSeconds(20), 1.0, Duration.ofSeconds(20)).build();
    OkHttpClient client = clients.build(RefusalOkHttp.install(Clients.builder(), guard));
    Call call = client.newCall(Clients.get("http://127.0.0.1:" + ClosedPort.find() + "/"));
    calls.complete(call);

    IOException failure = failure(call);

    assertThat(FailureKind.of(failure)).as(ThrowableShape.of(failure))
        .isEqualTo(FailureKind.CANCELED);
    assertThat(FailureKind.of(failure).isConnectPhase()).isFalse();
    assertThat(failure).isExactlyInstanceOf(IOException.class).hasMessage("Canceled");
    assertThat(failure.getSuppressed()).singleElement()
        .isInstanceOf(DiagnosedConnectException.class);
    assertThat(events.events()).as("the guard's events")
        .containsExactly("attemptFailed 1 REFUSED", "diagnosisMade NO_LISTENER",
            "retryScheduled 2");
  }
}
