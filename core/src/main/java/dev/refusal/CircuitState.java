package dev.refusal;

/**
 * The state of one endpoint's circuit, as a {@link RefusalGuard} reports it.
 *
 * <p>The guard runs resilience4j's breaker underneath; this enum keeps resilience4j's types out
 * of the API, so code that reads states compiles against Refusal alone.
 */
public enum CircuitState {
  /** Calls go through; consecutive connect failures are counted. */
  CLOSED,
  /** Calls are rejected without dialling until the service is seen back or the open wait ends. */
  OPEN,
  /** A few trial calls go through; their outcome closes or reopens the circuit. */
  HALF_OPEN
}
