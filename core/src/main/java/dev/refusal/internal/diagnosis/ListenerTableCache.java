package dev.refusal.internal.diagnosis;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The listener table of one diagnoser: read on a thread of its own, shared by the diagnoses
 * waiting for it, and reused for about a second. On a busy host the kernel walks every socket,
 * TIME_WAIT included, to produce {@code /proc/net/tcp}: tens of milliseconds, more than a short
 * budget. A diagnosis waits for the read only until its own deadline; the read goes on (at most
 * {@link #READ_CAP_NANOS}) and the next diagnoses use its table. At most one read runs and one
 * more waits to follow it, whatever the number of diagnoses; no diagnosis reads the table on its
 * own thread. A table in use for more than half its life is read again in the background, so a
 * steady stream of diagnoses keeps one at hand.
 *
 * <p>A reused table is used only to show that a port has no listener, never to show one: a
 * listener that stopped since would otherwise read as a firewall. Thread-safe.
 */
public final class ListenerTableCache {

  /** How long a table is reused. */
  static final long MAX_AGE_NANOS = TimeUnit.SECONDS.toNanos(1);
  /** A table older than this is read again in the background when it is used. */
  static final long REFRESH_AFTER_NANOS = MAX_AGE_NANOS / 2;
  /** The longest one read of the table may take, whoever waits for it. */
  static final long READ_CAP_NANOS = MAX_AGE_NANOS;

  /** A table and when its read started, by {@link System#nanoTime()}. */
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

  /** A read of the table, running, done, or waiting to follow the running one. */
  private static final class Read {
    final SystemView system;
    final int generation;
    /** When it began, by {@link System#nanoTime()}; set under the cache's lock. */
    long startedNanos;
    final CompletableFuture<Entry> done = new CompletableFuture<>();

    Read(SystemView system, int generation) {
      this.system = system;
      this.generation = generation;
    }
  }

  private final ProbeExecutor reader = new ProbeExecutor(1, "refusal-listener-table-");
  private volatile Entry latest;
  // Guarded by this.
  private Read current;
  private Read next;
  private boolean readerRunning;
  /** Moved on by {@link #invalidate()}: reads begun before it are not shared or kept. */
  private int generation;

  /**
   * A table that answers for {@code port}: the reused one while it is young and lists no
   * listener on the port, else the table of a read begun no earlier than this call (for a
   * listener) or a moment before it (for absence), waited for until {@code deadlineNanos}. When
   * the deadline comes first, the table returned is not {@link ListenerTable#complete()}.
   */
  public Entry get(SystemView system, int port, long deadlineNanos) {
    long now = System.nanoTime();
    Entry e = latest;
    if (e != null && e.system == system && now - e.readAtNanos < MAX_AGE_NANOS
        && e.table.listenersOn(port).isEmpty()) {
      if (now - e.readAtNanos >= REFRESH_AFTER_NANOS) {
        request(system, now - REFRESH_AFTER_NANOS);
      }
      return e;
    }
    Entry read = await(request(system, now - REFRESH_AFTER_NANOS), system, deadlineNanos);
    if (read.readAtNanos - now < 0 && read.table.complete()
        && !read.table.listenersOn(port).isEmpty()) {
      // Begun before this call: the listener it shows may have stopped since.
      read = await(request(system, now), system, deadlineNanos);
    }
    return read;
  }

  /** Forgets the reused table: a probe just saw the host's listeners change. */
  public synchronized void invalidate() {
    generation++;
    latest = null;
  }

  /**
   * A read that begins, or began, no earlier than {@code notBeforeNanos}: the running one if it
   * did, else the one that follows it (made now if there is none), else a new one started now.
   */
  private Read request(SystemView system, long notBeforeNanos) {
    Read r;
    synchronized (this) {
      Read c = current;
      if (c != null && c.system == system && c.generation == generation
          && c.startedNanos - notBeforeNanos >= 0) {
        return c;
      }
      Read n = next;
      if (n != null && n.system == system && n.generation == generation) {
        return n;
      }
      r = new Read(system, generation);
      if (readerRunning) {
        // The running read ends within its cap; this one follows it on the same thread.
        if (n != null) {
          n.done.complete(new Entry(ListenerTable.notReadYet(), System.nanoTime(), n.system));
        }
        next = r;
        return r;
      }
      begin(r);
      readerRunning = true;
    }
    try {
      if (reader.tryExecute(this::readAll)) {
        return r;
      }
    } catch (RuntimeException | Error e) {
      // No thread could be made: like a busy reader, the table is not read now.
    }
    Read dropped;
    synchronized (this) {
      readerRunning = false;
      dropped = next;
      next = null;
    }
    r.done.complete(new Entry(ListenerTable.notReadYet(), r.startedNanos, system));
    if (dropped != null) {
      dropped.done.complete(new Entry(ListenerTable.notReadYet(), System.nanoTime(),
          dropped.system));
    }
    return r;
  }

  private void begin(Read r) {
    r.startedNanos = System.nanoTime();
    current = r;
  }

  /** Runs the current read, then the one that followed it, until none is left. */
  private void readAll() {
    while (true) {
      Read r;
      synchronized (this) {
        r = current;
      }
      read(r);
      synchronized (this) {
        if (next == null) {
          readerRunning = false;
          return;
        }
        begin(next);
        next = null;
      }
    }
  }

  private void read(Read r) {
    try {
      Entry e = new Entry(ListenerTable.read(r.system, r.startedNanos + READ_CAP_NANOS),
          r.startedNanos, r.system);
      boolean kept = e.table.readable() && e.table.complete();
      synchronized (this) {
        if (kept && r.generation == generation) {
          latest = e;
        } else if (!kept) {
          forget(r);
        }
      }
      r.done.complete(e);
    } catch (RuntimeException | Error e) {
      synchronized (this) {
        forget(r);
      }
      r.done.complete(new Entry(ListenerTable.notReadYet(), r.startedNanos, r.system));
    }
  }

  /** A read that proves nothing is not shared with the diagnoses that come after it. */
  private void forget(Read r) {
    if (current == r) {
      current = null;
    }
  }

  /** The read's table once it is done, or a table that proves nothing if the deadline is first. */
  private static Entry await(Read r, SystemView system, long deadlineNanos) {
    try {
      return r.done.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException | ExecutionException e) {
      return new Entry(ListenerTable.notReadYet(), System.nanoTime(), system);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Entry(ListenerTable.notReadYet(), System.nanoTime(), system);
    }
  }
}
