package dev.refusal.okhttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.refusal.Confidence;
import dev.refusal.Diagnoser;
import dev.refusal.Diagnosis;
import dev.refusal.RefusalCause;
import dev.refusal.RefusalGuard;
import dev.refusal.testing.Loopback;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A service listening on {@code ::1} only, called as {@code localhost}. The test JVM resolves
 * {@code localhost} from the project's hosts file, to 127.0.0.1 and ::1.
 */
@DisplayName("localhost with only an IPv6 listener")
@Timeout(30)
class AddressFamilyTest {

  private final Clients clients = new Clients();
  private final GuardEvents guardEvents = new GuardEvents();
  private final RecordingEventListener okhttpEvents = new RecordingEventListener();
  private MockWebServer server;
  private String url;

  @BeforeEach
  void startIpv6OnlyServer() throws IOException {
    assumeTrue(Loopback.ipv6Available(), "IPv6 loopback (::1) is not enabled");
    server = new MockWebServer();
    server.enqueue(new MockResponse.Builder().body("v6").build());
    server.start(Loopback.V6, 0);
    url = "http://localhost:" + server.getPort() + "/";
  }

  @AfterEach
  void stop() {
    clients.close();
    if (server != null) {
      server.close();
    }
  }

  private OkHttpClient installed(OkHttpClient.Builder builder) {
    // The largest budget: tests assert HIGH, which a budget spent on a loaded machine lowers.
    RefusalGuard guard = RefusalGuard.builder().listener(guardEvents).maxAttempts(3)
        .diagnoser(Diagnoser.builder().budget(Duration.ofSeconds(10)).build()).build();
    return clients.build(RefusalOkHttp.install(builder.eventListener(okhttpEvents), guard));
  }

  @Test
  @DisplayName("OkHttp's Happy Eyeballs dials ::1 first and connects: the guard sees no failure")
  void happyEyeballsConnects() throws Exception {
    OkHttpClient client = installed(Clients.builder());

    assertThat(Clients.body(client, Clients.get(url))).isEqualTo("v6");

    assertThat(okhttpEvents.only("connectStart", "connectFailed", "connectEnd"))
        .containsExactly("connectStart [0:0:0:0:0:0:0:1]:" + server.getPort(),
            "connectEnd [0:0:0:0:0:0:0:1]:" + server.getPort());
    assertThat(guardEvents.events()).isEmpty();
  }

  @Test
  @DisplayName("without fast fallback OkHttp dials 127.0.0.1, is refused, falls back to ::1 itself;"
      + " the guard sees one successful attempt")
  void sequentialFallbackConnects() throws Exception {
    OkHttpClient client = installed(Clients.builder().fastFallback(false));

    assertThat(Clients.body(client, Clients.get(url))).isEqualTo("v6");

    int port = server.getPort();
    assertThat(okhttpEvents.only("connectStart", "connectFailed", "connectEnd"))
        .containsExactly("connectStart 127.0.0.1:" + port, "connectFailed 127.0.0.1:" + port,
            "connectStart [0:0:0:0:0:0:0:1]:" + port, "connectEnd [0:0:0:0:0:0:0:1]:" + port);
    assertThat(guardEvents.events()).isEmpty();
  }

  @Test
  @DisplayName("when localhost resolves to 127.0.0.1 only, no fallback can help:"
      + " ADDRESS_FAMILY_MISMATCH on the first attempt, the remedy in the message")
  void familyMismatchDiagnosed() {
    // What a host whose resolver (or -Djava.net.preferIPv4Stack=true) gives IPv4 only sees.
    Names ipv4Only = new Names().map("localhost", Names.address("localhost", "127.0.0.1"));
    OkHttpClient client = installed(Clients.builder().dns(ipv4Only));
    int port = server.getPort();

    IOException failure = Clients.failure(client, Clients.get(url));

    Diagnosis d = Clients.diagnosis(failure);
    assertThat(d.cause()).isEqualTo(RefusalCause.ADDRESS_FAMILY_MISMATCH);
    assertThat(d.confidence()).isEqualTo(Confidence.HIGH);
    assertThat(d.endpoint().address()).contains(new InetSocketAddress(Loopback.V4, port));
    assertThat(failure).hasMessageStartingWith("Connection refused: localhost:" + port
            + " (127.0.0.1) — ADDRESS_FAMILY_MISMATCH (HIGH): ")
        .hasMessageContaining("[::1]:" + port).hasMessageContaining("IPv6 only")
        .hasMessageEndingWith(d.remedy());
    assertThat(d.remedy()).contains("dial ::1").doesNotContain("preferIPv4Stack");
    assertThat(guardEvents.failedAttempts()).as("misconfiguration is not retried").isEqualTo(1);
    assertThat(server.getRequestCount()).isZero();
  }
}
