package dev.refusal;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;

/**
 * Hears what a {@link RefusalGuard} does: failed attempts, diagnoses, retries, rejections and
 * circuit changes. Every method does nothing by default; override the ones you need.
 *
 * <p>Contract: methods are called on the thread that made the call (circuit changes on whatever
 * thread caused them, the recovery probe's included), must be fast, and must not throw; an
 * exception thrown from one is logged and otherwise ignored.
 */
public abstract class RefusalListener {

  /** A listener that ignores everything. */
  public static final RefusalListener NONE = new RefusalListener() {};

  /** An attempt failed ({@code attempt} counts from 1). */
  public void attemptFailed(Endpoint endpoint, int attempt, FailureKind kind, Throwable failure) {}

  /** A connect failure was diagnosed. */
  public void diagnosisMade(Diagnosis diagnosis) {}

  /** Attempt {@code nextAttempt} will be made after {@code delay}. */
  public void retryScheduled(Endpoint endpoint, int nextAttempt, Duration delay,
      Diagnosis diagnosis) {}

  /** A call was rejected without dialling, because the endpoint's circuit is open. */
  public void callRejected(Endpoint endpoint, Diagnosis lastDiagnosis) {}

  /** The endpoint's circuit changed state. */
  public void circuitStateChanged(Endpoint endpoint, CircuitBreaker.State from,
      CircuitBreaker.State to) {}
}
