package dev.refusal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.refusal.testing.FakeSystemView;
import dev.refusal.testing.Loopback;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A proxy with nothing listening is PROXY_REFUSED")
class ProxyRefusedTest {

  @Test
  @DisplayName("an HTTP request through a dead proxy: the proxy refused, the target never saw it")
  void deadProxy() throws Exception {
    int proxyPort = Loopback.closedPort(Loopback.V4);
    Proxy proxy = new Proxy(Proxy.Type.HTTP, new InetSocketAddress(Loopback.V4, proxyPort));
    URI target = URI.create("http://orders.internal:8080/orders?token=s3cr3t");
    IOException failure = null;
    HttpURLConnection connection =
        (HttpURLConnection) target.toURL().openConnection(proxy);
    connection.setConnectTimeout(1_000);
    try {
      connection.getResponseCode();
    } catch (IOException e) {
      failure = e;
    } finally {
      connection.disconnect();
    }
    assertThat(FailureKind.of(failure)).isEqualTo(FailureKind.REFUSED);

    Diagnosis d = Diagnoser.builder().budget(Duration.ofSeconds(10))
        .system(FakeSystemView.noContainer()).build()
        .diagnose(Endpoint.of(target).withProxy(proxy), failure);

    assertThat(d.cause()).isEqualTo(RefusalCause.PROXY_REFUSED);
    assertThat(d.confidence()).isEqualTo(Confidence.HIGH);
    assertThat(d.summary()).contains(String.valueOf(proxyPort))
        .contains("orders.internal:8080 was never contacted");
    assertThat(d.toString()).doesNotContain("s3cr3t");
  }
}
