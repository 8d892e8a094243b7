package dev.refusal;

import dev.refusal.internal.DiagnosedFailures;
import dev.refusal.internal.HostSyntax;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The answer to "why was this connect refused?": a cause, how sure we are, what was seen, and
 * what to do about it.
 *
 * <p>Immutable and safe to share; a {@link Diagnoser} caches and hands the same instance to every
 * caller that fails on the same endpoint within its time-to-live. No field holds URL user-info,
 * a query string or a header.
 */
public final class Diagnosis {
  private final Endpoint endpoint;
  private final FailureKind kind;
  private final RefusalCause cause;
  private final Confidence confidence;
  private final String summary;
  private final String remedy;
  private final List<Evidence> evidence;
  private final Duration elapsed;
  private final boolean requestMayHaveBeenSent;

  private Diagnosis(Endpoint endpoint, FailureKind kind, RefusalCause cause,
      Confidence confidence, String summary, String remedy, List<Evidence> evidence,
      Duration elapsed) {
    this(endpoint, kind, cause, confidence, summary, remedy, evidence, elapsed, false);
  }

  private Diagnosis(Endpoint endpoint, FailureKind kind, RefusalCause cause,
      Confidence confidence, String summary, String remedy, List<Evidence> evidence,
      Duration elapsed, boolean requestMayHaveBeenSent) {
    this.endpoint = endpoint;
    this.kind = kind;
    this.cause = cause;
    this.confidence = confidence;
    this.summary = summary;
    this.remedy = remedy;
    this.evidence = List.copyOf(evidence);
    this.elapsed = elapsed;
    this.requestMayHaveBeenSent = requestMayHaveBeenSent;
  }

  /**
   * Returns a diagnosis; {@link Diagnoser} makes these, and so may tests and custom integrations.
   *
   * @throws NullPointerException if any argument is null
   */
  public static Diagnosis of(Endpoint endpoint, FailureKind kind, RefusalCause cause,
      Confidence confidence, String summary, String remedy, List<Evidence> evidence,
      Duration elapsed) {
    return new Diagnosis(Objects.requireNonNull(endpoint, "endpoint"),
        Objects.requireNonNull(kind, "kind"), Objects.requireNonNull(cause, "cause"),
        Objects.requireNonNull(confidence, "confidence"), Objects.requireNonNull(summary, "summary"),
        Objects.requireNonNull(remedy, "remedy"), Objects.requireNonNull(evidence, "evidence"),
        Objects.requireNonNull(elapsed, "elapsed"));
  }

  /**
   * The diagnosis carried anywhere in {@code failure}'s causes and suppressed exceptions,
   * searched breadth first: what an integration put on the exception it threw, whatever that
   * exception's type ({@link DiagnosedConnectException} for a refusal, the client's own type
   * otherwise). Cycle-safe; never throws; empty for null.
   */
  public static Optional<Diagnosis> find(Throwable failure) {
    return DiagnosedFailures.find(failure);
  }

  /**
   * A copy with {@code summary} in place of this one's; how an integration adds what only it
   * knows (the client's way of dialling) without rebuilding the rest.
   *
   * @throws NullPointerException if {@code summary} is null
   */
  public Diagnosis withSummary(String summary) {
    return new Diagnosis(endpoint, kind, cause, confidence,
        Objects.requireNonNull(summary, "summary"), remedy, evidence, elapsed,
        requestMayHaveBeenSent);
  }

  /**
   * A copy with {@code remedy} in place of this one's.
   *
   * @throws NullPointerException if {@code remedy} is null
   */
  public Diagnosis withRemedy(String remedy) {
    return new Diagnosis(endpoint, kind, cause, confidence, summary,
        Objects.requireNonNull(remedy, "remedy"), evidence, elapsed, requestMayHaveBeenSent);
  }

  /**
   * A copy with {@code evidence} (copied) in place of this one's.
   *
   * @throws NullPointerException if {@code evidence} or an element is null
   */
  public Diagnosis withEvidence(List<Evidence> evidence) {
    return new Diagnosis(endpoint, kind, cause, confidence, summary, remedy,
        Objects.requireNonNull(evidence, "evidence"), elapsed, requestMayHaveBeenSent);
  }

  /**
   * A builder that starts from every part of this diagnosis; for a copy with several parts
   * changed, where the {@code with} methods would copy once per part.
   */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** The endpoint that failed, with the address dialled when it was known. */
  public Endpoint endpoint() {
    return endpoint;
  }

  /** What kind of failure was diagnosed. */
  public FailureKind kind() {
    return kind;
  }

  /** The cause. */
  public RefusalCause cause() {
    return cause;
  }

  /** How sure the diagnosis is. */
  public Confidence confidence() {
    return confidence;
  }

  /** What was found, in one sentence: {@code a process listens on 127.0.0.1:8080 only}. */
  public String summary() {
    return summary;
  }

  /** What to do, in one or two sentences: a bind address, a command to run on the server. */
  public String remedy() {
    return remedy;
  }

  /** What each probe saw, in the order they looked. Unmodifiable. */
  public List<Evidence> evidence() {
    return evidence;
  }

  /** How long the diagnosis took. */
  public Duration elapsed() {
    return elapsed;
  }

  /**
   * Whether any attempt of the call this diagnosis ended may have written request bytes to a
   * server: an earlier attempt failed after writing (and was retried because the call was
   * idempotent), or the client's own retry inside one attempt followed a written request (OkHttp
   * retries on a fresh connection after a stale pooled one failed mid-exchange). When true, the
   * server may have processed the request even though the last failure was in the connect phase:
   * resend it only if it is idempotent. False for a diagnosis made outside a guarded call.
   */
  public boolean requestMayHaveBeenSent() {
    return requestMayHaveBeenSent;
  }

