package dev.refusal;

/**
 * A source of nanosecond time for a {@link RefusalGuard}: backoff decisions, restart windows,
 * deadlines, breaker waits, the half-open backstop, idle expiry and the gap between recovery
 * probes caused by arriving calls all read it. Tests pass one they move by hand instead of
 * sleeping. The recovery watch's own pacing on the guard's threads (how often it looks and
 * dials) follows real time, since it waits on real sockets.
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
