package dev.refusal.okhttp;

import dev.refusal.CircuitState;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.refusal.DiagnosedConnectException;
import dev.refusal.Diagnosis;
import dev.refusal.Endpoint;
import dev.refusal.Evidence;
import dev.refusal.FailureKind;
import dev.refusal.RefusalCause;
import dev.refusal.RefusalGuard;
import dev.refusal.testing.Loopback;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.time.Duration;
import mockwebserver3.MockWebServer;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayName("A server that is down")
@Timeout(30)
class ServerDownTest {

  private final Clients clients = new Clients();

  @AfterEach
  void closeClients() {
    clients.close();
  }

  /** A port where a MockWebServer answered moments ago and nothing listens now. */
  private static int stoppedMockWebServer() throws IOException {
    MockWebServer server = new MockWebServer();
    server.start(Loopback.V4, 0);
    int port = server.getPort();
    server.close();
    return port;
  }

  @Test
  @DisplayName("a GET fails with NO_LISTENER for the address dialled, after the configured"
      + " attempts")
  void noListener() throws Exception {
    int port = stoppedMockWebServer();
    GuardEvents events = new GuardEvents();
    RefusalGuard guard = RefusalGuard.builder().listener(events).maxAttempts(3)
        .backoff(Duration.ofMillis(10), 1.0, Duration.ofMillis(10)).build();
    OkHttpClient client = clients.build(RefusalOkHttp.install(Clients.builder(), guard));

    IOException failure = Clients.failure(client, Clients.get("http://127.0.0.1:" + port + "/"));

    assertThat(failure).isInstanceOf(DiagnosedConnectException.class)
        .hasMessageStartingWith("Connection refused: 127.0.0.1:" + port + " (127.0.0.1) — "
            + "NO_LISTENER (HIGH): nothing listens on port " + port + " on this host");
    Diagnosis d = Clients.diagnosis(failure);
    assertThat(d.kind()).isEqualTo(FailureKind.REFUSED);
    assertThat(d.endpoint().address()).contains(new InetSocketAddress(Loopback.V4, port));
    assertThat(d.evidence().get(0)).isEqualTo(Evidence.of(RefusalInterceptor.ROUTES_PROBE,
        "attempt 3: OkHttp tried 127.0.0.1:" + port + " (refused), directly"));
    assertThat(failure.getCause()).as("OkHttp's own exception, kept as the cause")
        .hasMessage("Failed to connect to /127.0.0.1:" + port);
    assertThat(events.events()).containsSubsequence("attemptFailed 1 REFUSED",
        "diagnosisMade NO_LISTENER", "retryScheduled 2", "attemptFailed 2 REFUSED",
        "retryScheduled 3", "attemptFailed 3 REFUSED");
    assertThat(events.failedAttempts()).isEqualTo(3);
  }

  @Test
  @DisplayName("a name with two addresses: OkHttp dials both, the diagnosis names the first and"
      + " lists both")
  void everyAddressDialled() throws Exception {
    assumeTrue(Loopback.ipv6Available(), "IPv6 loopback (::1) is not enabled");
    int port = stoppedMockWebServer();
    // A name in the reserved .test domain: resolved only by this test, never by a DNS server.
    Names names = new Names().map("orders.refusal.test",
        Names.address("orders.refusal.test", "127.0.0.1"),
        Names.address("orders.refusal.test", "::1"));
    RefusalGuard guard = RefusalGuard.builder().maxAttempts(1).build();
    OkHttpClient client = clients.build(
        RefusalOkHttp.install(Clients.builder().dns(names), guard));

    IOException failure = Clients.failure(client,
        Clients.get("http://orders.refusal.test:" + port + "/"));

    Diagnosis d = Clients.diagnosis(failure);
    assertThat(d.cause()).isEqualTo(RefusalCause.NO_LISTENER);
    // OkHttp orders addresses for Happy Eyeballs, IPv6 first, and reports that route's failure.
    assertThat(d.endpoint().address()).contains(new InetSocketAddress(Loopback.V6, port));
    assertThat(failure).hasMessageStartingWith(
        "Connection refused: orders.refusal.test:" + port + " (::1) — NO_LISTENER");
    assertThat(d.evidence().get(0).observation()).isEqualTo("attempt 1: OkHttp tried [::1]:"
        + port + " (refused), 127.0.0.1:" + port + " (refused), directly");
  }

