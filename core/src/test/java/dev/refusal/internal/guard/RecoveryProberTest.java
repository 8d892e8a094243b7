package dev.refusal.internal.guard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.refusal.internal.diagnosis.ProcFiles;
import dev.refusal.testing.FakeSystemView;
import dev.refusal.testing.Loopback;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Socket-count watches on the prober's thread; counts invented, dials real (loopback only). */
@DisplayName("RecoveryProber runs socket-count watches that always end and always say so")
class RecoveryProberTest {

  private final FakeSystemView system = FakeSystemView.noContainer()
      .file(ProcFiles.SOCKSTAT, "TCP: inuse 3 orphan 0\n")
      .file(ProcFiles.SOCKSTAT6, "TCP6: inuse 1\n");
  private final RecoveryProber prober = new RecoveryProber(system,
      TimeUnit.MINUTES.toNanos(1), TimeUnit.MINUTES.toNanos(1), 200);
  private final SocketCountWatch watch =
      new SocketCountWatch(system, 200, TimeUnit.MILLISECONDS.toNanos(100));

  @Test
  @DisplayName("where the counts cannot be read, the watch ends at once as unable to serve,"
      + " without a dial, so the guard falls back to plain dials")
  void noCountsCannotServe() throws Exception {
    system.file(ProcFiles.SOCKSTAT, null);
    CompletableFuture<Boolean> ended = new CompletableFuture<>();
    InetSocketAddress closed = new InetSocketAddress(Loopback.V4, Loopback.closedPort(Loopback.V4));

    prober.watchSocketCount(watch, () -> closed, () -> true, () -> true, () -> { },
        ended::complete);

    assertThat(ended.get(5, TimeUnit.SECONDS)).isFalse();
    assertThat(system.dialled()).isEmpty();
  }

  @Test
  @DisplayName("when calls stop arriving, the watch ends by itself and no look falls due")
  void endsWithoutCalls() throws Exception {
    CompletableFuture<Boolean> ended = new CompletableFuture<>();
    InetSocketAddress closed = new InetSocketAddress(Loopback.V4, Loopback.closedPort(Loopback.V4));
    AtomicInteger ticksAsked = new AtomicInteger();

    prober.watchSocketCount(watch, () -> closed, () -> true,
        () -> ticksAsked.incrementAndGet() < 5, () -> { }, ended::complete);

    assertThat(ended.get(5, TimeUnit.SECONDS)).isTrue();
    assertThat(watch.claimLook()).isFalse();
    assertThat(system.dialled()).as("the start's dial only").containsExactly(closed);
  }

  @Test
  @DisplayName("a service that accepts is reported once; a report that throws still ends the"
      + " watch and reaches the end callback")
  void acceptReportedAndThrowingCallbackContained() throws Exception {
    try (ServerSocket listening = Loopback.listen(Loopback.V4, 0, 50)) {
      InetSocketAddress address = (InetSocketAddress) listening.getLocalSocketAddress();
      CompletableFuture<Boolean> ended = new CompletableFuture<>();
      AtomicInteger reports = new AtomicInteger();

      prober.watchSocketCount(watch, () -> address, () -> true, () -> true, () -> {
        reports.incrementAndGet();
        throw new IllegalStateException("listener bug");
      }, ended::complete);

      assertThat(ended.get(5, TimeUnit.SECONDS)).isTrue();
      assertThat(reports).hasValue(1);
    }
  }
}
