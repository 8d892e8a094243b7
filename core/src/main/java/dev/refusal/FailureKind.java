package dev.refusal;

import dev.refusal.internal.FailureClassifier;

/**
 * What kind of network failure an exception reports, read from its type and message and those of
 * its causes and suppressed exceptions.
 *
 * <p>{@link #of(Throwable)} is pure, thread-safe, never throws, and allocates nothing on the
 * common path, so it can run on every failed call.
 */
public enum FailureKind {
  /** The peer answered the connect with a reset: nothing accepts on that address and port. */
  REFUSED(true),
  /** The connect got no answer in time: a silent drop, a full accept queue, or a dead host. */
  CONNECT_TIMEOUT(true),
  /** The host name did not resolve. */
  UNKNOWN_HOST(true),
  /** A router or firewall said the host cannot be reached ({@code EHOSTUNREACH}). */
  NO_ROUTE_TO_HOST(true),
  /** This host has no route to the target's network ({@code ENETUNREACH}). */
  NETWORK_UNREACHABLE(true),
  /**
   * This host could not get a local address or port for the connection ({@code
   * EADDRNOTAVAIL}): ephemeral ports exhausted, or a bind to an address the host lacks.
   */
  LOCAL_ADDRESS_UNAVAILABLE(true),
  /** This process ran out of file descriptors ({@code EMFILE}). */
  LOCAL_FD_EXHAUSTED(true),
  /**
   * This JVM or host cannot use the address's family at all ({@code EAFNOSUPPORT}): an IPv6
   * address dialled with {@code -Djava.net.preferIPv4Stack=true}, or on a host without IPv6. The
   * socket was never opened, so no packet left.
   */
  ADDRESS_FAMILY_UNAVAILABLE(true),
  /**
   * The connection broke after it was established: reset, broken pipe, or closed before a
   * response. Request bytes may have reached the server, so a replay is not safe in general.
   */
  RESET(false),
  /**
   * The call was cancelled or its thread interrupted. Nothing says whether request bytes were
   * sent, and a cancellation is never retried.
   */
  CANCELED(false),
  /** Anything else, including read timeouts and TLS failures. */
  OTHER(false);

  private final boolean connectPhase;

  FailureKind(boolean connectPhase) {
    this.connectPhase = connectPhase;
  }

  /**
   * True when the failure happened before a connection existed, so the attempt that failed wrote
   * no request byte. An earlier attempt of the same call may have: before resending a request
   * that is not idempotent, check {@link Diagnosis#requestMayHaveBeenSent()} too.
   */
  public boolean isConnectPhase() {
    return connectPhase;
  }

  /**
   * Classifies a failure. Walks the cause chain (cycle-safe and bounded, so a cycle, a chain
   * 10,000 deep or a {@code getMessage()} that throws is survived), preferring the most specific
   * evidence: a {@code ConnectException} caused by "Connect timed out" is a timeout, and typed
   * evidence outranks a plain wrapper's message. A cancellation outranks what it carries as
   * cause or suppressed (a route refused before the cancel), so it stays {@link #CANCELED}. Suppressed exceptions (OkHttp's other routes, say)
   * are searched only when the cause chain holds no evidence at all, so the failure a client
   * reports as primary decides.
   *
   * @param failure the exception a connect or call threw; null gives {@link #OTHER}
   * @return the kind, never null
   */
  public static FailureKind of(Throwable failure) {
    return FailureClassifier.classify(failure);
  }
}
