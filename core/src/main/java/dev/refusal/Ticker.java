package dev.refusal;

/**
 * A source of nanosecond time for a {@link RefusalGuard}: backoff decisions, restart windows,
 * deadlines, breaker waits, idle expiry and recovery gaps all read it. Tests pass one they move
 * by hand instead of sleeping.
 *
 * <p>Implementations must be thread-safe, monotonic and fast (the guard reads it on every call);
 * only differences between readings matter.
 */
@FunctionalInterface
public interface Ticker {

  /** The current time in nanoseconds, from an arbitrary origin. */
  long read();

  /** The ticker of {@link System#nanoTime()}. */
  static Ticker system() {
    return System::nanoTime;
  }
}
