package dev.refusal.internal.guard;

import dev.refusal.CircuitState;
import dev.refusal.internal.diagnosis.SystemView;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Watches one opening of one endpoint's circuit for the service's return, on the guard's
 * threads. Two ways, both ending when the circuit leaves OPEN, the endpoint is forgotten or the
 * guard closes:
 *
 * <ul>
 *   <li>In the background, a bare TCP connect (no request byte) backed off from the configured
 *       interval up to 5 s, whether calls arrive or not.
 *   <li>While calls arrive: for a service on this host, a look every 5 ms; for any other
 *       service, a dial at most once per gap.
 * </ul>
 *
 * <p>A look, where the kernel answers exact listener lookups ({@link
 * SystemView#listenersOn}), asks whether a LISTEN socket on the port covers the dialled address,
 * and dials only once one does: nothing is dialled while the service is away, in the background
 * either. Elsewhere a look reads the host's TCP socket count (two small /proc files, whatever
 * the number of sockets) and dials only when the count moved or every half second.
 */
final class RecoveryWatch {
  private static final int UNKNOWN = 0;
  private static final int LOCAL = 1;
  private static final int REMOTE = 2;
  /** On this host, with the kernel's exact listener lookup. */
  private static final int LOCAL_EXACT = 3;
  /** Lookups in a row without an answer after which the watch goes on without them. */
  private static final int EXACT_MISSES_BEFORE_FALLBACK = 3;

  private final RecoveryCoordinator c;
  private final EndpointState s;
  private final AtomicBoolean trafficRunning = new AtomicBoolean();
  private final Runnable trafficTask = this::trafficTick;
  /** Stamped by rejected calls with the coarse caller ticker. */
  private volatile long lastCallNanos;
  private volatile long lastTrafficStartNanos;

  // Written only by the task that holds trafficRunning (one at a time).
  private int where = UNKNOWN;
  private InetSocketAddress address;
  private long baseline = SocketCount.UNKNOWN;
  private long lastDialNanos;
  private long dialGapNanos;
  private int exactMisses;

  RecoveryWatch(RecoveryCoordinator c, EndpointState s) {
    this.c = c;
    this.s = s;
    // The opening call itself counts as arriving: it was refused a moment ago.
    this.lastCallNanos = c.callerTicker.read();
    this.lastTrafficStartNanos = this.lastCallNanos - c.gapNanos;
  }

  private boolean active() {
    return s.watch == this && !s.forgotten && !c.threads.isClosed()
        && BreakerGate.state(s) == CircuitState.OPEN;
  }

  void startBackground() {
    c.threads.schedule(() -> backgroundTick(c.backgroundInitialNanos),
        c.backgroundInitialNanos);
  }

  private void backgroundTick(long intervalNanos) {
    try {
      if (!active()) {
        return;
      }
      InetSocketAddress target = c.target(s);
      boolean local = target != null && target.getAddress() != null
          && c.onThisHost(target.getAddress());
      Boolean listening = local ? c.listening(target) : null;
      SystemView.Dial dial = target == null || target.getAddress() == null ? null
          : Boolean.FALSE.equals(listening) ? SystemView.Dial.REFUSED
          : c.dial(target, local);
      if (dial == SystemView.Dial.ACCEPTED) {
        seen();
        return;
      }
      // Backs off only after a real answer; a busy lane or no address yet tries again as soon.
      long next = dial == null ? intervalNanos : Math.min(RecoveryCoordinator.BACKGROUND_MAX_NANOS,
          (long) (intervalNanos * RecoveryCoordinator.BACKGROUND_GROWTH));
      c.threads.schedule(() -> backgroundTick(next), next);
    } catch (RuntimeException e) {
      // A failing system view ends this background watch; traffic probes still run.
    }
  }

  /** A call was rejected: stamps the time, and starts a traffic probe when one is due. */
  void callArrived() {
    long now = c.callerTicker.read();
    if (lastCallNanos != now) {
      lastCallNanos = now;
    }
    if (now - lastTrafficStartNanos < c.gapNanos || trafficRunning.get()
        || !trafficRunning.compareAndSet(false, true)) {
      return;
    }
    lastTrafficStartNanos = now;
    if (!c.threads.execute(trafficTask)) {
      trafficRunning.set(false);
    }
  }

  /** One traffic probe: a dial for a remote service, a tick of the count watch for a local one. */
  private void trafficTick() {
    boolean again = false;
    try {
      if (!active()) {
        return;
      }
      if (where == UNKNOWN) {
        address = c.target(s);
        if (address == null || address.getAddress() == null) {
          return;
        }
        where = c.onThisHost(address.getAddress()) ? LOCAL : REMOTE;
        if (where == LOCAL && c.listening(address) != null) {
          where = LOCAL_EXACT;
          again = !exactLook();
          return;
        }
        if (where == LOCAL) {
          baseline = SocketCount.read(c.system);
          if (baseline == SocketCount.UNKNOWN) {
            // No counters here (not Linux): dial once per gap like a remote service.
            where = REMOTE;
          }
        }
        if (dialAccepted(where == LOCAL)) {
          return;
        }
        again = where == LOCAL;
        return;
      }
      if (where == REMOTE) {
        dialAccepted(false);
        return;
      }
      if (c.callerTicker.read() - lastCallNanos > RecoveryCoordinator.CALLS_ARRIVING_NANOS) {
        return;
      }
      again = where == LOCAL_EXACT ? !exactLook() : !localLook();
    } catch (RuntimeException e) {
      again = false;
    } finally {
      if (again && c.threads.schedule(trafficTask, RecoveryCoordinator.LOCAL_TICK_NANOS) != null) {
        return;
      }
      trafficRunning.set(false);
    }
  }

  /**
   * One look at the socket count: an unchanged count proves nothing on this host started
   * listening, so no dial; a moved one is dialled, no more often than the dial gap, which
   * doubles with every move that was not the service (a busy host), up to the probe gap.
   * True when the service accepted.
   */
  private boolean localLook() {
    long count = SocketCount.read(c.system);
    long now = System.nanoTime();
    long sinceDial = now - lastDialNanos;
    boolean moved = count != baseline;
    if (!(moved && sinceDial >= dialGapNanos)
        && sinceDial < RecoveryCoordinator.STILL_COUNT_DIAL_NANOS) {
      return false;
    }
    if (moved) {
      baseline = count;
      dialGapNanos = Math.min(c.gapNanos,
          Math.max(RecoveryCoordinator.LOCAL_TICK_NANOS, dialGapNanos * 2));
    }
    return dialAccepted(true);
  }

  /**
   * One exact look: no listener covering the address, no dial; one that does is dialled, no
   * more often than the dial gap, which doubles while a present listener still refuses (a
   * firewall), up to the probe gap. True when the service accepted.
   */
  private boolean exactLook() {
    Boolean listening = c.listening(address);
    if (listening == null) {
      // A lookup late once (a pause, a throttled CPU) proves nothing; one that keeps failing
      // leaves this opening to the socket count, or to dials where there is no count either.
      if (++exactMisses >= EXACT_MISSES_BEFORE_FALLBACK) {
        baseline = SocketCount.read(c.system);
        where = baseline == SocketCount.UNKNOWN ? REMOTE : LOCAL;
      }
      return false;
    }
    exactMisses = 0;
    if (!listening || System.nanoTime() - lastDialNanos < dialGapNanos) {
      return false;
    }
    if (dialAccepted(true)) {
      return true;
    }
    dialGapNanos = Math.min(c.gapNanos,
        Math.max(RecoveryCoordinator.LOCAL_TICK_NANOS, dialGapNanos * 2));
    return false;
  }

  private boolean dialAccepted(boolean local) {
    lastDialNanos = System.nanoTime();
    if (c.dial(address, local) == SystemView.Dial.ACCEPTED && active()) {
      seen();
      return true;
    }
    return false;
  }

  private void seen() {
    if (active()) {
      c.accepted(s);
    }
  }
}
