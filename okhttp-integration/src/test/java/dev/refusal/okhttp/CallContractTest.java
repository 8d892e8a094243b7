package dev.refusal.okhttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.refusal.DiagnosedConnectException;
import dev.refusal.Diagnosis;
import dev.refusal.RefusalCause;
import dev.refusal.RefusalGuard;
import dev.refusal.testing.ClosedPort;
import dev.refusal.testing.Loopback;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.OkHttpClient;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayName("OkHttp's contracts, kept")
@Timeout(30)
class CallContractTest {

  private final Clients clients = new Clients();

  @AfterEach
  void closeClients() {
    clients.close();
  }

  private static String closedUrl() {
    return "http://127.0.0.1:" + ClosedPort.find() + "/";
  }

  @Nested
  @DisplayName("install")
  class Install {

    @Test
    @DisplayName("returns the same builder, for chaining")
    void returnsTheBuilder() {
      OkHttpClient.Builder builder = Clients.builder();

      assertThat(RefusalOkHttp.install(builder, RefusalGuard.defaults())).isSameAs(builder);
      assertThat(builder.interceptors()).hasSize(1);
    }

    @Test
    @DisplayName("twice on one builder (or on a guarded client's newBuilder()) is refused")
    void twiceIsRefused() {
      OkHttpClient guarded = clients.build(
          RefusalOkHttp.install(Clients.builder(), RefusalGuard.defaults()));

      assertThatThrownBy(() -> RefusalOkHttp.install(guarded.newBuilder(),
          RefusalGuard.defaults()))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("already installed");
    }

    @Test
    @DisplayName("names a null argument")
    void nulls() {
      assertThatThrownBy(() -> RefusalOkHttp.install(null, RefusalGuard.defaults()))
          .isInstanceOf(NullPointerException.class).hasMessage("builder");
      assertThatThrownBy(() -> RefusalOkHttp.install(Clients.builder(), null))
          .isInstanceOf(NullPointerException.class).hasMessage("guard");
    }
  }

  @Nested
  @DisplayName("the user's own event listener")
  class UserEventListener {

    @Test
    @DisplayName("hears the same events from an installed client as from a plain one")
    void sameEventsOnSuccess() throws Exception {
      try (MockWebServer server = new MockWebServer()) {
        server.enqueue(new MockResponse.Builder().body("a").build());
        server.enqueue(new MockResponse.Builder().body("b").build());
        server.start(Loopback.V4, 0);
        String url = "http://127.0.0.1:" + server.getPort() + "/";
        RecordingEventListener plainEvents = new RecordingEventListener();
        RecordingEventListener installedEvents = new RecordingEventListener();
        OkHttpClient plain = clients.build(Clients.builder().eventListener(plainEvents));
        OkHttpClient installed = clients.build(RefusalOkHttp.install(
            Clients.builder().eventListenerFactory(call -> installedEvents),
            RefusalGuard.defaults()));

        assertThat(Clients.body(plain, Clients.get(url))).isEqualTo("a");
        assertThat(Clients.body(installed, Clients.get(url))).isEqualTo("b");

        assertThat(installedEvents.events()).isEqualTo(plainEvents.events())
            .startsWith("callStart", "proxySelectStart").endsWith("callEnd");
      }
    }

    @Test
    @DisplayName("hears every event of every attempt, as a plain client emits them")
    void everyAttemptsEvents() {
      String url = closedUrl();
      RecordingEventListener plainEvents = new RecordingEventListener();
      RecordingEventListener installedEvents = new RecordingEventListener();
      OkHttpClient plain = clients.build(Clients.builder().eventListener(plainEvents));
      RefusalGuard guard = RefusalGuard.builder().maxAttempts(3)
          .backoff(Duration.ZERO, 1.0, Duration.ZERO).build();
      OkHttpClient installed = clients.build(RefusalOkHttp.install(
          Clients.builder().eventListener(installedEvents), guard));
      Clients.failure(plain, Clients.get(url));
      List<String> oneAttempt = plainEvents.events().subList(1, plainEvents.events().size() - 1);

      Clients.failure(installed, Clients.get(url));

      List<String> expected = new ArrayList<>();
      expected.add("callStart");
      for (int i = 0; i < 3; i++) {
        expected.addAll(oneAttempt);
      }
      expected.add("callFailed DiagnosedConnectException");
      assertThat(oneAttempt).contains("connectFailed " + url.substring(7, url.length() - 1));
      assertThat(installedEvents.events()).isEqualTo(expected);
    }
  }

  @Nested
  @DisplayName("cancel and callTimeout")
  class CancelAndTimeout {

    /** Full jitter: each wait is uniform between 0 and {@code ceiling}. */
    private RefusalGuard backoff(GuardEvents events, Duration ceiling) {
      return RefusalGuard.builder().listener(events).maxAttempts(50).failureThreshold(100)
          .restartWindow(Duration.ofMinutes(1)).backoff(ceiling, 1.0, ceiling).build();
    }

    @Test
    @DisplayName("Call.cancel() during a backoff wait ends it at once with IOException(Canceled)")
    void cancelEndsTheWait() throws Exception {
      AtomicLong cancelledAt = new AtomicLong();
      CompletableFuture<Call> calls = new CompletableFuture<>();
      GuardEvents events = new GuardEvents();
      events.onRetryScheduled(delay -> {
        if (delay.toMillis() >= 1_000 && cancelledAt.get() == 0) {
          // Cancel from another thread once the caller is well inside a long wait.
          CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS).execute(() -> {
            cancelledAt.set(System.nanoTime());
            calls.join().cancel();
          });
          cancelledAt.compareAndSet(0, -1);
        }
      });
      OkHttpClient client = clients.build(
          RefusalOkHttp.install(Clients.builder(), backoff(events, Duration.ofSeconds(3))));
      Call call = client.newCall(Clients.get(closedUrl()));
      calls.complete(call);

