package dev.refusal.internal.diagnosis;

import java.util.concurrent.TimeUnit;

/**
 * The last complete listener table a diagnoser read, reused for about a second. On a busy host
 * the kernel walks every socket, TIME_WAIT included, to produce {@code /proc/net/tcp}: tens of
 * milliseconds that a burst of diagnoses would otherwise pay each time. A cached table is used
 * only to show that a port has no listener, never to show one: a listener that stopped since
 * would otherwise read as a firewall. Thread-safe.
 */
public final class ListenerTableCache {

  /** How long a table is reused. */
  static final long MAX_AGE_NANOS = TimeUnit.SECONDS.toNanos(1);

  /** A table and when it was read, by {@link System#nanoTime()}. */
  public static final class Entry {
    public final ListenerTable table;
    public final long readAtNanos;
    final SystemView system;

    Entry(ListenerTable table, long readAtNanos, SystemView system) {
      this.table = table;
      this.readAtNanos = readAtNanos;
      this.system = system;
    }
  }

  private volatile Entry latest;

  /**
   * A table that answers for {@code port}: the cached one while it is young and lists no
   * listener on the port, else one read now (bounded by {@code deadlineNanos}).
   */
  public Entry get(SystemView system, int port, long deadlineNanos) {
    long now = System.nanoTime();
    Entry e = latest;
    if (e != null && e.system == system && now - e.readAtNanos < MAX_AGE_NANOS
        && e.table.listenersOn(port).isEmpty()) {
      return e;
    }
    Entry fresh = new Entry(ListenerTable.read(system, deadlineNanos), now, system);
    if (fresh.table.readable() && fresh.table.complete()) {
      latest = fresh;
    }
    return fresh;
  }

  /** Forgets the cached table: a probe just saw the host's listeners change. */
  public void invalidate() {
    latest = null;
  }
}
