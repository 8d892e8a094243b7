package dev.refusal.internal.guard;

import dev.refusal.CircuitState;
import dev.refusal.Ticker;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Hands out and settles the permits of each endpoint's resilience4j breaker. Every permit that
 * {@link #acquire} grants must be settled exactly once, by {@link #succeeded}, {@link #failed} or
 * {@link #release}; the callers do it in {@code finally} blocks or behind a compare-and-set.
 *
 * <p>Consecutive connect failures open the breaker: a count-based window of that many calls, all
 * of them failures. Recording a success costs a lock, so a success is recorded only when the
 * breaker's last recorded outcome was a failure; the flag that says so is written under the same
 * lock as the outcome, so a success that skips recording is one that came before any failure
 * recorded concurrently, and "consecutive" stays true under any interleaving.
 *
 * <p>After every operation that may move the breaker, the state is observed: a change is
 * reported to listeners (chained, under the endpoint's report lock) and an opening starts the
 * recovery watch. A half-open circuit whose trials have not ended within the configured maximum
 * wait reopens at the next call, so a lost trial can never keep a circuit shut.
 */
public final class BreakerGate {

  /** No permit: the call must be rejected. */
  public static final int DENIED = 0;
  /** A permit of a closed breaker, which holds nothing to give back. */
  public static final int CLOSED_PERMIT = 1;
  /** One of the half-open breaker's trial permits, given back unless an outcome settles it. */
  public static final int TRIAL_PERMIT = 2;

  private final Events events;
  private final Ticker ticker;
  private final Ticker coarse;
  private final long halfOpenMaxWaitNanos;
  private final long openWaitNanos;
  private final Consumer<EndpointState> opened;

  /**
   * @param coarse the cheap clock of the per-call path; a denial at an open circuit reads it
   * @param openWaitNanos the breaker's open wait: until it ends (less a coarse tick), an open
   *     circuit denies without asking the breaker
   * @param opened told, on the thread that saw it, of every opening of a circuit
   */
  public BreakerGate(Events events, Ticker ticker, Ticker coarse, long openWaitNanos,
      long halfOpenMaxWaitNanos, Consumer<EndpointState> opened) {
    this.events = events;
    this.ticker = ticker;
    this.coarse = coarse;
    this.openWaitNanos = openWaitNanos;
    this.halfOpenMaxWaitNanos = halfOpenMaxWaitNanos;
    this.opened = opened;
  }

  /** Asks for a permit; an OPEN breaker past its wait turns HALF_OPEN here. */
  public int acquire(EndpointState s) {
    if (s.reported == CircuitState.OPEN && coarse.read() - s.openUntilNanos < 0) {
      // Open, and its wait is not over by the coarse clock: resilience4j would say no too,
      // after reading its clock into a new Instant.
      return DENIED;
    }
    CircuitBreaker breaker = s.breaker;
    boolean permitted = breaker.tryAcquirePermission();
    CircuitBreaker.State state = breaker.getState();
    if (state != CircuitBreaker.State.CLOSED || s.reported != CircuitState.CLOSED) {
      observe(s);
      if (!permitted && state == CircuitBreaker.State.HALF_OPEN) {
        reopenIfTrialsLost(s);
      }
    }
    if (!permitted) {
      return DENIED;
    }
    return state == CircuitBreaker.State.HALF_OPEN ? TRIAL_PERMIT : CLOSED_PERMIT;
  }

  /** Settles a permit with a success. */
  public void succeeded(EndpointState s, int permit) {
    if (permit == CLOSED_PERMIT && !s.failureRecordedLast && s.reported == CircuitState.CLOSED) {
      // The breaker's last outcome is a success already: recording another changes nothing.
      return;
    }
    synchronized (s.outcomeLock) {
      s.breaker.onSuccess(0, TimeUnit.NANOSECONDS);
      s.failureRecordedLast = false;
    }
    observe(s);
  }

  /**
   * Settles a permit with a failure. {@code connectPhase} failures count towards opening;
   * anything else (resilience4j ignores it) only gives the permit back.
   */
  public void failed(EndpointState s, int permit, Throwable failure, boolean connectPhase) {
    if (!connectPhase) {
      s.breaker.onError(0, TimeUnit.NANOSECONDS, failure);
      observe(s);
      return;
    }
    if (permit == CLOSED_PERMIT && s.breaker.getState() == CircuitBreaker.State.HALF_OPEN) {
      // Dialled before the circuit opened: not one of the trials, and old news about a service
      // the recovery watch has seen back. It must not fail the trials.
      return;
    }
    synchronized (s.outcomeLock) {
      s.breaker.onError(0, TimeUnit.NANOSECONDS, failure);
      s.failureRecordedLast = true;
    }
    observe(s);
  }

  /**
   * Settles a permit without an outcome: the call was cancelled or abandoned. A permit taken
   * while the breaker moved from CLOSED to HALF_OPEN may be labelled a trial; giving it back then
   * lets one extra trial through, which is harmless, where the opposite mistake would hold a
   * trial permit until the half-open backstop.
   */
  public void release(EndpointState s, int permit) {
    if (permit == TRIAL_PERMIT && s.breaker.getState() == CircuitBreaker.State.HALF_OPEN) {
      s.breaker.releasePermission();
    }
  }

  /** The recovery watch saw the service accept: lets trial calls through, once. */
  public void recoverySeen(EndpointState s) {
    if (s.breaker.getState() != CircuitBreaker.State.OPEN) {
      return;
    }
    try {
      s.breaker.transitionToHalfOpenState();
      events.recoverySeen(s.endpoint);
    } catch (IllegalStateException movedMeanwhile) {
      // A caller moved the breaker on between the check and the transition; its state stands.
    }
    observe(s);
  }

  /** The breaker's state. */
  public static CircuitState state(EndpointState s) {
    return map(s.breaker.getState());
  }

  private void reopenIfTrialsLost(EndpointState s) {
    long since = s.halfOpenSinceNanos;
    if (ticker.read() - since < halfOpenMaxWaitNanos) {
      return;
    }
    try {
      s.breaker.transitionToOpenState();
    } catch (IllegalStateException movedMeanwhile) {
      // Another caller moved it first.
    }
    observe(s);
  }

  /** Reports a state change, once, if the breaker moved since last seen. */
  void observe(EndpointState s) {
    CircuitState to = map(s.breaker.getState());
    if (to == s.reported) {
      return;
    }
    CircuitState from;
    synchronized (s.reportLock) {
      from = s.reported;
      if (from == to) {
        return;
      }
      s.reported = to;
      if (to == CircuitState.HALF_OPEN) {
        s.halfOpenSinceNanos = ticker.read();
      } else if (to == CircuitState.OPEN) {
        // Early by up to a tick of the coarse clock: past it, the breaker itself decides.
        s.openUntilNanos = coarse.read() + openWaitNanos - CoarseTicker.PERIOD_NANOS;
      }
      events.circuitChanged(s.endpoint, from, to);
    }
    if (to == CircuitState.OPEN) {
      opened.accept(s);
    }
  }

  private static CircuitState map(CircuitBreaker.State state) {
    switch (state) {
      case OPEN:
      case FORCED_OPEN:
        return CircuitState.OPEN;
      case HALF_OPEN:
        return CircuitState.HALF_OPEN;
      default:
        return CircuitState.CLOSED;
    }
  }
}