  /**
   * Whether repeating the call within seconds is expected to succeed: {@code
   * cause().isTransient()}, the causes a guard retries by default.
   */
  public boolean isTransient() {
    return cause.isTransient();
  }

  /**
   * The one-line form used as the message of {@link DiagnosedConnectException}: {@code Connection
   * refused: host:port (address) — CAUSE (CONFIDENCE): summary. remedy}.
   */
  public String headline() {
    StringBuilder sb = new StringBuilder(160);
    sb.append(kindPhrase(kind)).append(": ").append(endpoint);
    InetSocketAddress address = endpoint.address().orElse(null);
    if (address != null && address.getAddress() != null) {
      sb.append(" (").append(HostSyntax.addressText(address.getAddress())).append(')');
    }
    sb.append(" — ").append(cause).append(" (").append(confidence).append("): ").append(summary);
    if (!summary.endsWith(".")) {
      sb.append('.');
    }
    sb.append(' ').append(remedy);
    if (requestMayHaveBeenSent) {
      sb.append(remedy.endsWith(".") ? "" : ".")
          .append(" The request may have reached a server in an earlier try: resend it only if"
              + " it is idempotent.");
    }
    return sb.toString();
  }

  /** The one-paragraph human form: the headline, then the evidence and the time it took. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(headline());
    if (!evidence.isEmpty()) {
      sb.append(" Evidence: ");
      for (int i = 0; i < evidence.size(); i++) {
        if (i > 0) {
          sb.append("; ");
        }
        sb.append(evidence.get(i));
      }
      sb.append('.');
    }
    sb.append(" (diagnosed in ").append(formatMillis(elapsed)).append(')');
    return sb.toString();
  }

  static String kindPhrase(FailureKind kind) {
    switch (kind) {
      case REFUSED:
        return "Connection refused";
      case CONNECT_TIMEOUT:
        return "Connect timed out";
      case UNKNOWN_HOST:
        return "Unknown host";
      case NO_ROUTE_TO_HOST:
        return "No route to host";
      case NETWORK_UNREACHABLE:
        return "Network unreachable";
      case LOCAL_ADDRESS_UNAVAILABLE:
        return "No local address available";
      case LOCAL_FD_EXHAUSTED:
        return "Too many open files";
      case ADDRESS_FAMILY_UNAVAILABLE:
        return "Address family unavailable";
      case RESET:
        return "Connection reset";
      case CANCELED:
        return "Call cancelled";
      default:
        return "Connection failed";
    }
  }

  private static String formatMillis(Duration d) {
    long micros = d.toNanos() / 1_000;
    return micros >= 10_000 ? (micros / 1_000) + " ms" : (micros / 1_000.0) + " ms";
  }

  /**
   * Builds a diagnosis from another one's parts; made by {@link Diagnosis#toBuilder()}.
   *
   * <p>Each setter replaces one part and rejects null with a {@link NullPointerException} whose
   * message names the parameter; {@link #build()} may be called any number of times, and later
   * changes to the builder never reach a diagnosis it built. Not thread-safe.
   */
  public static final class Builder {
    private Endpoint endpoint;
    private FailureKind kind;
    private RefusalCause cause;
    private Confidence confidence;
    private String summary;
    private String remedy;
    private List<Evidence> evidence;
    private Duration elapsed;
    private boolean requestMayHaveBeenSent;

    private Builder(Diagnosis d) {
      this.endpoint = d.endpoint;
      this.kind = d.kind;
      this.cause = d.cause;
      this.confidence = d.confidence;
      this.summary = d.summary;
      this.remedy = d.remedy;
      this.evidence = d.evidence;
      this.elapsed = d.elapsed;
      this.requestMayHaveBeenSent = d.requestMayHaveBeenSent;
    }

    /** Sets the endpoint that failed. */
    public Builder endpoint(Endpoint endpoint) {
      this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
      return this;
    }

    /** Sets the kind of failure. */
    public Builder kind(FailureKind kind) {
      this.kind = Objects.requireNonNull(kind, "kind");
      return this;
    }

    /** Sets the cause. */
    public Builder cause(RefusalCause cause) {
      this.cause = Objects.requireNonNull(cause, "cause");
      return this;
    }

    /** Sets how sure the diagnosis is. */
    public Builder confidence(Confidence confidence) {
      this.confidence = Objects.requireNonNull(confidence, "confidence");
      return this;
    }

    /** Sets the one-sentence summary. */
    public Builder summary(String summary) {
      this.summary = Objects.requireNonNull(summary, "summary");
      return this;
    }

    /** Sets the remedy. */
    public Builder remedy(String remedy) {
      this.remedy = Objects.requireNonNull(remedy, "remedy");
      return this;
    }

    /**
     * Sets the evidence, copied now.
     *
     * @throws NullPointerException if {@code evidence} or an element is null
     */
    public Builder evidence(List<Evidence> evidence) {
      this.evidence = List.copyOf(Objects.requireNonNull(evidence, "evidence"));
      return this;
    }

    /** Sets how long the diagnosis took. */
    public Builder elapsed(Duration elapsed) {
      this.elapsed = Objects.requireNonNull(elapsed, "elapsed");
      return this;
    }

    /** Sets whether any attempt of the call may have written request bytes to a server. */
    public Builder requestMayHaveBeenSent(boolean mayHaveBeenSent) {
      this.requestMayHaveBeenSent = mayHaveBeenSent;
      return this;
    }

    /** A diagnosis of the parts set so far. */
    public Diagnosis build() {
      return new Diagnosis(endpoint, kind, cause, confidence, summary, remedy, evidence, elapsed,
          requestMayHaveBeenSent);
    }
  }
}
