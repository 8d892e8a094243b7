package dev.refusal;

/**
 * Why a connect failed, in the operator's words: what to fix, not which errno came back.
 *
 * <p>The first twelve constants are the causes of a refusal (or of the failure that looks like
 * one) that the README's cause table explains; {@link #DNS_FAILURE}, {@link #UNREACHABLE}, {@link
 * #CONNECT_TIMEOUT} and {@link #UNKNOWN} name the neighbours that must never be mistaken for a
 * refusal.
 */
public enum RefusalCause {
  /** Nothing listens on the port: the service is down, crashed, not started, or on another port. */
  NO_LISTENER(true, false),
  /** The service listens on 127.0.0.1 or ::1 only, and the client dialled another address. */
  LOOPBACK_ONLY_BIND(false, true),
  /** The service listens on one interface address, and the client dialled another. */
  WRONG_INTERFACE_BIND(false, true),
  /** The service listens on one address family (IPv4 or IPv6), and the client dialled the other. */
  ADDRESS_FAMILY_MISMATCH(false, true),
  /** The client runs in a container and dialled loopback, which is the container itself. */
  LOOPBACK_IN_CONTAINER(false, true),
  /** DNS or service discovery handed out an address the service no longer has. */
  STALE_ADDRESS(false, true),
  /** The listener exists but its accept queue is full; on Linux this shows as connect timeouts. */
  ACCEPT_QUEUE_FULL(true, false),
  /** The endpoint answered recently or answers again moments later: a restart is under way. */
  RESTARTING(true, false),
  /** A listener exists and has room, yet the connect was refused: a firewall REJECT rule. */
  REJECTED_BY_FILTER(false, true),
  /** The configured proxy refused the connection; the target was never contacted. */
  PROXY_REFUSED(false, true),
  /** The client host ran out of ephemeral ports or could not use its local address. */
  LOCAL_PORT_EXHAUSTION(false, false),
  /** The client process ran out of file descriptors. */
  LOCAL_FD_EXHAUSTION(false, false),
  /** The host name does not resolve. */
  DNS_FAILURE(false, true),
  /** No route to the host or its network (host down, routing, or an ICMP-rejecting firewall). */
  UNREACHABLE(false, false),
  /** The connect timed out with no sign of a full accept queue: a silent drop or a dead host. */
  CONNECT_TIMEOUT(false, false),
  /** The probes could not tell, or the failure was not a connect failure. */
  UNKNOWN(true, false);

  private final boolean transientCause;
  private final boolean misconfiguration;

  RefusalCause(boolean transientCause, boolean misconfiguration) {
    this.transientCause = transientCause;
    this.misconfiguration = misconfiguration;
  }

  /**
   * True when the same call, repeated within seconds, is expected to succeed without anyone
   * changing anything; exactly the causes {@link RefusalGuard} retries by default ({@code
   * NO_LISTENER}, {@code RESTARTING}, {@code ACCEPT_QUEUE_FULL}, {@code UNKNOWN}). A cause that
   * may pass only after minutes, or only once someone acts (a stale DNS answer, a name that does
   * not resolve, no route, a silent drop), is not transient.
   */
  public boolean isTransient() {
    return transientCause;
  }

  /**
   * True when a configuration is wrong (bind address, address family, proxy, firewall, discovery):
   * retrying the same address cannot help, and someone has to change something.
   */
  public boolean isMisconfiguration() {
    return misconfiguration;
  }
}
