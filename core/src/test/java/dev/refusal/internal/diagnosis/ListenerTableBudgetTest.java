package dev.refusal.internal.diagnosis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.refusal.testing.FakeSystemView;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The listener table read within a deadline, and its short-lived cache. The tables are invented
 * (a host with tens of thousands of sockets cannot be made in a unit test; the benchmark makes
 * one); the parsing and the deadline are the real ones.
 */
@DisplayName("The listener table keeps to the budget")
class ListenerTableBudgetTest {

  private static final String HEADER = "  sl  local_address rem_address   st tx_queue rx_queue tr"
      + " tm->when retrnsmt   uid  timeout inode";

  /** A tcp table of {@code timeWait} TIME_WAIT rows, then a LISTEN row on {@code port}. */
  private static String table(int timeWait, int port) {
    StringBuilder sb = new StringBuilder(HEADER).append('\n');
    for (int i = 0; i < timeWait; i++) {
      sb.append(String.format(Locale.ROOT, "%4d: 0100007F:%04X 0100007F:1F90 06 00000000:00000000"
          + " 03:00000AA4 00000000     0        0 0 3 0000000000000000%n", i, 10_000 + i % 50_000));
    }
    sb.append(String.format(Locale.ROOT, "%4d: 0100007F:%04X 00000000:0000 0A 00000000:00000000"
        + " 00:00000000 00000000  1000        0 12345 1 0000000000000000 100 0 0 10 0%n",
        timeWait, port));
    return sb.toString();
  }

  private static FakeSystemView host(int timeWait, int port) {
    return FakeSystemView.noContainer().file(ProcFiles.TCP, table(timeWait, port))
        .file(ProcFiles.TCP6, HEADER + "\n");
  }

  @Test
  @DisplayName("a deadline already passed stops the read: the table is incomplete, so it proves"
      + " no absence")
  void deadlineCutsTheReadShort() {
    ListenerTable t = ListenerTable.read(host(20_000, 8080), System.nanoTime() - 1);

    assertThat(t.readable()).isTrue();
    assertThat(t.complete()).isFalse();
    assertThat(t.sockets()).isLessThan(20_001);
  }

  @Test
  @DisplayName("with time to spare every row is read, the listener after 20,000 TIME_WAIT rows"
      + " included")
  void wholeTableWithinTheDeadline() {
    ListenerTable t = ListenerTable.read(host(20_000, 8080),
        System.nanoTime() + TimeUnit.MINUTES.toNanos(1));

    assertThat(t.complete()).isTrue();
    assertThat(t.count(ListenerTable.TIME_WAIT)).isEqualTo(20_000);
    assertThat(t.listenersOn(8080)).hasSize(1);
  }

  @Test
  @DisplayName("the cache answers a second diagnosis of a port with no listener without reading"
      + " again, and reads again for a port that has one")
  void cacheShowsOnlyAbsence() {
    FakeSystemView system = host(10, 8080);
    ListenerTableCache cache = new ListenerTableCache();
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);

    ListenerTableCache.Entry first = cache.get(system, 9090, deadline);
    ListenerTableCache.Entry again = cache.get(system, 9090, deadline);
    ListenerTableCache.Entry withListener = cache.get(system, 8080, deadline);

