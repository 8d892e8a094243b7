package dev.refusal.internal.diagnosis;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads that run work which may block past its budget: DNS lookups, user probes, async
 * diagnoses. Bounded, daemon, and idle threads exit, so a library in every service adds no
 * lasting threads; when all are busy, work is refused rather than queued, and the caller
 * carries on without it. Each diagnoser has its own, so a lookup blocked for one never takes a
 * thread from another.
 */
public final class ProbeExecutor {

  private final ThreadPoolExecutor pool;

  /** A pool of at most {@code maxThreads} daemon threads named {@code threadPrefix} and a number. */
  public ProbeExecutor(int maxThreads, String threadPrefix) {
    AtomicInteger n = new AtomicInteger();
    this.pool = new ThreadPoolExecutor(0, maxThreads, 10, TimeUnit.SECONDS,
        new SynchronousQueue<>(), r -> {
          Thread t = new Thread(r, threadPrefix + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
  }

  /** Runs {@code task} on a probe thread; false when every thread is busy. */
  public boolean tryExecute(Runnable task) {
    try {
      pool.execute(task);
      return true;
    } catch (RejectedExecutionException e) {
      return false;
    }
  }

  /**
   * Runs {@code work} and waits at most {@code timeoutNanos}; returns null when it did not finish
   * in time (it is then interrupted). The work's own exception is rethrown.
   *
   * @throws RejectedExecutionException when every thread is busy
   */
  public <T> T call(Callable<T> work, long timeoutNanos) throws Exception {
    if (timeoutNanos <= 0) {
      return null;
    }
    Future<T> future = pool.submit(work);
    try {
      return future.get(timeoutNanos, TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      return null;
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      return null;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof Exception) {
        throw (Exception) cause;
      }
      throw new IllegalStateException("probe failed", cause);
    }
  }
}
