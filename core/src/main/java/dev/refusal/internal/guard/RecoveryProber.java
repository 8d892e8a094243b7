package dev.refusal.internal.guard;

import dev.refusal.internal.diagnosis.SystemView;
import java.net.InetSocketAddress;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Watches an endpoint whose circuit is open with bare TCP connects (no request byte), backing off
 * between tries, and reports the first accept so trial calls can go through at once instead of
 * after a fixed open-state wait. One daemon thread serves every guard; a probe stops by itself
 * when the circuit leaves OPEN or the endpoint is forgotten.
 */
public final class RecoveryProber {

  private static final ScheduledThreadPoolExecutor SCHEDULER = scheduler();

  private final SystemView system;
  private final long initialNanos;
  private final long maxNanos;
  private final int dialTimeoutMillis;

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
}
