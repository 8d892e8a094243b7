package dev.refusal.internal.guard;

import dev.refusal.internal.diagnosis.SystemView;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Watches an endpoint whose circuit is open with bare TCP connects (no request byte), backing off
 * between tries, and reports the first accept so trial calls can go through at once instead of
 * after a fixed open-state wait. For a service on this host, while calls keep arriving, it
 * watches the host's TCP socket count instead and dials only when the count moved, so it notices
 * the return within milliseconds while dialling a few times per outage. One daemon thread serves
 * every guard; a watch stops by itself when the circuit leaves OPEN or the endpoint is forgotten.
 */
public final class RecoveryProber {

  private static final ScheduledThreadPoolExecutor SCHEDULER = scheduler();

  private final SystemView system;
  private final long initialNanos;
  private final long maxNanos;
  private final int dialTimeoutMillis;
  // Scheduler thread only.
  private long tickCount;
  private long countReadAt;

  public RecoveryProber(SystemView system, long initialNanos, long maxNanos,
      int dialTimeoutMillis) {
    this.system = system;
    this.initialNanos = initialNanos;
    this.maxNanos = maxNanos;
    this.dialTimeoutMillis = dialTimeoutMillis;
  }

  private static ScheduledThreadPoolExecutor scheduler() {
    ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "refusal-recovery-probe");
      t.setDaemon(true);
      return t;
    });
    s.setRemoveOnCancelPolicy(true);
    return s;
  }

  /**
   * Starts watching. {@code target} names the address to dial (null: nothing to dial yet, try
   * later); {@code keepGoing} is checked before every try; {@code onAccepted} runs once.
   */
  public void watch(Supplier<InetSocketAddress> target, BooleanSupplier keepGoing,
      Runnable onAccepted) {
    schedule(target, keepGoing, onAccepted, initialNanos);
  }

  /**
   * Dials once, now, on the probe thread (for a call that found the circuit open); runs {@code
   * onAccepted} when the dial is accepted and {@code keepGoing} still holds, and {@code done}
   * in every case.
   */
  public void probeOnce(Supplier<InetSocketAddress> target, BooleanSupplier keepGoing,
      Runnable onAccepted, Runnable done) {
    try {
      SCHEDULER.execute(() -> {
        try {
          InetSocketAddress address = target.get();
          if (keepGoing.getAsBoolean() && address != null
              && system.dial(address, dialTimeoutMillis) == SystemView.Dial.ACCEPTED
              && keepGoing.getAsBoolean()) {
            onAccepted.run();
          }
        } finally {
          done.run();
        }
      });
    } catch (RuntimeException e) {
      done.run();
    }
  }

  private void schedule(Supplier<InetSocketAddress> target, BooleanSupplier keepGoing,
      Runnable onAccepted, long delayNanos) {
    SCHEDULER.schedule(() -> {
      if (!keepGoing.getAsBoolean()) {
        return;
      }
      InetSocketAddress address = target.get();
      if (address != null
          && system.dial(address, dialTimeoutMillis) == SystemView.Dial.ACCEPTED) {
        if (keepGoing.getAsBoolean()) {
          onAccepted.run();
        }
        return;
      }
      schedule(target, keepGoing, onAccepted,
          Math.min(maxNanos, (long) (delayNanos * 1.6)));
    }, delayNanos, TimeUnit.NANOSECONDS);
  }

  /**
   * Watches an endpoint on this host through {@code watch} while {@code keepGoing} and {@code
   * callsArriving} hold: on its first burst fixes the address and dials once, then marks a look
   * due every {@link SocketCountWatch#TICK_NANOS}, taking the look itself when no call took it,
   * and runs {@code onAccepted} at the first accept it sees. {@code ended} runs once at the end
   * of the burst with {@code false} when the watch cannot serve this endpoint (not on this host,
   * or no socket counters here), so the caller falls back to plain dials. Never throws.
   */
  public void watchSocketCount(SocketCountWatch watch, Supplier<InetSocketAddress> target,
      BooleanSupplier keepGoing, BooleanSupplier callsArriving, Runnable onAccepted,
      Consumer<Boolean> ended) {
    Runnable[] tick = new Runnable[1];
    tick[0] = () -> {
      boolean again = false;
      boolean servable = true;
      try {
        if (!keepGoing.getAsBoolean()) {
          return;
        }
        SocketCountWatch.Seen seen;
        if (!watch.started()) {
          InetSocketAddress address = target.get();
          if (address == null || address.getAddress() == null) {
            return;
          }
          servable = onThisHost(address.getAddress());
          seen = servable ? watch.start(address) : SocketCountWatch.Seen.NO_COUNT;
          servable = seen != SocketCountWatch.Seen.NO_COUNT;
          watch.resume();
        } else if (callsArriving.getAsBoolean()) {
          watch.resume();
          seen = watch.tick(this::countForTick);
        } else {
          return;
        }
        if (seen == SocketCountWatch.Seen.ACCEPTED) {
          if (keepGoing.getAsBoolean()) {
            onAccepted.run();
          }
        } else if (seen == SocketCountWatch.Seen.NOTHING) {
          again = true;
        }
      } catch (RuntimeException e) {
        // A callback that throws ends the watch; the background probe still runs.
        again = false;
      } finally {
        if (again) {
          try {
            SCHEDULER.schedule(tick[0], SocketCountWatch.TICK_NANOS, TimeUnit.NANOSECONDS);
          } catch (RuntimeException e) {
            again = false;
          }
        }
        if (!again) {
          watch.stop();
          ended.accept(servable);
        }
      }
    };
    try {
      SCHEDULER.execute(tick[0]);
    } catch (RuntimeException e) {
      ended.accept(true);
    }
  }

  /**
   * The socket count for the watches' ticks, read at most once per tick period: every watch the
   * one scheduler thread serves shares it, so many open circuits on this host cost one read.
   * Only the scheduler thread calls this.
   */
  private long countForTick() {
    long now = System.nanoTime();
    if (countReadAt == 0 || now - countReadAt >= SocketCountWatch.TICK_NANOS / 2) {
      tickCount = SocketCount.read(system);
      countReadAt = now;
    }
    return tickCount;
  }

  /** True when {@code address} is this host's: loopback, the wildcard, or an interface's. */
  private boolean onThisHost(InetAddress address) {
    return address.isLoopbackAddress() || address.isAnyLocalAddress()
        || system.localAddresses().containsKey(address);
  }
}
