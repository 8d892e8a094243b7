package dev.refusal.jdkhttp;

import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Daemon threads that resolve host names for {@code sendAsync} on clients without an executor of
 * their own, created on first use. Bounded: when every thread is busy, the caller resolves.
 */
final class Resolvers {

  private static final int MAX_THREADS = 16;
  private static final AtomicInteger COUNT = new AtomicInteger();

  static final ThreadPoolExecutor POOL = new ThreadPoolExecutor(0, MAX_THREADS, 30,
      TimeUnit.SECONDS, new SynchronousQueue<>(), daemonThreads());

  private Resolvers() {}

  private static ThreadFactory daemonThreads() {
    return runnable -> {
      Thread t = new Thread(runnable, "refusal-jdkhttp-resolver-" + COUNT.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