    assertThat(again).isSameAs(first);
    assertThat(withListener).isNotSameAs(first);
    assertThat(withListener.table.listenersOn(8080)).hasSize(1);
  }

  @Test
  @DisplayName("invalidate makes the next diagnosis read the table afresh")
  void invalidate() {
    FakeSystemView system = host(10, 8080);
    ListenerTableCache cache = new ListenerTableCache();
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);

    ListenerTableCache.Entry first = cache.get(system, 9090, deadline);
    cache.invalidate();

    assertThat(cache.get(system, 9090, deadline)).isNotSameAs(first);
  }

  @Test
  @DisplayName("a table whose read was cut short is never reused: the next diagnosis reads again")
  void incompleteNotCached() {
    GatedView system = new GatedView(host(20_000, 8080), new CountDownLatch(0));
    system.cutShort.set(1);
    ListenerTableCache cache = new ListenerTableCache();
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);

    ListenerTableCache.Entry cut = cache.get(system, 9090, deadline);
    ListenerTableCache.Entry next = cache.get(system, 9090, deadline);

    assertThat(cut.table.readable()).isTrue();
    assertThat(cut.table.complete()).isFalse();
    assertThat(next).isNotSameAs(cut);
    assertThat(next.table.complete()).isTrue();
    assertThat(system.tcpReads).hasValue(2);
  }

  /**
   * The invented host, whose table reads wait for {@code gate} and are counted; the first
   * {@code cutShort} of them stop as a read past its deadline does.
   */
  private static final class GatedView implements SystemView {
    final SystemView inner;
    final CountDownLatch gate;
    final AtomicInteger tcpReads = new AtomicInteger();
    final AtomicInteger cutShort = new AtomicInteger();

    GatedView(SystemView inner, CountDownLatch gate) {
      this.inner = inner;
      this.gate = gate;
    }

    @Override
    public Read readLines(String path, long deadlineNanos, Consumer<String> sink) {
      if (path.equals(ProcFiles.TCP)) {
        tcpReads.incrementAndGet();
        try {
          gate.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        if (cutShort.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
          return inner.readLines(path, System.nanoTime() - 1, sink);
        }
      }
      return inner.readLines(path, deadlineNanos, sink);
    }

    @Override
    public Dial dial(InetSocketAddress address, int timeoutMillis) {
      return inner.dial(address, timeoutMillis);
    }

    @Override
    public String readFile(String path) {
      return inner.readFile(path);
    }

    @Override
    public boolean fileExists(String path) {
      return inner.fileExists(path);
    }

    @Override
    public String env(String name) {
      return inner.env(name);
    }

    @Override
    public Map<InetAddress, String> localAddresses() {
      return inner.localAddresses();
    }

    @Override
    public FdUsage fdUsage() {
      return inner.fdUsage();
    }
  }

  @Test
  @DisplayName("a read that outlasts a diagnosis's deadline goes on; the next diagnosis uses its"
      + " table instead of reading again")
  void slowReadServesTheNextDiagnosis() {
    CountDownLatch gate = new CountDownLatch(1);
    GatedView system = new GatedView(host(10, 8080), gate);
    ListenerTableCache cache = new ListenerTableCache();

    ListenerTableCache.Entry cut = cache.get(system, 9090,
        System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20));
    gate.countDown();
    ListenerTableCache.Entry next = cache.get(system, 9090,
        System.nanoTime() + TimeUnit.MINUTES.toNanos(1));
    ListenerTableCache.Entry third = cache.get(system, 9090,
        System.nanoTime() + TimeUnit.MINUTES.toNanos(1));

    assertThat(cut.table.complete()).as("the first diagnosis had to go on without it").isFalse();
    assertThat(next.table.complete()).isTrue();
    assertThat(next.table.listenersOn(9090)).isEmpty();
    assertThat(third).isSameAs(next);
    assertThat(system.tcpReads).hasValue(1);
  }

  @Test
  @DisplayName("diagnoses that arrive while a slow read runs never read the table themselves:"
      + " one read runs and at most one follows it, and a table reused after invalidate() is"
      + " never one begun before it")
  void oneReadAtATime() {
    CountDownLatch gate = new CountDownLatch(1);
    GatedView system = new GatedView(host(10, 8080), gate);
    ListenerTableCache cache = new ListenerTableCache();

    for (int i = 0; i < 20; i++) {
      ListenerTableCache.Entry e = cache.get(system, i % 2 == 0 ? 9090 : 8080,
          System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2));
      assertThat(e.table.complete()).isFalse();
      if (i == 10) {
        cache.invalidate();
      }
    }
    gate.countDown();
    ListenerTableCache.Entry after = cache.get(system, 8080,
        System.nanoTime() + TimeUnit.MINUTES.toNanos(1));

    assertThat(after.table.listenersOn(8080)).hasSize(1);
    assertThat(system.tcpReads.get()).isBetween(1, 3);
  }
}
