package dev.refusal.internal.diagnosis;

import java.util.function.LongSupplier;

/**
 * A token bucket refilled at {@code perSecond}, holding at most one second's worth. Guards the
 * probes globally, so attacker-chosen host names cannot make the library dial at will.
 */
public final class RateLimiter {
  private final int perSecond;
  private final LongSupplier nanoTime;
  private final long nanosPerToken;
  private double tokens;
  private long refilledAt;

  public RateLimiter(int perSecond, LongSupplier nanoTime) {
    this.perSecond = perSecond;
    this.nanoTime = nanoTime;
    this.nanosPerToken = 1_000_000_000L / perSecond;
    this.tokens = perSecond;
    this.refilledAt = nanoTime.getAsLong();
  }

  /** Takes a token if one is there. */
  public synchronized boolean tryAcquire() {
    long now = nanoTime.getAsLong();
    long elapsed = now - refilledAt;
    if (elapsed > 0) {
      tokens = Math.min(perSecond, tokens + (double) elapsed / nanosPerToken);
      refilledAt = now;
    }
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }

  public int perSecond() {
    return perSecond;
  }
}
