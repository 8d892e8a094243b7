package dev.refusal.internal.guard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.refusal.internal.diagnosis.ProcFiles;
import dev.refusal.testing.FakeSystemView;
import dev.refusal.testing.Loopback;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The counts are invented (so no other socket on the machine moves them); the dials are real,
 * to a closed, a listening or a full listening port on loopback.
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

  private long tick() {
    return watch.tick(() -> SocketCount.read(system)) == SocketCountWatch.Seen.ACCEPTED ? 1 : 0;
  }

  private static InetSocketAddress closed() {
    return new InetSocketAddress(Loopback.V4, Loopback.closedPort(Loopback.V4));
  }

  private void started(InetSocketAddress address) {
    assertThat(watch.start(address)).isEqualTo(SocketCountWatch.Seen.NOTHING);
    watch.resume();
  }

  @Test
  @DisplayName("starts with one dial, then, while the count stands still, dials no more however"
      + " many looks are taken within half a second")
  void stillCountNoDials() {
    count(5, 1);
    InetSocketAddress address = closed();
    started(address);
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
    int looks = 0;
    while (System.nanoTime() < end && looks < 1_000) {
      tick();
      if (watch.claimLook()) {
        assertThat(watch.look()).isFalse();
        looks++;
      }
    }

    assertThat(looks).isGreaterThan(10);
    assertThat(system.dialled()).containsExactly(address);
  }

  @Test
  @DisplayName("with the count still, it dials again once half a second has passed: a listener"
      + " may open while another socket closes")
  void stillCountDialsEveryHalfSecond() throws Exception {
    count(5, 1);
    started(closed());
    Thread.sleep(TimeUnit.NANOSECONDS.toMillis(SocketCountWatch.STILL_COUNT_DIAL_NANOS) + 20);
    tick();
    assertThat(watch.claimLook()).isTrue();
    watch.look();

    assertThat(system.dialled()).hasSize(2);
  }

  @Test
  @DisplayName("a call takes a look only when one fell due, once per tick, and only one caller"
      + " gets it")
  void oneLookPerTick() {
    count(5, 1);
    started(closed());

    assertThat(watch.claimLook()).as("nothing is due before the first tick").isFalse();
    tick();
    assertThat(watch.claimLook()).isTrue();
    assertThat(watch.claimLook()).as("a second caller, while the first looks").isFalse();
    watch.look();
    assertThat(watch.claimLook()).as("after the look, until the next tick").isFalse();
    tick();
    assertThat(watch.claimLook()).isTrue();
  }

  @Test
  @DisplayName("the count moves because the service listens again: the next look dials and"
      + " sees it accept")
  void serviceReturns() throws Exception {
    count(5, 1);
    int port = Loopback.closedPort(Loopback.V4);
    started(new InetSocketAddress(Loopback.V4, port));
    tick();

    try (ServerSocket back = Loopback.listen(Loopback.V4, port, 50)) {
      count(5, 2);
      assertThat(watch.claimLook()).isTrue();
      assertThat(watch.look()).isTrue();
    }
    assertThat(system.dialled()).hasSize(2);
  }

  @Test
  @DisplayName("a look no call took is taken by the next tick, so a watch without calls still"
      + " sees the return")
  void tickTakesUntakenLook() throws Exception {
    count(5, 1);
    int port = Loopback.closedPort(Loopback.V4);
    started(new InetSocketAddress(Loopback.V4, port));
    assertThat(tick()).as("the first tick only marks a look due").isZero();

    try (ServerSocket back = Loopback.listen(Loopback.V4, port, 50)) {
      count(6, 1);
      assertThat(tick()).isEqualTo(1);
    }
  }

  @Test
  @DisplayName("on a host whose count never stands still, dials come at doubling gaps up to the"
      + " longest gap, not at every look")
  void churningHostIsDialledSparingly() {
    InetSocketAddress address = closed();
    count(100, 0);
    started(address);
    int looks = 0;
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
    for (int v = 101; System.nanoTime() < end && looks < 100_000; v++) {
      count(v, 0);
      tick();
      if (watch.claimLook()) {
        watch.look();
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
  @DisplayName("a caller's dial that times out (a full accept queue) leaves the looks to the"
      + " tick, so rejected calls never wait for a slow dial again")
  void slowDialLeavesLooksToTheTick() throws Exception {
    count(5, 1);
    List<Socket> queued = new ArrayList<>();
    try (ServerSocket full = Loopback.listen(Loopback.V4, 0, 1)) {
      // Backlog 1 holds two connections that are never accepted; later SYNs are dropped.
      for (int i = 0; i < 2; i++) {
        Socket s = new Socket();
        s.connect(full.getLocalSocketAddress(), 1_000);
        queued.add(s);
      }
      InetSocketAddress address = (InetSocketAddress) full.getLocalSocketAddress();
      assertThat(watch.start(address)).isEqualTo(SocketCountWatch.Seen.NOTHING);
      watch.resume();
      tick();
      count(6, 1);

      assertThat(watch.claimLook()).isTrue();
      long start = System.nanoTime();
      assertThat(watch.look()).isFalse();
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
          .as("the caller waited for the 10 ms caller timeout, not the tick's 200 ms")
          .isLessThan(150);
      tick();
      assertThat(watch.claimLook()).as("callers no longer take looks").isFalse();
    } finally {
      for (Socket s : queued) {
        s.close();
      }
    }
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
  @DisplayName("after stop, no look falls due until the watch resumes")
  void stopEndsLooks() {
    count(5, 1);
    started(closed());
    watch.stop();
    tick();
    assertThat(watch.claimLook()).isFalse();

    watch.resume();
    tick();
    assertThat(watch.claimLook()).isTrue();
  }
}
