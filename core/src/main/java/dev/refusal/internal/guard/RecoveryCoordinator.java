package dev.refusal.internal.guard;

import dev.refusal.Ticker;
import dev.refusal.internal.diagnosis.ListenerTable;
import dev.refusal.internal.diagnosis.SystemView;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Notices, off the callers' threads, that a service whose circuit is open accepts again, and
 * lets trial calls through at once instead of after the open wait. Each opening gets a {@link
 * RecoveryWatch}; this class holds what the watches of one guard share: its threads, its system
 * view, its timings.
 *
 * <p>A rejected call only tells the watch that calls are arriving (a volatile write, and at most
 * once per gap a task handed to the guard's scheduler); it never reads a file, dials or waits.
 */
public final class RecoveryCoordinator {
  /** How often a watch on a service of this host looks at the socket count while calls arrive. */
  static final long LOCAL_TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
  /** The longest a service of this host goes undialled while calls arrive, the count still. */
  static final long STILL_COUNT_DIAL_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
  /** A watch on a service of this host stops ticking after this long without a call. */
  static final long CALLS_ARRIVING_NANOS = TimeUnit.SECONDS.toNanos(1);
  /** A service of this host answers a connect in microseconds; a slow one is not back yet. */
  static final int LOCAL_DIAL_TIMEOUT_MILLIS = 10;
  /** The kernel answers a listener lookup in microseconds; one that takes longer is not used. */
  static final long LOOKUP_TIMEOUT_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
  /** Timeout of a dial to another host, taken in the guard's dial lane. */
  static final int REMOTE_DIAL_TIMEOUT_MILLIS = 200;
  /** The background probe's interval grows by this factor per refused dial. */
  static final double BACKGROUND_GROWTH = 1.6;
  /** The background probe's longest interval. */
  static final long BACKGROUND_MAX_NANOS = TimeUnit.SECONDS.toNanos(5);

  final GuardThreads threads;
  final SystemView system;
  final Ticker callerTicker;
  final long backgroundInitialNanos;
  final long gapNanos;
  private BreakerGate gate;

  /**
   * @param callerTicker read by rejected calls to stamp their arrival; cheap
   * @param backgroundInitialNanos the background probe's first interval
   * @param gapNanos the shortest gap between probes caused by arriving calls
   */
  public RecoveryCoordinator(GuardThreads threads, SystemView system, Ticker callerTicker,
      long backgroundInitialNanos, long gapNanos) {
    this.threads = threads;
    this.system = system;
    this.callerTicker = callerTicker;
    this.backgroundInitialNanos = backgroundInitialNanos;
    this.gapNanos = gapNanos;
  }

  /** Connects the gate the watches report to; called once, before any circuit can open. */
  public void reportTo(BreakerGate gate) {
    this.gate = gate;
  }

  /** The circuit of {@code s} opened: a new watch for this opening. */
  public void opened(EndpointState s) {
    RecoveryWatch watch = new RecoveryWatch(this, s);
    s.watch = watch;
    watch.startBackground();
  }

  /** A call was rejected at {@code s}'s open circuit. Costs no I/O and no lock. */
  public void callRejected(EndpointState s) {
    RecoveryWatch watch = s.watch;
    if (watch != null) {
      watch.callArrived();
    }
  }

  /** The watch saw the service accept. */
  void accepted(EndpointState s) {
    gate.recoverySeen(s);
  }

  /**
   * The address to dial for {@code s}: the last one dialled, else the host resolved now; null
   * when it cannot be resolved, or the lane is busy.
   */
  InetSocketAddress target(EndpointState s) {
    InetSocketAddress known = s.lastAddress;
    if (known != null && known.getAddress() != null) {
      return known.getPort() == s.endpoint.port() ? known
          : new InetSocketAddress(known.getAddress(), s.endpoint.port());
    }
    // A name lookup can block like a slow dial, so it takes the dial lane too; busy: try later.
    if (!threads.enterLane()) {
      return null;
    }
    try {
      return new InetSocketAddress(InetAddress.getByName(s.endpoint.host()), s.endpoint.port());
    } catch (java.io.IOException | RuntimeException e) {
      return null;
    } finally {
      threads.leaveLane();
    }
  }

  /** True when {@code address} is this host's: loopback, the wildcard, or an interface's. */
  boolean onThisHost(InetAddress address) {
    try {
      return address.isLoopbackAddress() || address.isAnyLocalAddress()
          || system.localAddresses().containsKey(address);
    } catch (RuntimeException e) {
      return false;
    }
  }

  /**
   * Whether a LISTEN socket on this host covers {@code address}, by the kernel's exact lookup;
   * null when there is no such lookup here or it did not answer.
   */
  Boolean listening(InetSocketAddress address) {
    try {
      List<ListenerTable.Row> rows = system.listenersOn(address.getPort(),
          System.nanoTime() + LOOKUP_TIMEOUT_NANOS);
      if (rows == null) {
        return null;
      }
      InetAddress target = address.getAddress();
      if (target.isAnyLocalAddress()) {
        // A connect to the wildcard reaches loopback of its family.
        // (Literals: no name is looked up.)
        target = InetAddress.getByName(target instanceof java.net.Inet4Address ? "127.0.0.1"
            : "::1");
      }
      for (ListenerTable.Row row : rows) {
        if (ListenerTable.accepts(row, target)) {
          return Boolean.TRUE;
        }
      }
      return Boolean.FALSE;
    } catch (java.net.UnknownHostException | RuntimeException e) {
      return null;
    }
  }

  /** Dials {@code address}; a remote dial waits for the dial lane and is skipped when busy. */
  SystemView.Dial dial(InetSocketAddress address, boolean local) {
    if (local) {
      return system.dial(address, LOCAL_DIAL_TIMEOUT_MILLIS);
    }
    if (!threads.enterLane()) {
      return null;
    }
    try {
      return system.dial(address, REMOTE_DIAL_TIMEOUT_MILLIS);
    } finally {
      threads.leaveLane();
    }
  }
}
