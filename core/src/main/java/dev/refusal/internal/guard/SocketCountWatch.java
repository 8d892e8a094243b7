package dev.refusal.internal.guard;

import dev.refusal.internal.diagnosis.SystemView;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Watches one open circuit's endpoint on this host for its service's return through the host's
 * {@link SocketCount}: the count is read at most about once per tick, and the endpoint is dialled
 * only when the count moved since the last refused dial. A rejected call takes the due look
 * itself ({@link #claimLook()}, one volatile read when none is due), so a service that came back
 * is seen by the first call after its return, as a client without a breaker would see it; the
 * watch's tick takes a look no call took. One watch per opening; thread-safe.
 */
public final class SocketCountWatch {

  /** How often a look falls due; a look reads two small /proc files (about 30 µs). */
  public static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

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

  private final SystemView system;
  private final int dialTimeoutMillis;
  private final long maxDialGapNanos;
  private final AtomicInteger state = new AtomicInteger(IDLE);
  // Written only by the thread holding LOOKING (or the start, before any look is due).
  private volatile long baseline = SocketCount.UNKNOWN;
  private volatile long dialGapNanos;
  private volatile long lastDialNanos;
  private volatile boolean started;

  /**
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
    return started;
  }

  /** Reads the first count and dials once; {@link Seen#NO_COUNT} when there is no count. */
  public Seen start(InetSocketAddress address) {
    // Read before the dial: the dial's own socket is gone again once it is refused.
    long count = SocketCount.read(system);
    if (count == SocketCount.UNKNOWN) {
      return Seen.NO_COUNT;
    }
    baseline = count;
    started = true;
    return dial(address) ? Seen.ACCEPTED : Seen.NOTHING;
  }

  /**
   * On the watch's tick: takes a look that fell due at the last tick and no call took, then
   * marks the next one due.
   */
  public Seen tick(InetSocketAddress address) {
    Seen seen = Seen.NOTHING;
    if (state.compareAndSet(DUE, LOOKING)) {
      seen = lookAndRelease(address);
    }
    state.compareAndSet(IDLE, DUE);
    return seen;
  }

  /** True when a look is due and this thread now owns it; then it must call {@link #look}. */
  public boolean claimLook() {
    return state.get() == DUE && state.compareAndSet(DUE, LOOKING);
  }

  /** Takes the look claimed by {@link #claimLook()}; true when the service accepted a dial. */
  public boolean look(InetSocketAddress address) {
    return lookAndRelease(address) == Seen.ACCEPTED;
  }

  /** Ends the watch: no look falls due any more. */
  public void stop() {
    state.set(LOOKING);
  }

  private Seen lookAndRelease(InetSocketAddress address) {
    try {
      long count = SocketCount.read(system);
      if (count == SocketCount.UNKNOWN) {
        return Seen.NO_COUNT;
      }
      long now = System.nanoTime();
      if (count == baseline || now - lastDialNanos < dialGapNanos) {
        // An unchanged count: nothing on this host started listening. A moved count within the
        // gap stays "moved" (the baseline is kept) and is dialled once the gap has passed.
        return Seen.NOTHING;
      }
      baseline = count;
      // Each move that was not the service doubles the gap, so a host whose sockets churn is
      // dialled no more often than once per maxDialGap.
      dialGapNanos = Math.min(maxDialGapNanos, Math.max(TICK_NANOS, dialGapNanos * 2));
      return dial(address) ? Seen.ACCEPTED : Seen.NOTHING;
    } finally {
      state.compareAndSet(LOOKING, IDLE);
    }
  }

  private boolean dial(InetSocketAddress address) {
    lastDialNanos = System.nanoTime();
    return address != null
        && system.dial(address, dialTimeoutMillis) == SystemView.Dial.ACCEPTED;
  }
}
