package dev.refusal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.refusal.internal.diagnosis.ProcFiles;
import dev.refusal.internal.diagnosis.RealSystemView;
import dev.refusal.testing.FakeSystemView;
import dev.refusal.testing.Loopback;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ServerSocket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Security review's questions, answered with a recording system view over real sockets: which
 * addresses and ports did the probes dial, and which files did they read, across every kind of
 * diagnosis the library makes on this machine.
 */
@DisplayName("Probe scope: only the request's own port, own addresses and loopback")
class ProbeScopeTest {

  private static void assertInScope(FakeSystemView system, Endpoint endpoint,
      List<InetAddress> ownAddresses) {
    Set<InetAddress> allowed = new HashSet<>(ownAddresses);
    allowed.addAll(RealSystemView.INSTANCE.localAddresses().keySet());
    for (InetSocketAddress dialled : system.dialled()) {
      assertThat(dialled.getPort()).as("port dialled for %s", endpoint)
          .isEqualTo(endpoint.port());
      assertThat(dialled.getAddress().isLoopbackAddress()
          || allowed.contains(dialled.getAddress()))
          .as("%s dialled for %s", dialled, endpoint).isTrue();
    }
    assertThat(system.filesRead()).as("files read").allSatisfy(f -> assertThat(
        ProcFiles.ALLOWED).contains(f));
  }

  @Test
  @DisplayName("every diagnosis scenario dials only its port and reads only documented files")
  void everyScenario() throws Exception {
    List<Runnable> scenarios = new ArrayList<>();
    // NO_LISTENER on both loopbacks.
    for (InetAddress loopback : List.of(Loopback.V4, Loopback.V6)) {
      scenarios.add(() -> {
        int port = Loopback.closedPort(loopback);
        run(Endpoint.of(loopback.getHostAddress(), port), Loopback.refusal(loopback, port),
            List.of(loopback));
      });
    }
    // ADDRESS_FAMILY_MISMATCH both ways.
    scenarios.add(() -> familyMismatch(Loopback.V6, Loopback.V4));
    scenarios.add(() -> familyMismatch(Loopback.V4, Loopback.V6));
    // PROXY_REFUSED.
    scenarios.add(() -> {
      int proxyPort = Loopback.closedPort(Loopback.V4);
      Proxy proxy = new Proxy(Proxy.Type.HTTP, new InetSocketAddress(Loopback.V4, proxyPort));
      run(Endpoint.of("orders.internal", 8080).withProxy(proxy),
          Loopback.refusal(Loopback.V4, proxyPort), List.of());
    });
    // Descriptor exhaustion, port exhaustion, DNS failure, a reset.
    scenarios.add(() -> run(Endpoint.of("127.0.0.1", 9),
        new SocketException("Too many open files"), List.of()));
    scenarios.add(() -> run(Endpoint.of("127.0.0.1", 9),
        new java.net.BindException("Cannot assign requested address"), List.of()));
    scenarios.add(() -> run(Endpoint.of("orders.invalid", 443),
        new java.net.UnknownHostException("orders.invalid"), List.of()));
    scenarios.add(() -> run(Endpoint.of("127.0.0.1", 9),
        new SocketException("Connection reset"), List.of()));
    for (Runnable scenario : scenarios) {
      scenario.run();
    }
  }

  private static void familyMismatch(InetAddress listenOn, InetAddress dial) {
    try (ServerSocket server = Loopback.listen(listenOn, 0, 50)) {
      int port = server.getLocalPort();
      run(Endpoint.of(dial.getHostAddress(), port), Loopback.refusal(dial, port), List.of(dial));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void run(Endpoint endpoint, Throwable failure, List<InetAddress> own) {
    FakeSystemView system = FakeSystemView.recordingOnly();
    Diagnoser.builder().system(system).build().diagnose(endpoint, failure);
    assertInScope(system, endpoint, own);
  }
}
