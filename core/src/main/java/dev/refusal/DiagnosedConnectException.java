package dev.refusal;

import java.net.ConnectException;
import java.util.Objects;

/**
 * A connect failure explained: the message names the endpoint, the address, the cause and the
 * remedy, and {@link #diagnosis()} gives the details to code.
 *
 * <p>It extends {@link ConnectException}, so catch blocks written for the original keep working;
 * the original exception is always the {@linkplain #getCause() cause}. Instances made for an open
 * circuit carry no stack trace, because rejecting a call must stay cheap.
 */
public final class DiagnosedConnectException extends ConnectException {
  private static final long serialVersionUID = 1L;

  private final transient Diagnosis diagnosis;
  // False while Throwable's constructor runs, so the stack is filled only when asked for below.
  private boolean captureStack;

  /**
   * Returns an exception for {@code diagnosis}, with {@code original} as its cause.
   *
   * @param original the exception the client threw; may be null only when there was none (a call
   *     rejected by an open circuit without dialling)
   * @throws NullPointerException if {@code diagnosis} is null
   */
  public DiagnosedConnectException(Diagnosis diagnosis, Throwable original) {
    this(Objects.requireNonNull(diagnosis, "diagnosis").headline(), diagnosis, original, true);
  }

  private DiagnosedConnectException(String message, Diagnosis diagnosis, Throwable original,
      boolean captureStack) {
    super(message);
    this.diagnosis = diagnosis;
    if (original != null) {
      initCause(original);
    }
    if (captureStack) {
      this.captureStack = true;
      fillInStackTrace();
    }
  }

  /**
   * Returns an exception without a stack trace, for calls rejected without dialling (an open
   * circuit): its message is {@code prefix} followed by the diagnosis headline. Filling a stack
   * trace costs microseconds; a rejection must not.
   *
   * @throws NullPointerException if {@code prefix} or {@code diagnosis} is null
   */
  public static DiagnosedConnectException withoutStackTrace(String prefix, Diagnosis diagnosis,
      Throwable original) {
    Objects.requireNonNull(prefix, "prefix");
    Objects.requireNonNull(diagnosis, "diagnosis");
    return new DiagnosedConnectException(prefix + diagnosis.headline(), diagnosis, original, false);
  }

  /** A rejection with a message built beforehand: allocates nothing but the exception. */
  static DiagnosedConnectException rejection(String message, Diagnosis diagnosis) {
    return new DiagnosedConnectException(message, diagnosis, null, false);
  }

  @Override
  public synchronized Throwable fillInStackTrace() {
    return captureStack ? super.fillInStackTrace() : this;
  }

  /** The diagnosis; null only after Java deserialization, which does not carry it. */
  public Diagnosis diagnosis() {
    return diagnosis;
  }
}
