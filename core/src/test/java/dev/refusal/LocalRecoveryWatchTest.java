package dev.refusal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.refusal.internal.diagnosis.ExactListenerLookup;
import dev.refusal.testing.FakeSystemView;
import dev.refusal.testing.FlappingServer;
import dev.refusal.testing.Loopback;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The guard's recovery watch for a service on this host, where the kernel answers exact
 * listener lookups: it dials nothing while the listener is away and lets calls through once it
 * is back. Real sockets on loopback; the system view only counts lookups and dials.
 */
@DisplayName("recovery of a service on this host, by the exact listener lookup")
class LocalRecoveryWatchTest {

  /** Waits for {@code condition}, making one rejected call per round, at most 10 s. */
  private static boolean callUntil(RefusalGuard guard, Endpoint endpoint, int port,
      BooleanSupplier condition) {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - end > 0) {
        return false;
      }
      catchThrowable(() -> guard.call(endpoint, () -> FlappingServer.fetch(Loopback.V4, port)));
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
    return true;
  }

  @Test
  @DisplayName("while calls arrive at the open circuit of a stopped local service, the watch"
      + " looks the port up and dials nothing; once a listener is back it dials once and lets"
      + " calls through")
  void dialsNothingWhileAwayAndNoticesTheReturn() throws Exception {
    assumeTrue(ExactListenerLookup.system() != null, "needs the exact lookup: Linux, JDK 22+"
        + " and --enable-native-access (the test build grants it on JDK 22+)");
    int port = Loopback.closedPort(Loopback.V4);
    InetSocketAddress address = new InetSocketAddress(Loopback.V4, port);
    FakeSystemView system = FakeSystemView.noContainer().exactListenerLookup(true);
    CountDownLatch leftOpen = new CountDownLatch(1);
    RefusalGuard guard = RefusalGuard.builder()
        .diagnoser(Diagnoser.builder().system(FakeSystemView.noContainer()).build())
        .system(system).maxAttempts(1).failureThreshold(1)
        .listener(new RefusalListener() {
          @Override
          public void circuitStateChanged(Endpoint e, CircuitState from, CircuitState to) {
            if (from == CircuitState.OPEN) {
              leftOpen.countDown();
            }
          }
        }).build();
    try (guard) {
      Endpoint endpoint = Endpoint.of("127.0.0.1", port);
      assertThat(catchThrowable(() -> guard.call(endpoint,
          () -> FlappingServer.fetch(Loopback.V4, port))))
          .isInstanceOf(DiagnosedConnectException.class);
      assertThat(guard.circuitState(endpoint)).isEqualTo(CircuitState.OPEN);

      int lookupsBefore = system.lookups();
      assertThat(callUntil(guard, endpoint, port, () -> system.lookups() >= lookupsBefore + 20))
          .as("20 lookups while calls arrive (%s made)", system.lookups()).isTrue();
      assertThat(system.dialled()).as("dials while nothing listens").doesNotContain(address);

      try (ServerSocket back = new ServerSocket(port, 50, Loopback.V4)) {
        long backAt = System.nanoTime();
        assertThat(callUntil(guard, endpoint, port, () -> leftOpen.getCount() == 0))
            .as("the circuit leaves OPEN once the service listens again").isTrue();
        long noticedMillis = (System.nanoTime() - backAt) / 1_000_000;
        assertThat(system.dialled()).as("a confirming dial (noticed after %s ms)", noticedMillis)
            .contains(address);
        assertThat(guard.circuitState(endpoint)).isNotEqualTo(CircuitState.OPEN);
      }
    }
  }
}
