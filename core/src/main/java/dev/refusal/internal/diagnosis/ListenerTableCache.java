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
 * {@link #READ_CAP_NANOS}) and the next diagnoses use its table. A table in use for more than
 * half its life is read again in the background, so a steady stream of diagnoses keeps one at
 * hand.
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
  static final long READ_CAP_NANOS = TimeUnit.SECONDS.toNanos(2);

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

  /** A read of the table in progress. */
  private static final class Read {
    final SystemView system;
    final long startedNanos;
    final int generation;
    final CompletableFuture<Entry> done = new CompletableFuture<>();

    Read(SystemView system, long startedNanos, int generation) {
      this.system = system;
      this.startedNanos = startedNanos;
      this.generation = generation;
    }
  }

  private final ProbeExecutor reader = new ProbeExecutor(1, "refusal-listener-table-");
  private volatile Entry latest;
  private Read inFlight;
  /** Moved on by {@link #invalidate()}: reads begun before it are not shared or kept. */
  private volatile int generation;

  /**
   * A table that answers for {@code port}: the reused one while it is young and lists no
   * listener on the port, else the table of a read started no earlier than this call (for a
   * listener) or a moment before it (for absence), waited for until {@code deadlineNanos}. When
   * the deadline comes first, the table returned is not {@link ListenerTable#complete()}.
   */
  public Entry get(SystemView system, int port, long deadlineNanos) {
    long now = System.nanoTime();
    Entry e = latest;
    if (e != null && e.system == system && now - e.readAtNanos < MAX_AGE_NANOS
        && e.table.listenersOn(port).isEmpty()) {
      if (now - e.readAtNanos >= REFRESH_AFTER_NANOS) {
        start(system, now - REFRESH_AFTER_NANOS);
      }
      return e;
    }
    Entry read = await(start(system, now - REFRESH_AFTER_NANOS), system, deadlineNanos);
    if (read.readAtNanos - now < 0 && read.table.complete()
        && !read.table.listenersOn(port).isEmpty()) {
      // Begun before this call: the listener it shows may have stopped since.
      read = await(start(system, now), system, deadlineNanos);
    }
    return read;
  }

  /** Forgets the reused table: a probe just saw the host's listeners change. */
  public void invalidate() {
    synchronized (this) {
      generation++;
      latest = null;
    }
  }

  /**
   * The read in progress when it started no earlier than {@code notBeforeNanos}, else a new
   * one; null when the reading thread is still busy with an older read.
   */
  private Read start(SystemView system, long notBeforeNanos) {
    Read r;
    synchronized (this) {
      Read current = inFlight;
      if (current != null && current.system == system && current.generation == generation
          && current.startedNanos - notBeforeNanos >= 0) {
        return current;
      }
      if (current != null && !current.done.isDone()) {
        return null;
      }
      r = new Read(system, System.nanoTime(), generation);
      inFlight = r;
    }
    if (!reader.tryExecute(() -> run(r))) {
      synchronized (this) {
        if (inFlight == r) {
          inFlight = null;
        }
      }
      return null;
    }
    return r;
  }

  private void run(Read r) {
    try {
      Entry e = new Entry(ListenerTable.read(r.system, r.startedNanos + READ_CAP_NANOS),
          r.startedNanos, r.system);
      if (e.table.readable() && e.table.complete()) {
        synchronized (this) {
          if (r.generation == generation) {
            latest = e;
          }
        }
      }
      r.done.complete(e);
    } catch (RuntimeException | Error e) {
      r.done.completeExceptionally(e);
    }
  }

  /** The read's table, or a table read on this thread when no read could start. */
  private static Entry await(Read r, SystemView system, long deadlineNanos) {
    if (r == null) {
      long now = System.nanoTime();
      return new Entry(ListenerTable.read(system, deadlineNanos), now, system);
    }
    try {
      return r.done.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      return new Entry(ListenerTable.notReadYet(), r.startedNanos, system);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Entry(ListenerTable.notReadYet(), r.startedNanos, system);
    } catch (ExecutionException e) {
      return new Entry(ListenerTable.read(system, deadlineNanos), System.nanoTime(), system);
    }
  }
}
