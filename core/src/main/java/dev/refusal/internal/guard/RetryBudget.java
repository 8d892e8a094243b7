package dev.refusal.internal.guard;

import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Caps retries to a fraction of calls, as Finagle's RetryBudget does: every first attempt
 * deposits {@code ratio} of a token, a floor of {@code minPerSecond} tokens accrues with time,
 * and every retry withdraws one. During an outage retries therefore stay near {@code ratio} of
 * the traffic plus the floor, and never multiply load on a service that is recovering.
 *
 * <p>Thread-safe. A call's deposit is a {@link LongAdder} increment (no lock, no allocation);
 * the deposits are folded into the balance under a lock only when a retry asks for a token.
 */
public final class RetryBudget {
  private final double ratio;
  private final double minPerSecond;
  private final double capacity;
  private final LongSupplier nanoTime;
  private final LongAdder calls = new LongAdder();
  private double balance;
  private long refilledAt;
  private long callsFolded;

  public RetryBudget(double ratio, int minPerSecond, LongSupplier nanoTime) {
    this.ratio = ratio;
    this.minPerSecond = minPerSecond;
    // Room for ten seconds of floor or a thousand calls' share, whichever is more, so a burst
    // after a quiet spell is not starved and a long quiet spell does not bank unbounded retries.
    this.capacity = Math.max(minPerSecond * 10.0, ratio * 1_000);
    this.nanoTime = nanoTime;
    this.balance = minPerSecond;
    this.refilledAt = nanoTime.getAsLong();
  }

  /** Records a first attempt (not a retry). */
  public void deposit() {
    calls.increment();
  }

  /** Takes one retry from the budget; false when it is spent. */
  public synchronized boolean tryWithdraw() {
    refill();
    if (balance >= 1) {
      balance -= 1;
      return true;
    }
    return false;
  }

  private void refill() {
    long total = calls.sum();
    balance = Math.min(capacity, balance + ratio * (total - callsFolded));
    callsFolded = total;
    long now = nanoTime.getAsLong();
    long elapsed = now - refilledAt;
    if (elapsed > 0) {
      balance = Math.min(capacity, balance + minPerSecond * elapsed / 1e9);
      refilledAt = now;
    }
  }
}
