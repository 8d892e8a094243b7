package dev.refusal.internal.guard;

import dev.refusal.CircuitState;
import dev.refusal.Diagnosis;
import dev.refusal.Endpoint;
import dev.refusal.FailureKind;
import dev.refusal.GiveUpReason;
import dev.refusal.RefusalListener;
import dev.refusal.Ticker;
import dev.refusal.internal.log.RefusalLog;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Tells a guard's listeners and its log what happened. Listeners can be added and removed at any
 * time (copy on write); each event goes to every listener in the order they were added, and
 * anything a listener throws is logged and swallowed, so a listener can never break a call.
 */
public final class Events {
  private static final RefusalLog log = RefusalLog.named("dev.refusal.RefusalGuard");
  private static final RefusalListener[] NONE = new RefusalListener[0];

  private final Ticker ticker;
  private final long warnIntervalNanos;
  private volatile RefusalListener[] listeners = NONE;

  public Events(Ticker ticker, Duration warnInterval) {
    this.ticker = ticker;
    this.warnIntervalNanos = warnInterval.toNanos();
  }

  /** Adds {@code listener}; it hears every event from now on. */
  public synchronized void add(RefusalListener listener) {
    Objects.requireNonNull(listener, "listener");
    if (listener == RefusalListener.NONE) {
      return;
    }
    RefusalListener[] now = Arrays.copyOf(listeners, listeners.length + 1);
    now[now.length - 1] = listener;
    listeners = now;
  }

  /** Removes the first registration of {@code listener}; true when there was one. */
  public synchronized boolean remove(RefusalListener listener) {
    RefusalListener[] now = listeners;
    for (int i = 0; i < now.length; i++) {
      if (now[i] == listener) {
        RefusalListener[] less = new RefusalListener[now.length - 1];
        System.arraycopy(now, 0, less, 0, i);
        System.arraycopy(now, i + 1, less, i, now.length - i - 1);
        listeners = less;
        return true;
      }
    }
    return false;
  }

  void attemptFailed(Endpoint endpoint, int attempt, FailureKind kind, Throwable failure) {
    for (RefusalListener l : listeners) {
      try {
        l.attemptFailed(endpoint, attempt, kind, failure);
      } catch (Throwable t) {
        threw(l, t);
      }
    }
  }

  void diagnosisMade(Diagnosis d) {
    for (RefusalListener l : listeners) {
      try {
        l.diagnosisMade(d);
      } catch (Throwable t) {
        threw(l, t);
      }
    }
  }

  void retryScheduled(Endpoint endpoint, int next, long delayNanos, FailureKind kind,
      Diagnosis d) {
    if (log.isDebugEnabled()) {
      long millis = TimeUnit.NANOSECONDS.toMillis(delayNanos);
      log.debug().kv("endpoint", endpoint.toString()).kv("attempt", next)
          .kv("delayMillis", millis)
          .kv("cause", String.valueOf(d == null ? kind : d.cause()))
          .log("retrying {} in {} ms", endpoint, millis);
    }
    RefusalListener[] now = listeners;
    if (now.length == 0) {
      return;
    }
    Duration delay = Duration.ofNanos(delayNanos);
    for (RefusalListener l : now) {
      try {
        l.retryScheduled(endpoint, next, delay, d);
      } catch (Throwable t) {
        threw(l, t);
      }
    }
  }

  void callSucceeded(Endpoint endpoint, int attempts) {
    for (RefusalListener l : listeners) {
      try {
        l.callSucceeded(endpoint, attempts);
      } catch (Throwable t) {
        threw(l, t);
      }
    }
  }

  void callGaveUp(EndpointState s, Endpoint endpoint, int attempts, Throwable thrown,
      Diagnosis d, GiveUpReason reason) {
    logGiveUp(s, endpoint, attempts, d, reason);
    for (RefusalListener l : listeners) {
      try {
        l.callGaveUp(endpoint, attempts, thrown, reason);
      } catch (Throwable t) {
        threw(l, t);
      }
    }
  }

  void callRejected(Endpoint endpoint, Diagnosis lastDiagnosis) {
    for (RefusalListener l : listeners) {
      try {
        l.callRejected(endpoint, lastDiagnosis);
      } catch (Throwable t) {
        threw(l, t);
      }
    }
  }

  void circuitChanged(Endpoint endpoint, CircuitState from, CircuitState to) {
    if (log.isInfoEnabled()) {
      log.info().kv("endpoint", endpoint.toString())
          .kv("from", from.name()).kv("to", to.name())
          .log("circuit for {} went from {} to {}", endpoint, from, to);
    }
    for (RefusalListener l : listeners) {
      try {
        l.circuitStateChanged(endpoint, from, to);
      } catch (Throwable t) {
        threw(l, t);
      }
    }
  }

  void recoverySeen(Endpoint endpoint) {
    log.info().kv("endpoint", endpoint.toString())
        .log("{} accepts connections again; letting trial calls through", endpoint);
  }

  private void logGiveUp(EndpointState s, Endpoint endpoint, int attempts, Diagnosis d,
      GiveUpReason reason) {
    if (d == null) {
      return;
    }
    if (d.cause().isMisconfiguration()) {
      long now = ticker.read();
      long last = s.lastWarnNanos;
      if ((last == 0 || now - last >= warnIntervalNanos) && s.claimWarn(last, now)) {
        log.warn().kv("endpoint", endpoint.toString())
            .kv("cause", d.cause().name())
            .kv("confidence", d.confidence().name()).kv("attempt", attempts)
            .kv("state", s.reported.name())
            .log("{} (logged once per endpoint per {} s)", d.headline(),
                TimeUnit.NANOSECONDS.toSeconds(warnIntervalNanos));
      }
    } else if (log.isDebugEnabled()) {
      log.debug().kv("endpoint", endpoint.toString())
          .kv("cause", d.cause().name()).kv("attempt", attempts)
          .kv("state", s.reported.name())
          .log("giving up on {} after {} attempt(s): {}", endpoint, attempts, reason);
    }
  }

  private static void threw(RefusalListener l, Throwable t) {
    try {
      log.warn("a RefusalListener (" + l.getClass().getName() + ") threw; ignored", t);
    } catch (Throwable ignored) {
      // Logging itself failed (a broken appender): the call must still not see it.
    }
  }
}
