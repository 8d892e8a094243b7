package dev.refusal.okhttp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.refusal.Confidence;
import dev.refusal.Diagnoser;
import dev.refusal.Diagnosis;
import dev.refusal.RefusalCause;
import dev.refusal.RefusalGuard;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.Dns;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A service that moved from 127.0.0.2 to 127.0.0.3 while the client's resolver still answers the
 * old address (as the JVM's cache does for 30 s): a fresh query answers the new one. The name is
 * resolved only by this test, for OkHttp and for the diagnoser alike.
 */
@DisplayName("A stale DNS answer")
@Timeout(30)
class StaleDnsTest {

  private static final String HOST = "orders.internal";

  private final Clients clients = new Clients();
  private final GuardEvents events = new GuardEvents();
  private MockWebServer server;
  private Names names;
  private RefusalGuard guard;
  private String url;

  @BeforeEach
  void moveTheService() throws IOException {
    InetAddress dead = Names.address(HOST, "127.0.0.2");
    InetAddress live = Names.address(HOST, "127.0.0.3");
    server = new MockWebServer();
    server.enqueue(new MockResponse.Builder().body("found it").build());
    server.start(live, 0);
    names = new Names().map(HOST, dead).moved(HOST, live);
    guard = RefusalGuard.builder().listener(events).maxAttempts(3)
        .diagnoser(Diagnoser.builder().budget(Duration.ofSeconds(10))
            .resolver(names).build()).build();
    url = "http://" + HOST + ":" + server.getPort() + "/";
  }

  @AfterEach
  void stop() {
    clients.close();
    server.close();
  }

  private Diagnosis staleFailure(OkHttpClient client) {
    IOException failure = Clients.failure(client, Clients.get(url));
    Diagnosis d = Clients.diagnosis(failure);
    assertThat(d.cause()).as(String.valueOf(d)).isEqualTo(RefusalCause.STALE_ADDRESS);
    return d;
  }

  @Test
  @DisplayName("is diagnosed STALE_ADDRESS, and RefusalDns resolves afresh on the next call")
  void refusalDnsRecovers() throws Exception {
    OkHttpClient client = clients.build(
        RefusalOkHttp.install(Clients.builder().dns(RefusalDns.of(names, names)), guard));

    Diagnosis d = staleFailure(client);

    assertThat(d.confidence()).isEqualTo(Confidence.HIGH);
    assertThat(d.endpoint().address())
        .contains(new InetSocketAddress(Names.address(HOST, "127.0.0.2"), server.getPort()));
    assertThat(d.summary()).contains("no longer resolves to 127.0.0.2")
        .contains("127.0.0.3:" + server.getPort() + " accepts");
    assertThat(events.failedAttempts()).as("a stale address is not retried as it is")
        .isEqualTo(1);

    assertThat(Clients.body(client, Clients.get(url))).isEqualTo("found it");
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  @DisplayName("without RefusalDns the next call dials the dead address again")
  void plainDnsKeepsTheDeadAddress() {
    OkHttpClient client = clients.build(
        RefusalOkHttp.install(Clients.builder().dns((Dns) names), guard));

    staleFailure(client);
    staleFailure(client);

    assertThat(server.getRequestCount()).isZero();
  }
}