  @Test
  @DisplayName("a proxy that refuses: PROXY_REFUSED for the proxy's address, the target never"
      + " contacted, no retry")
  void proxyRefuses() {
    int proxyPort = Loopback.closedPort(Loopback.V4);
    GuardEvents events = new GuardEvents();
    RefusalGuard guard = RefusalGuard.builder().listener(events).maxAttempts(3).build();
    java.net.Proxy proxy = new java.net.Proxy(java.net.Proxy.Type.HTTP,
        new InetSocketAddress(Loopback.V4, proxyPort));
    OkHttpClient client = clients.build(
        RefusalOkHttp.install(Clients.builder().proxy(proxy), guard));

    IOException failure = Clients.failure(client,
        Clients.get("http://orders.refusal.test:8080/"));

    Diagnosis d = Clients.diagnosis(failure);
    assertThat(d.cause()).isEqualTo(RefusalCause.PROXY_REFUSED);
    assertThat(d.endpoint().proxy()).contains(proxy);
    assertThat(failure).hasMessageStartingWith("Connection refused: orders.refusal.test:8080"
        + " — PROXY_REFUSED (HIGH): the proxy /127.0.0.1:" + proxyPort
        + " refused the connection; orders.refusal.test:8080 was never contacted.");
    assertThat(d.evidence().get(0).observation()).isEqualTo("attempt 1: OkHttp tried 127.0.0.1:"
        + proxyPort + " (refused), through the HTTP proxy");
    assertThat(events.failedAttempts()).isEqualTo(1);
  }

  @Test
  @DisplayName("the breaker opens after the configured failures; later calls fail without dialling")
  void breakerOpens() throws Exception {
    WireMockServer server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    server.start();
    int port = server.port();
    server.stubFor(get(urlEqualTo("/stock")).willReturn(aResponse().withBody("12")));
    GuardEvents events = new GuardEvents();
    RefusalGuard guard = RefusalGuard.builder().listener(events).failureThreshold(3)
        .maxAttempts(1).openWait(Duration.ofMinutes(5)).build();
    RecordingEventListener user = new RecordingEventListener();
    OkHttpClient client = clients.build(
        RefusalOkHttp.install(Clients.builder().eventListener(user), guard));
    String url = "http://127.0.0.1:" + port + "/stock";
    try {
      assertThat(Clients.body(client, Clients.get(url))).isEqualTo("12");
    } finally {
      server.stop();
    }
    client.connectionPool().evictAll();

    for (int i = 0; i < 3; i++) {
      assertThat(Clients.diagnosis(Clients.failure(client, Clients.get(url))).cause())
          .isIn(RefusalCause.NO_LISTENER, RefusalCause.RESTARTING);
    }
    assertThat(guard.circuitState(Endpoint.of("127.0.0.1", port)))
        .isEqualTo(CircuitState.OPEN);
    user.clear();

    IOException rejected = Clients.failure(client, Clients.get(url));

    assertThat(rejected).isInstanceOf(DiagnosedConnectException.class)
        .hasMessageStartingWith("Circuit OPEN for 127.0.0.1:" + port + ", not dialled.")
        .as("the failure that opened the circuit").hasCauseInstanceOf(ConnectException.class);
    assertThat(((DiagnosedConnectException) rejected).isRejection()).isTrue();
    assertThat(user.events()).as("what OkHttp did for the rejected call")
        .containsExactly("callStart", "callFailed DiagnosedConnectException");
    assertThat(events.events()).endsWith("callRejected");
  }
}
