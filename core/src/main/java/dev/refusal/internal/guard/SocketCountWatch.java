package dev.refusal.internal.guard;

import dev.refusal.internal.diagnosis.SystemView;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Watches one open circuit's endpoint on this host for its service's return through the host's
 * {@link SocketCount}: the count is read at most about once per tick, and the endpoint is dialled
 * when the count moved since the last refused dial, or when it has not been dialled for {@link
 * #STILL_COUNT_DIAL_NANOS} (a listener that opened while another socket closed leaves the count
 * where it was; so does a port forwarded into another network namespace). A rejected call takes
 * the due look itself ({@link #claimLook()}: one volatile read when none is due), so a service
 * that came back is seen by the first call after its return, as a client without a breaker would
 * see it; the watch's tick takes a look no call took. One watch per opening of the circuit,
 * resumed for every burst of calls; thread-safe.
 */
public final class SocketCountWatch {

  /** How often a look falls due; a look reads two small /proc files (about 30 µs). */
  public static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
  /** The longest the endpoint goes undialled while calls arrive, however still the count. */
  public static final long STILL_COUNT_DIAL_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
  /**
   * A caller's dial gives up after this: a service on this host answers a connect in
   * microseconds, unless its accept queue is full or a rule drops the SYN, and a rejected call
   * must not wait for that.
   */
  static final int CALLER_DIAL_TIMEOUT_MILLIS = 10;

  /** What a look or the start found. */
  public enum Seen {
    /** The endpoint accepted a dial: the service is back. */
    ACCEPTED,
    /** Nothing new: the count did not move, or a dial was refused, or no look was due. */
    NOTHING,
    /** The count cannot be read here; the watch cannot serve this endpoint. */
    NO_COUNT
  }

  private static final int IDLE = 0;
  private static final int DUE = 1;
  private static final int LOOKING = 2;
  private static final int STOPPED = 3;

  private final SystemView system;
  private final int dialTimeoutMillis;
  private final long maxDialGapNanos;
  private final AtomicInteger state = new AtomicInteger(STOPPED);
  // Written only by the thread holding LOOKING, or by start() before any look falls due.
  private volatile InetSocketAddress address;
  private volatile long baseline = SocketCount.UNKNOWN;
  private volatile long dialGapNanos;
  private volatile long lastDialNanos;
  /** A caller's dial timed out once: from then on only the tick dials (it may wait longer). */
  private volatile boolean slowDials;

  /**
   * @param dialTimeoutMillis how long the tick's dials may wait
   * @param maxDialGapNanos the longest gap between dials when the count keeps moving for other
   *     reasons (a busy host): there the watch dials no more often than once per this gap
   */
  public SocketCountWatch(SystemView system, int dialTimeoutMillis, long maxDialGapNanos) {
    this.system = system;
    this.dialTimeoutMillis = dialTimeoutMillis;
    this.maxDialGapNanos = maxDialGapNanos;
  }

  /** True once {@link #start} found a count. */
  public boolean started() {
    return address != null;
  }

  /**
   * Fixes the address to watch, reads the first count and dials once; {@link Seen#NO_COUNT}
   * when there is no count. Called on the tick thread, before any look falls due.
   */
  public Seen start(InetSocketAddress target) {
    // Read before the dial: the dial's own socket is gone again once it is refused.
    long count = SocketCount.read(system);
    if (count == SocketCount.UNKNOWN) {
      return Seen.NO_COUNT;
    }
    baseline = count;
    address = target;
    return dial(dialTimeoutMillis) == SystemView.Dial.ACCEPTED ? Seen.ACCEPTED : Seen.NOTHING;
  }

  /** Lets looks fall due again, for a new burst of calls; the baseline and gaps carry over. */
  public void resume() {
    state.compareAndSet(STOPPED, IDLE);
  }

  /**
   * On the watch's tick: takes a look that fell due at the last tick and no call took, then
   * marks the next one due. {@code count} may answer from a read a moment old, shared by every
   * watch the tick serves.
   */
  public Seen tick(LongSupplier count) {
    Seen seen = Seen.NOTHING;
    if (state.compareAndSet(DUE, LOOKING)) {
      seen = lookAndRelease(count.getAsLong(), false);
    }
    state.compareAndSet(IDLE, DUE);
    return seen;
  }

  /** True when a look is due and this thread now owns it; then it must call {@link #look}. */
  public boolean claimLook() {
    return state.get() == DUE && !slowDials && state.compareAndSet(DUE, LOOKING);
  }

  /** Takes the look claimed by {@link #claimLook()}; true when the service accepted a dial. */
  public boolean look() {
    // A fresh read: the service may have started listening a moment ago.
    return lookAndRelease(SocketCount.read(system), true) == Seen.ACCEPTED;
  }

  /** Ends this burst: no look falls due until {@link #resume()}. */
  public void stop() {
    state.set(STOPPED);
  }

  private Seen lookAndRelease(long count, boolean byCaller) {
    try {
      if (count == SocketCount.UNKNOWN) {
        return Seen.NO_COUNT;
      }
      long now = System.nanoTime();
      long sinceDial = now - lastDialNanos;
      boolean moved = count != baseline;
      if (!(moved && sinceDial >= dialGapNanos) && sinceDial < STILL_COUNT_DIAL_NANOS) {
        // An unchanged count: nothing on this host started listening. A moved count within the
        // gap stays "moved" (the baseline is kept) and is dialled once the gap has passed.
        return Seen.NOTHING;
      }
      if (moved) {
        baseline = count;
        // Each move that was not the service doubles the gap, so a host whose sockets churn is
        // dialled no more often than once per maxDialGap.
        dialGapNanos = Math.min(maxDialGapNanos, Math.max(TICK_NANOS, dialGapNanos * 2));
      }
      SystemView.Dial dial = dial(byCaller ? CALLER_DIAL_TIMEOUT_MILLIS : dialTimeoutMillis);
      if (dial == SystemView.Dial.TIMED_OUT && byCaller) {
        slowDials = true;
      }
      return dial == SystemView.Dial.ACCEPTED ? Seen.ACCEPTED : Seen.NOTHING;
    } finally {
      state.compareAndSet(LOOKING, IDLE);
    }
  }

  private SystemView.Dial dial(int timeoutMillis) {
    lastDialNanos = System.nanoTime();
    return system.dial(address, timeoutMillis);
  }
}
