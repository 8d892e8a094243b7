package dev.refusal.jdkhttp;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.refusal.jdkhttp.Fixtures.MIN_USABLE_WAIT;
import static dev.refusal.jdkhttp.Fixtures.fastGuard;
import static dev.refusal.jdkhttp.Fixtures.slowGuard;
import static dev.refusal.jdkhttp.Fixtures.wireMock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.http.Fault;
import dev.refusal.DiagnosedConnectException;
import dev.refusal.Diagnosis;
import dev.refusal.FailureKind;
import dev.refusal.RefusalCause;
import dev.refusal.RefusalGuard;
import dev.refusal.testing.ClosedPort;
import dev.refusal.testing.FullAcceptQueue;
import dev.refusal.testing.Loopback;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a wrapped client does on real loopback sockets: WireMock servers that are down, restart,
 * or listen on the other address family, a listener whose full accept queue times connects out,
 * and a proxy port that refuses.
 */
@DisplayName("RefusalHttpClient.wrap(client, guard)")
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RefusalHttpClientTest {

  private static final Duration BOUND = Duration.ofSeconds(10);

  private final RecordingListener listener = new RecordingListener();
  private final List<WireMockServer> servers = new ArrayList<>();
  private final List<HttpClient> clients = new ArrayList<>();

  @AfterEach
  void stopEverything() {
    servers.forEach(WireMockServer::stop);
    clients.forEach(Fixtures::closeIfPossible);
  }

  private HttpClient jdk() {
    return jdk(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)));
  }

  private HttpClient jdk(HttpClient.Builder builder) {
    HttpClient client = builder.build();
    clients.add(client);
    return client;
  }

  private WireMockServer server(String address, int port) {
    WireMockServer server = wireMock(address, port);
    servers.add(server);
    return server;
  }

  private static HttpRequest get(int port) {
    return Fixtures.get("127.0.0.1", port);
  }

  private static <T> T await(CompletableFuture<T> future) throws Exception {
    return future.get(BOUND.toSeconds(), TimeUnit.SECONDS);
  }

  @Nested
  @DisplayName("when the service is down (a WireMock that was stopped)")
  class ServerDown {

    /** The port of a WireMock server that ran and was stopped: nothing listens there now. */
    private int stoppedServerPort() {
      WireMockServer server = server("127.0.0.1", 0);
      server.start();
      int port = server.port();
      server.stop();
      return port;
    }

    @Test
    @DisplayName("send throws a ConnectException naming the endpoint, address, cause and remedy,"
        + " with the JDK's exception as its cause")
    void sendExplainsTheRefusal() {
      int port = stoppedServerPort();
      HttpClient client = RefusalHttpClient.wrap(jdk(), fastGuard(listener, 3));

      Throwable thrown = catchThrowable(() -> client.send(get(port), BodyHandlers.discarding()));

      assertThat(thrown).isInstanceOf(ConnectException.class)
          .isInstanceOf(DiagnosedConnectException.class);
      DiagnosedConnectException e = (DiagnosedConnectException) thrown;
      assertThat(e.getMessage())
          .startsWith("Connection refused: 127.0.0.1:" + port + " (127.0.0.1) — NO_LISTENER")
          .contains("nothing listens on port " + port)
          .contains("Start the service");
      assertThat(e.diagnosis().endpoint().address())
          .contains(new InetSocketAddress("127.0.0.1", port));
      // The JDK's own exception (no message on JDK 17 and 25 unless its connect retry is off).
      assertThat(e.getCause()).isInstanceOf(ConnectException.class)
          .isNotInstanceOf(DiagnosedConnectException.class);
      assertThat(FailureKind.of(e.getCause())).isEqualTo(FailureKind.REFUSED);
    }

    @Test
    @DisplayName("send retries a refusal by cause, up to the guard's attempts, one attempt per"
        + " send of the JDK")
    void sendRetriesByCause() {
      int port = stoppedServerPort();
      HttpClient client = RefusalHttpClient.wrap(jdk(), fastGuard(listener, 3));

      catchThrowable(() -> client.send(get(port), BodyHandlers.discarding()));

      assertThat(listener.events()).containsExactly(
          "attempt 1 failed: REFUSED", "diagnosed NO_LISTENER", "retry 2 scheduled",
          "attempt 2 failed: REFUSED", "diagnosed NO_LISTENER", "retry 3 scheduled",
          "attempt 3 failed: REFUSED", "diagnosed NO_LISTENER");
    }

    @Test
    @DisplayName("sendAsync completes exceptionally with the same diagnosed exception")
    void sendAsyncExplainsTheRefusal() {
      int port = stoppedServerPort();
      HttpClient client = RefusalHttpClient.wrap(jdk(), fastGuard(listener, 2));

      CompletableFuture<HttpResponse<Void>> future =
          client.sendAsync(get(port), BodyHandlers.discarding());

      assertThatThrownBy(() -> await(future)).isInstanceOf(ExecutionException.class)
          .cause().isInstanceOf(DiagnosedConnectException.class)
          .hasMessageStartingWith("Connection refused: 127.0.0.1:" + port + " (127.0.0.1)"
              + " — NO_LISTENER");
      assertThat(listener.failedAttempts()).isEqualTo(2);
    }
  }

  @Nested
  @DisplayName("when the service comes back while the guard waits")
  class Restart {

    @Test
    @DisplayName("a POST is retried after the refusal and its body reaches the server once")
    void postBodyReceivedOnce() throws Exception {
      int port = ClosedPort.find();
      WireMockServer server = server("127.0.0.1", port);
      server.stubFor(post("/orders").willReturn(aResponse().withStatus(201)));
      listener.onRetryScheduled(server::start);
      HttpClient client = RefusalHttpClient.wrap(jdk(), fastGuard(listener, 3));
      HttpRequest request = HttpRequest.newBuilder(Fixtures.uri("127.0.0.1", port, "/orders"))
          .POST(HttpRequest.BodyPublishers.ofString("order-42")).build();

      HttpResponse<String> response = client.send(request, BodyHandlers.ofString());

      assertThat(response.statusCode()).isEqualTo(201);
      server.verify(1, postRequestedFor(urlEqualTo("/orders")).withRequestBody(equalTo("order-42")));
      assertThat(listener.events()).containsExactly(
          "attempt 1 failed: REFUSED", "diagnosed NO_LISTENER", "retry 2 scheduled");
    }

    @Test
    @DisplayName("a body publisher that cannot be replayed is read once: the JDK subscribes only"
        + " after it connects, so the refused attempt never read it")
    void oneShotBodyIsReadOnce() throws Exception {
      int port = ClosedPort.find();
      WireMockServer server = server("127.0.0.1", port);
      server.stubFor(post("/orders").willReturn(aResponse().withStatus(201)));
      listener.onRetryScheduled(server::start);
      HttpClient client = RefusalHttpClient.wrap(jdk(), fastGuard(listener, 3));
      OneShotPublisher body = new OneShotPublisher("order-43");
      HttpRequest request = HttpRequest.newBuilder(Fixtures.uri("127.0.0.1", port, "/orders"))
          .POST(body).build();

      HttpResponse<String> response = client.send(request, BodyHandlers.ofString());

      assertThat(response.statusCode()).isEqualTo(201);
      assertThat(body.subscriptions()).isEqualTo(1);
      server.verify(1, postRequestedFor(urlEqualTo("/orders")).withRequestBody(equalTo("order-43")));
      assertThat(listener.failedAttempts()).isEqualTo(1);
      // It really cannot be replayed: a second reader gets an error and no byte.
      AtomicReference<Throwable> second = new AtomicReference<>();
      body.subscribe(new Flow.Subscriber<>() {
        @Override
        public void onSubscribe(Flow.Subscription subscription) {}

        @Override
        public void onNext(java.nio.ByteBuffer item) {}

        @Override
        public void onError(Throwable throwable) {
          second.set(throwable);
        }

        @Override
        public void onComplete() {}
      });
      assertThat(second.get()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    @DisplayName("sendAsync retries on a scheduler and completes with the response")
    void sendAsyncRetries() throws Exception {
      int port = ClosedPort.find();
      WireMockServer server = server("127.0.0.1", port);
      server.stubFor(post("/orders").willReturn(aResponse().withStatus(201).withBody("ok")));
      listener.onRetryScheduled(server::start);
      HttpClient client = RefusalHttpClient.wrap(jdk(), fastGuard(listener, 3));
      HttpRequest request = HttpRequest.newBuilder(Fixtures.uri("127.0.0.1", port, "/orders"))
          .POST(HttpRequest.BodyPublishers.ofString("order-44")).build();

      HttpResponse<String> response = await(client.sendAsync(request, BodyHandlers.ofString()));

      assertThat(response.body()).isEqualTo("ok");
      server.verify(1, postRequestedFor(urlEqualTo("/orders")).withRequestBody(equalTo("order-44")));
      assertThat(listener.failedAttempts()).isEqualTo(1);
    }
  }

  @Nested
  @DisplayName("while the guard waits before a retry")
  class Waiting {

    @Test
    @DisplayName("cancelling sendAsync's future ends the wait: no further attempt, even once the"
        + " service is back")
    void cancelEndsTheAsyncWait() throws Exception {
      int port = ClosedPort.find();
      WireMockServer server = server("127.0.0.1", port);
      CompletableFuture<CompletableFuture<HttpResponse<Void>>> returned = new CompletableFuture<>();
      // Cancel as the wait begins, then bring the service back: a retry would now succeed.
      listener.onRetryScheduled(() -> {
        returned.join().cancel(true);
        server.start();
      });
      HttpClient client = RefusalHttpClient.wrap(jdk(), fastGuard(listener, 3));

      CompletableFuture<HttpResponse<Void>> future =
          client.sendAsync(get(port), BodyHandlers.discarding());
      returned.complete(future);
      assertThat(listener.firstRetryScheduled().await(BOUND.toSeconds(), TimeUnit.SECONDS))
          .isTrue();
      // The guard's wait is at most 5 ms; give a retry that should not happen ample time.
      Thread.sleep(300);

      assertThat(future).isCancelled();
      assertThatThrownBy(future::join).isInstanceOf(CancellationException.class);
      assertThat(listener.events()).containsExactly(
          "attempt 1 failed: REFUSED", "diagnosed NO_LISTENER", "retry 2 scheduled");
      server.verify(0, getRequestedFor(urlEqualTo("/")));
    }

    @Test
    @DisplayName("cancelling sendAsync's future during an attempt aborts the JDK's exchange: the"
        + " server sees the connection close")
    void cancelAbortsTheAttemptInFlight() throws Exception {
      try (ServerSocket listener = new ServerSocket(0, 10, Loopback.V4)) {
        listener.setSoTimeout((int) BOUND.toMillis());
        HttpClient client = RefusalHttpClient.wrap(
            jdk(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)),
            fastGuard(listener(), 3));

        CompletableFuture<HttpResponse<Void>> future =
            client.sendAsync(get(listener.getLocalPort()), BodyHandlers.discarding());
        try (Socket connection = listener.accept()) {
          connection.setSoTimeout((int) BOUND.toMillis());
          InputStream in = connection.getInputStream();
          readRequestHead(in);

          future.cancel(true);

          // No response was ever written: only the client closing the connection ends this read.
          assertThat(readUntilClosed(in)).isTrue();
        }
      }
      assertThat(listener.events()).isEmpty();
    }

    @Test
    @DisplayName("an interrupt ends send's wait with InterruptedException, the diagnosed failure"
        + " as its cause, and the interrupt flag still set")
    void interruptEndsTheSyncWait() throws Exception {
      int port = ClosedPort.find();
      HttpClient client = RefusalHttpClient.wrap(jdk(), slowGuard(listener));
      AtomicReference<Throwable> thrown = new AtomicReference<>();
      AtomicReference<Boolean> flagAfter = new AtomicReference<>();
      Thread caller = new Thread(() -> {
        try {
          client.send(get(port), BodyHandlers.discarding());
        } catch (IOException | InterruptedException e) {
          thrown.set(e);
        }
        flagAfter.set(Thread.currentThread().isInterrupted());
      }, "caller");
      caller.start();
      assertThat(listener.firstRetryScheduled().await(BOUND.toSeconds(), TimeUnit.SECONDS))
          .isTrue();
      assumeTrue(listener.firstDelay().compareTo(MIN_USABLE_WAIT) >= 0,
          () -> "the jittered wait drawn was too short to interrupt: " + listener.firstDelay());

      caller.interrupt();
      caller.join(BOUND.toMillis());
      long ended = System.nanoTime();

      assertThat(caller.isAlive()).isFalse();
      // It ended before the wait it was in would have.
      assertThat(ended).isLessThan(listener.firstRetryScheduledAt() + listener.firstDelay().toNanos());
      assertThat(thrown.get()).isInstanceOf(InterruptedException.class)
          .hasMessageContaining("interrupted while waiting to retry")
          .cause().isInstanceOf(DiagnosedConnectException.class)
          .hasMessageStartingWith("Connection refused: 127.0.0.1:" + port);
      assertThat(flagAfter.get()).isTrue();
      assertThat(listener.failedAttempts()).isEqualTo(1);
    }

    @Test
    @DisplayName("no retry starts after the request's timeout has passed")
    void requestTimeoutIsTheDeadline() {
      int port = ClosedPort.find();
      HttpClient client = RefusalHttpClient.wrap(jdk(), slowGuard(listener));
      HttpRequest request = HttpRequest.newBuilder(Fixtures.uri("127.0.0.1", port, "/"))
          .timeout(Duration.ofMillis(300)).build();

      long start = System.nanoTime();
      Throwable thrown = catchThrowable(() -> client.send(request, BodyHandlers.discarding()));

      assertThat(thrown).isInstanceOf(DiagnosedConnectException.class);
      // Without the deadline, the wait alone would last up to 60 s.
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    }
  }

  @Nested
  @DisplayName("a connect timeout")
  class ConnectTimeout {

    @Test
    @DisplayName("stays an HttpConnectTimeoutException, diagnosed as a timeout and never as a"
        + " refusal")
    void isATimeoutNotARefusal() {
      try (FullAcceptQueue queue = FullAcceptQueue.open()) {
        assumeTrue(queue.isFull(), "this kernel queued every connect; none times out");
        HttpClient client = RefusalHttpClient.wrap(
            jdk(HttpClient.newBuilder().connectTimeout(Duration.ofMillis(300))),
            fastGuard(listener, 2));
        int port = queue.address().getPort();

        Throwable thrown = catchThrowable(() -> client.send(get(port), BodyHandlers.discarding()));

        assertThat(thrown).isExactlyInstanceOf(HttpConnectTimeoutException.class)
            .hasMessageContaining("Connect timed out: 127.0.0.1:" + port + " (127.0.0.1) — ");
        assertThat(FailureKind.of(thrown)).isEqualTo(FailureKind.CONNECT_TIMEOUT);
        Diagnosis diagnosis = Diagnosis.find(thrown).orElseThrow();
        assertThat(diagnosis.kind()).isEqualTo(FailureKind.CONNECT_TIMEOUT);
        assertThat(diagnosis.cause())
            .isIn(RefusalCause.ACCEPT_QUEUE_FULL, RefusalCause.CONNECT_TIMEOUT);
        // The JDK's own exception is the cause, as without the wrapper.
        assertThat(thrown.getCause()).isInstanceOf(HttpConnectTimeoutException.class);
        assertThat(listener.events()).filteredOn(e -> e.startsWith("attempt "))
            .isNotEmpty().allMatch(e -> e.endsWith("CONNECT_TIMEOUT"));
      }
    }
  }

  @Nested
  @DisplayName("when another address of the host accepts")
  class OtherAddressAccepts {

    @Test
    @DisplayName("a service on ::1 only, dialled as localhost: the JDK tried 127.0.0.1 alone;"
        + " the diagnosis says ::1 accepts and names the fix, without retrying")
    void familyMismatchOnLocalhost() {
      assumeTrue(Loopback.ipv6Available(), "IPv6 loopback (::1) is not enabled");
      WireMockServer server = server("::1", 0);
      server.start();
      int port = server.port();
      HttpClient client = RefusalHttpClient.wrap(jdk(), fastGuard(listener, 3));

      Throwable thrown = catchThrowable(
          () -> client.send(Fixtures.get("localhost", port), BodyHandlers.discarding()));

      assertThat(thrown).isInstanceOf(DiagnosedConnectException.class);
      DiagnosedConnectException e = (DiagnosedConnectException) thrown;
      assertThat(e.diagnosis().cause()).isEqualTo(RefusalCause.ADDRESS_FAMILY_MISMATCH);
      assertThat(e.diagnosis().endpoint().address())
          .contains(new InetSocketAddress("127.0.0.1", port));
      assertThat(e.getMessage())
          .startsWith("Connection refused: localhost:" + port + " (127.0.0.1) — "
              + "ADDRESS_FAMILY_MISMATCH")
          .contains("[::1]:" + port)
          .contains("Bind the service to both families");
      // What is true depends on this host's hosts file: with both families for localhost the
      // JDK's first-address-only dialling is the story, and preferring IPv6 helps; with
      // 127.0.0.1 alone there is nothing else to try, and no JVM setting helps.
      if (localhostHasBothFamilies()) {
        assertThat(e.getMessage())
            .contains("the JDK HttpClient dials only the first address localhost resolves to and"
                + " never tries the others")
            .contains("-Djava.net.preferIPv6Addresses=true");
      } else {
        assertThat(e.getMessage()).doesNotContain("never tries the others")
            .doesNotContain("preferIPv6Addresses").contains("No JVM setting helps");
      }
      assertThat(listener.failedAttempts()).isEqualTo(1);
      server.verify(0, getRequestedFor(urlEqualTo("/")));
    }

    @Test
    @DisplayName("sendAsync resolves the name off the caller's thread and says the same")
    void familyMismatchOnLocalhostAsync() {
      assumeTrue(Loopback.ipv6Available(), "IPv6 loopback (::1) is not enabled");
      WireMockServer server = server("::1", 0);
      server.start();
      int port = server.port();
      HttpClient client = RefusalHttpClient.wrap(jdk(), fastGuard(listener, 3));

      CompletableFuture<HttpResponse<Void>> future =
          client.sendAsync(Fixtures.get("localhost", port), BodyHandlers.discarding());

      assertThatThrownBy(() -> await(future)).cause()
          .isInstanceOf(DiagnosedConnectException.class)
          .hasMessageContaining("ADDRESS_FAMILY_MISMATCH")
          .hasMessageContaining(localhostHasBothFamilies() ? "-Djava.net.preferIPv6Addresses=true"
              : "No JVM setting helps");
    }

    private boolean localhostHasBothFamilies() {
      try {
        InetAddress[] all = InetAddress.getAllByName("localhost");
        boolean v4 = false;
        boolean v6 = false;
        for (InetAddress a : all) {
          v4 |= a instanceof java.net.Inet4Address;
          v6 |= a instanceof java.net.Inet6Address;
        }
        return v4 && v6;
      } catch (java.net.UnknownHostException ex) {
        return false;
      }
    }
  }

  @Nested
  @DisplayName("through a proxy")
  class ThroughAProxy {

    @Test
    @DisplayName("a refusing proxy is diagnosed as PROXY_REFUSED and not retried")
    void proxyRefused() {
      int proxyPort = ClosedPort.find();
      HttpClient client = RefusalHttpClient.wrap(
          jdk(HttpClient.newBuilder()
              .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", proxyPort)))),
          fastGuard(listener, 3));
      int port = ClosedPort.find();

      Throwable thrown = catchThrowable(() -> client.send(get(port), BodyHandlers.discarding()));

      assertThat(thrown).isInstanceOf(DiagnosedConnectException.class)
          .hasMessageContaining("PROXY_REFUSED")
          .hasMessageContaining(String.valueOf(proxyPort));
      assertThat(listener.failedAttempts()).isEqualTo(1);
    }
  }

  @Nested
  @DisplayName("when the connection works")
  class Connected {

    @Test
    @DisplayName("a response passes through unchanged, with no event")
    void responsePassesThrough() throws Exception {
      WireMockServer server = server("127.0.0.1", 0);
      server.start();
      server.stubFor(WireMock.get("/hello").willReturn(aResponse().withStatus(200).withBody("hi")));
      HttpClient client = RefusalHttpClient.wrap(jdk(), fastGuard(listener, 3));
      HttpRequest request =
          HttpRequest.newBuilder(Fixtures.uri("127.0.0.1", server.port(), "/hello")).build();

      HttpResponse<String> sync = client.send(request, BodyHandlers.ofString());
      HttpResponse<String> async = await(client.sendAsync(request, BodyHandlers.ofString()));

      assertThat(sync.statusCode()).isEqualTo(200);
      assertThat(sync.body()).isEqualTo("hi");
      assertThat(async.body()).isEqualTo("hi");
      assertThat(listener.events()).isEmpty();
    }

    @Test
    @DisplayName("a failure after the request was sent reaches the caller untouched, and the"
        + " POST is not sent again")
    void failureAfterSendIsNotRetried() {
      WireMockServer server = server("127.0.0.1", 0);
      server.start();
      server.stubFor(post("/orders")
          .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
      HttpClient client = RefusalHttpClient.wrap(
          jdk(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)),
          fastGuard(listener, 3));
      HttpRequest request =
          HttpRequest.newBuilder(Fixtures.uri("127.0.0.1", server.port(), "/orders"))
              .POST(HttpRequest.BodyPublishers.ofString("order-45")).build();

      Throwable thrown = catchThrowable(() -> client.send(request, BodyHandlers.discarding()));

      assertThat(thrown).isInstanceOf(IOException.class)
          .isNotInstanceOf(DiagnosedConnectException.class);
      assertThat(FailureKind.of(thrown).isConnectPhase()).isFalse();
      server.verify(1, postRequestedFor(urlEqualTo("/orders")));
      assertThat(listener.failedAttempts()).isEqualTo(1);
    }
  }

  @Nested
  @DisplayName("wrap itself")
  class Wrap {

    @Test
    @DisplayName("rejects nulls, naming the parameter")
    void rejectsNulls() {
      RefusalGuard guard = fastGuard(listener, 1);
      assertThatThrownBy(() -> RefusalHttpClient.wrap(null, guard))
          .isInstanceOf(NullPointerException.class).hasMessage("client");
      assertThatThrownBy(() -> RefusalHttpClient.wrap(jdk(), null))
          .isInstanceOf(NullPointerException.class).hasMessage("guard");
    }

    @Test
    @DisplayName("returns a client already wrapped with the same guard as it is")
    void wrapsOnce() {
      RefusalGuard guard = fastGuard(listener, 1);
      HttpClient once = RefusalHttpClient.wrap(jdk(), guard);

      assertThat(RefusalHttpClient.wrap(once, guard)).isSameAs(once);
      assertThat(RefusalHttpClient.wrap(once, fastGuard(listener, 1))).isNotSameAs(once);
      assertThat(once.toString()).startsWith("RefusalHttpClient(");
    }
  }

  private RecordingListener listener() {
    return listener;
  }

  /** Reads up to the blank line that ends a request's head. */
  private static void readRequestHead(InputStream in) throws IOException {
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    while (matched < end.length) {
      int b = in.read();
      if (b < 0) {
        throw new AssertionError("the client closed before sending its request");
      }
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
    }
  }

  /** True when the peer closed (end of stream or reset) before the read timed out. */
  private static boolean readUntilClosed(InputStream in) throws IOException {
    try {
      while (in.read() >= 0) {
        // Discard anything more the client sends.
      }
      return true;
    } catch (java.net.SocketTimeoutException e) {
      return false;
    } catch (java.net.SocketException e) {
      return true;
    }
  }
}
