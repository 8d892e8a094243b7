package dev.refusal;

/**
 * Why a {@link RefusalGuard} stopped retrying a call and let its failure reach the caller; told to
 * {@link RefusalListener#callGaveUp}.
 */
public enum GiveUpReason {
  /**
   * The failure is not one the guard retries: a misconfiguration, local resource exhaustion, a
   * failure after the request was written on a call not marked idempotent, an {@link Error}, or
   * anything that is not a connect failure.
   */
  NOT_RETRYABLE,
  /** Every attempt the configuration allows was made. */
  ATTEMPTS_USED_UP,
  /** The next wait would have ended past the restart window. */
  RESTART_WINDOW_OVER,
  /** The next wait would have ended past the call's deadline. */
  DEADLINE,
  /** The call's cancellation signal completed, or the caller cancelled its future. */
  CANCELLED,
  /** The waiting thread was interrupted. */
  INTERRUPTED,
  /** The guard's share of retries is spent for now. */
  RETRY_BUDGET_SPENT,
  /**
   * The endpoint's circuit was open when the call's next attempt was due, until the call's
   * attempts or window ran out; the call had dialled before.
   */
  CIRCUIT_OPEN,
  /** The guard was closed while the call waited for its next attempt. */
  GUARD_CLOSED
}
