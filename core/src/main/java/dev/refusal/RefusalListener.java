package dev.refusal;

import java.time.Duration;

/**
 * Hears what a {@link RefusalGuard} does: failed attempts, diagnoses, retries, how each call
 * ended, and circuit changes. Every method does nothing by default; override the ones you need.
 * A guard may have several listeners ({@link RefusalGuard.Builder#listener}, {@link
 * RefusalGuard#addListener}); each hears every event, in the order they were added.
 *
 * <p>Order of one call's events: for each failed attempt, {@link #attemptFailed}, then {@link
 * #diagnosisMade} when it was a connect failure, then {@link #retryScheduled} when another
 * attempt follows. When the attempt that was due finds the circuit open, nothing is dialled and
 * {@link #retryScheduled} comes again with the same attempt number, until a permit is granted or
 * the call's limits end it. The call ends with exactly one of {@link #callSucceeded}, {@link #callGaveUp}
 * or {@link #callRejected}. {@link #circuitStateChanged} comes whenever a change is seen, on the
 * thread that caused it (a caller, or the guard's recovery thread), and the changes one endpoint
 * reports always chain: each {@code from} is the previous {@code to}.
 *
 * <p>Contract: methods are called on the thread that made the call or completed its attempt (an
 * asynchronous call's events may come from the guard's threads or a diagnosis thread), must be
 * fast, and should not throw: anything a listener throws, {@link Error}s included, is logged and
 * otherwise ignored, and never changes the call's outcome.
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

  /** The call succeeded on attempt {@code attempts} (1 when no retry was needed). */
  public void callSucceeded(Endpoint endpoint, int attempts) {}

  /**
   * The call ended in failure after {@code attempts} attempts: {@code thrown} is what the caller
   * gets (a {@link DiagnosedConnectException} for a connect failure, else the call's own
   * exception), {@code reason} why no further attempt was made.
   */
  public void callGaveUp(Endpoint endpoint, int attempts, Throwable thrown, GiveUpReason reason) {}

  /**
   * A call was rejected without dialling, because the endpoint's circuit is open (or half-open
   * with every trial permit taken); {@code lastDiagnosis} is the last failure's diagnosis.
   */
  public void callRejected(Endpoint endpoint, Diagnosis lastDiagnosis) {}

  /** The endpoint's circuit changed state. */
  public void circuitStateChanged(Endpoint endpoint, CircuitState from, CircuitState to) {}
}
