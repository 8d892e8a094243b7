package dev.refusal.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.refusal.Confidence;
import dev.refusal.Diagnosis;
import dev.refusal.Endpoint;
import dev.refusal.Evidence;
import dev.refusal.RefusalCause;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("CustomProbeExample: a service catalogue plugged in through the probe SPI")
class CustomProbeExampleTest {

  @Test
  @DisplayName("the probe's observation is recorded for a listed endpoint")
  void registeredInstance() throws Exception {
    IOException failure = refusedOnLoopback();
    Diagnosis d = CustomProbeExample
        .diagnoserWith(Map.of("orders", Set.of("127.0.0.1:" + lastPort)))
        .diagnose(Endpoint.of("127.0.0.1", lastPort), failure);

    assertThat(d.evidence()).extracting(Evidence::toString)
        .contains("catalogue: 127.0.0.1:" + lastPort + " is a registered instance of orders");
  }

  @Test
  @DisplayName("an endpoint the catalogue does not list: the probe's HIGH STALE_ADDRESS replaces"
      + " a LOW built-in answer")
  void deregisteredInstance() throws Exception {
    // The built-in answer here is LOW: the real EADDRNOTAVAIL of a client bound to an address
    // this host lacks (the bind fails locally; nothing is sent).
    InetAddress absent = InetAddress.getByName("203.0.113.77");
    IOException failure;
    try (Socket s = new Socket()) {
      s.bind(new InetSocketAddress(absent, 0));
      throw new AssertionError("203.0.113.77 is on this host");
    } catch (IOException e) {
      failure = e;
    }
    Diagnosis d = CustomProbeExample
        .diagnoserWith(Map.of("orders", Set.of("orders-1.internal:8080")))
        .diagnose(Endpoint.of("orders-2.internal", 8080), failure);

    assertThat(d.cause()).isEqualTo(RefusalCause.STALE_ADDRESS);
    assertThat(d.confidence()).isEqualTo(Confidence.HIGH);
    assertThat(d.remedy()).contains("Refresh the client's view of the catalogue");
    assertThat(d.evidence()).extracting(Evidence::toString)
        .contains("catalogue: orders-2.internal:8080 is in no service's instance list");
  }

  private int lastPort;

  private IOException refusedOnLoopback() throws IOException {
    InetAddress loopback = InetAddress.getByName("127.0.0.1");
    try (ServerSocket s = new ServerSocket(0, 1, loopback)) {
      lastPort = s.getLocalPort();
    }
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(loopback, lastPort), 1_000);
      throw new AssertionError("accepted");
    } catch (IOException e) {
      return e;
    }
  }
}
