package dev.refusal.internal.guard;

import dev.refusal.Ticker;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A clock read on every guarded call, good to about 50 ms: a field that one daemon thread
 * refreshes, instead of {@link System#nanoTime()}, which costs tens of nanoseconds in a virtual
 * machine. Idle expiry in minutes and "last success" in seconds need no more precision.
 */
public final class CoarseTicker implements Ticker {
  public static final CoarseTicker INSTANCE = new CoarseTicker();

  private static final long PERIOD_MILLIS = 50;
  /** How far the reading may lag {@link System#nanoTime()}, about. */
  public static final long PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(PERIOD_MILLIS);

  private volatile long now = System.nanoTime();

  private CoarseTicker() {
    ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "refusal-coarse-clock");
      t.setDaemon(true);
      return t;
    });
    refresher.scheduleAtFixedRate(() -> now = System.nanoTime(), PERIOD_MILLIS, PERIOD_MILLIS,
        TimeUnit.MILLISECONDS);
  }

  @Override
  public long read() {
    return now;
  }
}
