package dev.refusal;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

/**
 * What a {@link Probe} is told about the failure it looks at. Immutable; valid only during the
 * call to {@link Probe#probe}.
 */
public final class ProbeContext {
  private final Endpoint endpoint;
  private final FailureKind kind;
  private final List<InetAddress> addresses;
  private final List<Evidence> evidence;
  private final RefusalCause causeSoFar;
  private final long deadlineNanos;

  ProbeContext(Endpoint endpoint, FailureKind kind, List<InetAddress> addresses,
      List<Evidence> evidence, RefusalCause causeSoFar, long deadlineNanos) {
    this.endpoint = endpoint;
    this.kind = kind;
    this.addresses = List.copyOf(addresses);
    this.evidence = List.copyOf(evidence);
    this.causeSoFar = causeSoFar;
    this.deadlineNanos = deadlineNanos;
  }

  /** The endpoint that failed. */
  public Endpoint endpoint() {
    return endpoint;
  }

  /** The kind of failure. */
  public FailureKind kind() {
    return kind;
  }

  /** The addresses the host resolved to (empty when it did not resolve). */
  public List<InetAddress> addresses() {
    return addresses;
  }

  /** The evidence the built-in probes gathered. */
  public List<Evidence> evidence() {
    return evidence;
  }

  /** The cause the built-in probes settled on. */
  public RefusalCause causeSoFar() {
    return causeSoFar;
  }

  /** Time left in the diagnosis budget; zero or negative when it is spent. */
  public Duration remaining() {
    return Duration.ofNanos(deadlineNanos - System.nanoTime());
  }
}
