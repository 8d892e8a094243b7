package dev.refusal.internal.guard;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads of one guard: a scheduler for retry waits and recovery watches, either the guard's
 * own or one the user gave it. The guard's own has two daemon threads that start on first use
 * and end after a few idle seconds, so a guard that never sees an outage holds no thread, and a
 * dial that blocks one thread never stops the other from running waits. One guard's threads
 * serve no other guard, so nothing one guard does can delay another's recovery.
 *
 * <p>Slow dials take the "dial lane": at most one at a time per guard, so at most one thread is
 * ever blocked on a dial.
 */
public final class GuardThreads implements AutoCloseable {
  private static final AtomicInteger GUARDS = new AtomicInteger();

  private final ScheduledExecutorService scheduler;
  private final boolean owned;
  private final AtomicBoolean dialLane = new AtomicBoolean();
  private volatile boolean closed;

  private GuardThreads(ScheduledExecutorService scheduler, boolean owned) {
    this.scheduler = scheduler;
    this.owned = owned;
  }

  /** The guard's own threads, named {@code refusal-guard-<n>-<m>}. */
  public static GuardThreads own() {
    int guard = GUARDS.incrementAndGet();
    AtomicInteger threads = new AtomicInteger();
    ThreadFactory factory = r -> {
      Thread t = new Thread(r, "refusal-guard-" + guard + "-" + threads.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
    ScheduledThreadPoolExecutor pool = new ScheduledThreadPoolExecutor(2, factory);
    pool.setKeepAliveTime(5, TimeUnit.SECONDS);
    pool.allowCoreThreadTimeOut(true);
    pool.setRemoveOnCancelPolicy(true);
    pool.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    return new GuardThreads(pool, true);
  }

  /** Threads the user owns: used, never shut down by {@link #close()}. */
  public static GuardThreads given(ScheduledExecutorService scheduler) {
    return new GuardThreads(scheduler, false);
  }

  /** Runs {@code task} after {@code delayNanos}; null when closed or refused. Never throws. */
  public ScheduledFuture<?> schedule(Runnable task, long delayNanos) {
    if (closed) {
      return null;
    }
    try {
      return scheduler.schedule(task, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException | NullPointerException e) {
      return null;
    }
  }

  /** Runs {@code task} soon; false when closed or refused. Never throws. */
  public boolean execute(Runnable task) {
    return schedule(task, 0) != null;
  }

  /** Takes the dial lane; true when this thread now holds it and must {@link #leaveLane()}. */
  boolean enterLane() {
    return dialLane.compareAndSet(false, true);
  }

  void leaveLane() {
    dialLane.set(false);
  }

  /** True once {@link #close()} ran. */
  public boolean isClosed() {
    return closed;
  }

  /** Stops scheduling; shuts the guard's own threads down (interrupting a blocked dial). */
  @Override
  public void close() {
    closed = true;
    if (owned) {
      scheduler.shutdownNow();
    }
  }
}
