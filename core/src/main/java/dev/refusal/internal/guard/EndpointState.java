package dev.refusal.internal.guard;

import dev.refusal.CircuitState;
import dev.refusal.Diagnosis;
import dev.refusal.Endpoint;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.net.InetSocketAddress;

/**
 * What a guard knows of one endpoint: its breaker, its last failure and diagnosis, its history,
 * and what its recovery watch needs. Thread-safe; fields are volatile or guarded as noted.
 */
public final class EndpointState {
  final Endpoint endpoint;
  final CircuitBreaker breaker;

  /** Guards outcome recording, so the "last outcome was a failure" flag never goes stale. */
  final Object outcomeLock = new Object();
  /** A connect failure is the breaker's last recorded outcome; written under outcomeLock. */
  volatile boolean failureRecordedLast;

  /** Serializes reported state changes, so listeners see them chained and in order. */
  final Object reportLock = new Object();
  /** The state last reported to listeners; CLOSED for a new breaker. */
  volatile CircuitState reported = CircuitState.CLOSED;
  /** Until when, by the coarse clock, an open circuit denies without asking the breaker. */
  volatile long openUntilNanos;
  /** When the circuit was last seen turning HALF_OPEN, by the guard's ticker. */
  volatile long halfOpenSinceNanos;

  /**
   * When the registry's cache last saw this endpoint looked up, by the coarse clock; written and
   * read by callers without ordering, as a hint only.
   */
  long touchedNanos;

  /** Set when the registry forgets the endpoint; its watches end. */
  volatile boolean forgotten;
  volatile long lastSuccessNanos;
  volatile Diagnosis lastDiagnosis;
  /** The last connect failure, the cause of every rejection while the circuit stays open. */
  volatile Throwable lastFailure;
  volatile InetSocketAddress lastAddress;
  volatile long lastWarnNanos;
  private volatile Rejection rejection;

  /** The recovery watch of the current opening; null while closed. */
  volatile RecoveryWatch watch;

  EndpointState(Endpoint endpoint, CircuitBreaker breaker) {
    this.endpoint = endpoint;
    this.breaker = breaker;
  }

  /** The endpoint this state is for. */
  public Endpoint endpoint() {
    return endpoint;
  }

  synchronized boolean claimWarn(long expected, long now) {
    if (lastWarnNanos != expected) {
      return false;
    }
    lastWarnNanos = now;
    return true;
  }

  /** The rejection message, built once per diagnosis and state. */
  String rejectionMessage(Diagnosis d, CircuitState state) {
    Rejection r = rejection;
    if (r == null || r.diagnosis != d || r.state != state) {
      r = new Rejection(d, state, "Circuit " + state + " for " + endpoint
          + ", not dialled. Last failure: " + d.headline());
      rejection = r;
    }
    return r.message;
  }

  /** A rejection message and what it was built from; replaced whole, so reads need no lock. */
  private static final class Rejection {
    final Diagnosis diagnosis;
    final CircuitState state;
    final String message;

    Rejection(Diagnosis diagnosis, CircuitState state, String message) {
      this.diagnosis = diagnosis;
      this.state = state;
      this.message = message;
    }
  }
}