      IOException failure = null;
      try (Response response = call.execute()) {
        throw new AssertionError("answered " + response.code());
      } catch (IOException e) {
        failure = e;
      }
      long endedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cancelledAt.get());

      assertThat(failure).hasMessage("Canceled").isExactlyInstanceOf(IOException.class);
      assertThat(failure.getSuppressed()).singleElement()
          .isInstanceOf(DiagnosedConnectException.class);
      assertThat(endedMillis).as("ms from cancel() to the call's end, inside a wait of %s",
          events.delays()).isLessThan(500);
      assertThat(call.isCanceled()).isTrue();
    }

    @Test
    @DisplayName("callTimeout bounds the whole retry sequence, waits included")
    void callTimeoutBoundsRetries() {
      GuardEvents events = new GuardEvents();
      OkHttpClient client = clients.build(RefusalOkHttp.install(
          Clients.builder().callTimeout(Duration.ofMillis(800)),
          backoff(events, Duration.ofMillis(300))));
      long start = System.nanoTime();

      IOException failure = Clients.failure(client, Clients.get(closedUrl()));

      long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertThat(tookMillis).isLessThan(800 + 300);
      assertThat(events.failedAttempts()).as("attempts made within the call timeout")
          .isGreaterThan(1);
      // Either the guard saw that the next wait would pass the deadline and gave up with its
      // diagnosis, or OkHttp's timer fired first and OkHttp reported the timeout its usual way.
      if (failure instanceof DiagnosedConnectException) {
        assertThat(Clients.diagnosis(failure).cause()).isEqualTo(RefusalCause.NO_LISTENER);
      } else {
        assertThat(failure).isInstanceOf(InterruptedIOException.class).hasMessage("timeout");
      }
      long waited = events.delays().stream().mapToLong(Duration::toMillis).sum();
      assertThat(waited).as("backoff waited, of %s", events.delays()).isLessThan(800);
    }
  }

  @Nested
  @DisplayName("enqueue")
  class Enqueue {

    @Test
    @DisplayName("a refused call reaches the callback's onFailure with the diagnosis")
    void failureReachesTheCallback() throws Exception {
      RefusalGuard guard = RefusalGuard.builder().maxAttempts(2)
          .backoff(Duration.ofMillis(10), 1.0, Duration.ofMillis(10)).build();
      OkHttpClient client = clients.build(RefusalOkHttp.install(Clients.builder(), guard));
      CompletableFuture<IOException> failed = new CompletableFuture<>();

      client.newCall(Clients.get(closedUrl())).enqueue(new Callback() {
        @Override
        public void onResponse(Call call, Response response) {
          response.close();
          failed.completeExceptionally(new AssertionError("answered " + response.code()));
        }

        @Override
        public void onFailure(Call call, IOException e) {
          failed.complete(e);
        }
      });

      assertThat(Clients.diagnosis(failed.get(10, TimeUnit.SECONDS)).cause())
          .isEqualTo(RefusalCause.NO_LISTENER);
    }
  }

  @Nested
  @DisplayName("per-call traces")
  class Traces {

    @Test
    @DisplayName("calls one after another on one thread each diagnose their own address")
    void sequentialCallsDoNotMix() throws Exception {
      RefusalGuard guard = RefusalGuard.builder().maxAttempts(1).build();
      OkHttpClient client = clients.build(RefusalOkHttp.install(Clients.builder(), guard));
      try (MockWebServer server = new MockWebServer()) {
        server.enqueue(new MockResponse.Builder().body("up").build());
        server.start(Loopback.V4, 0);
        for (int round = 0; round < 3; round++) {
          int port = ClosedPort.find();
          Diagnosis d = Clients.diagnosis(Clients.failure(client,
              Clients.get("http://127.0.0.1:" + port + "/")));
          assertThat(d.endpoint().address()).contains(new InetSocketAddress(Loopback.V4, port));
          assertThat(d.evidence().get(0).observation())
              .isEqualTo("attempt 1: OkHttp tried 127.0.0.1:" + port + " (refused), directly");
          if (round == 1) {
            assertThat(Clients.body(client,
                Clients.get("http://127.0.0.1:" + server.getPort() + "/"))).isEqualTo("up");
          }
        }
      }
    }

    @Test
    @DisplayName("concurrent calls to different ports each diagnose their own")
    void concurrentCallsDoNotMix() throws Exception {
      RefusalGuard guard = RefusalGuard.builder().maxAttempts(2)
          .backoff(Duration.ofMillis(5), 1.0, Duration.ofMillis(5)).build();
      OkHttpClient client = clients.build(RefusalOkHttp.install(Clients.builder(), guard));
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<Future<String>> results = new ArrayList<>();
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
          int port = ClosedPort.find();
          ports.add(port);
          results.add(pool.submit(() -> {
            Diagnosis d = Clients.diagnosis(Clients.failure(client,
                Clients.get("http://127.0.0.1:" + port + "/")));
            return d.endpoint().address().map(InetSocketAddress::getPort).orElse(-1) + " "
                + d.evidence().get(0).observation();
          }));
        }
        for (int i = 0; i < results.size(); i++) {
          int port = ports.get(i);
          assertThat(results.get(i).get(20, TimeUnit.SECONDS)).isEqualTo(port
              + " attempt 2: OkHttp tried 127.0.0.1:" + port + " (refused), directly");
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }
}
