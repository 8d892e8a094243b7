package dev.refusal.internal.guard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.refusal.internal.diagnosis.ProcFiles;
import dev.refusal.testing.FakeSystemView;
import dev.refusal.testing.Loopback;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The counts are invented (so no other socket on the machine moves them); the dials are real,
 * to a closed or a listening port on loopback.
 */
@DisplayName("SocketCountWatch dials only when the host's socket count moved")
class SocketCountWatchTest {

  private final FakeSystemView system = FakeSystemView.noContainer();
  private final SocketCountWatch watch =
      new SocketCountWatch(system, 200, TimeUnit.MILLISECONDS.toNanos(50));

  private void count(int v4, int v6) {
    system.file(ProcFiles.SOCKSTAT, "sockets: used 9\nTCP: inuse " + v4 + " orphan 0 tw 0\n");
    system.file(ProcFiles.SOCKSTAT6, "TCP6: inuse " + v6 + "\n");
  }

  private static InetSocketAddress closed() {
    return new InetSocketAddress(Loopback.V4, Loopback.closedPort(Loopback.V4));
  }

  @Test
  @DisplayName("starts with one dial, then, while the count stands still, dials no more however"
      + " many looks are taken")
  void stillCountNoDials() {
    count(5, 1);
    InetSocketAddress address = closed();

    assertThat(watch.start(address)).isEqualTo(SocketCountWatch.Seen.NOTHING);
    for (int i = 0; i < 1_000; i++) {
      watch.tick(address);
      if (watch.claimLook()) {
        assertThat(watch.look(address)).isFalse();
      }
    }

    assertThat(system.dialled()).containsExactly(address);
  }

  @Test
  @DisplayName("a call takes a look only when one fell due, once per tick, and only one caller"
      + " gets it")
  void oneLookPerTick() {
    count(5, 1);
    InetSocketAddress address = closed();
    watch.start(address);

    assertThat(watch.claimLook()).as("nothing is due before the first tick").isFalse();
    watch.tick(address);
    assertThat(watch.claimLook()).isTrue();
    assertThat(watch.claimLook()).as("a second caller, while the first looks").isFalse();
    watch.look(address);
    assertThat(watch.claimLook()).as("after the look, until the next tick").isFalse();
    watch.tick(address);
    assertThat(watch.claimLook()).isTrue();
  }

  @Test
  @DisplayName("the count moves because the service listens again: the next look dials and"
      + " sees it accept")
  void serviceReturns() throws Exception {
    count(5, 1);
    int port = Loopback.closedPort(Loopback.V4);
    InetSocketAddress address = new InetSocketAddress(Loopback.V4, port);
    watch.start(address);
    watch.tick(address);

    try (ServerSocket back = Loopback.listen(Loopback.V4, port, 50)) {
      count(6, 1);
      assertThat(watch.claimLook()).isTrue();
      assertThat(watch.look(address)).isTrue();
    }
    assertThat(system.dialled()).hasSize(2);
  }

  @Test
  @DisplayName("a look no call took is taken by the next tick, so a watch without calls still"
      + " sees the return")
  void tickTakesUntakenLook() throws Exception {
    count(5, 1);
    int port = Loopback.closedPort(Loopback.V4);
    InetSocketAddress address = new InetSocketAddress(Loopback.V4, port);
    watch.start(address);
    assertThat(watch.tick(address)).as("the first tick only marks a look due")
        .isEqualTo(SocketCountWatch.Seen.NOTHING);

    try (ServerSocket back = Loopback.listen(Loopback.V4, port, 50)) {
      count(6, 1);
      assertThat(watch.tick(address)).isEqualTo(SocketCountWatch.Seen.ACCEPTED);
    }
  }

  @Test
  @DisplayName("on a host whose count never stands still, dials come at doubling gaps up to the"
      + " longest gap, not at every look")
  void churningHostIsDialledSparingly() {
    InetSocketAddress address = closed();
    count(100, 0);
    watch.start(address);
    int looks = 0;
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
    for (int v = 101; System.nanoTime() < end && looks < 100_000; v++) {
      count(v, 0);
      watch.tick(address);
      if (watch.claimLook()) {
        watch.look(address);
        looks++;
      }
    }

    int dials = system.dialled().size();
    assertThat(looks).isGreaterThan(1_000);
    // Gaps 2, 4, 8, 16, 32 ms, then 50 ms: about 6 dials in the first 100 ms, 4 more to 300 ms.
    assertThat(dials).as("dials in 300 ms of a count that moves at every look")
        .isBetween(4, 14);
  }

  @Test
  @DisplayName("where the counts cannot be read, start says so and dials nothing")
  void noCountNoWatch() {
    system.file(ProcFiles.SOCKSTAT, null).file(ProcFiles.SOCKSTAT6, null);

    assertThat(watch.start(closed())).isEqualTo(SocketCountWatch.Seen.NO_COUNT);
    assertThat(watch.started()).isFalse();
    assertThat(system.dialled()).isEmpty();
  }

  @Test
  @DisplayName("after stop, no look falls due")
  void stopEndsLooks() {
    count(5, 1);
    InetSocketAddress address = closed();
    watch.start(address);
    watch.stop();
    watch.tick(address);

    assertThat(watch.claimLook()).isFalse();
  }
}
