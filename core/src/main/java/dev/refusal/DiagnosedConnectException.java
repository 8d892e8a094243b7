package dev.refusal;

import java.net.ConnectException;
import java.util.Objects;

/**
 * A connect failure explained: the message names the endpoint, the address, the cause and the
 * remedy, and {@link #diagnosis()} gives the details to code.
 *
 * <p>It extends {@link ConnectException}, so catch blocks written for the original keep working;
 * the original exception is always the {@linkplain #getCause() cause}. A call that a {@link
 * RefusalGuard} rejected without dialling, because the endpoint's circuit is open, gets one whose
 * {@link #isRejection()} is true and whose cause is the last failure that opened or kept the
 * circuit open; such instances carry no stack trace, because rejecting a call must stay cheap.
 */
public final class DiagnosedConnectException extends ConnectException {
  private static final long serialVersionUID = 1L;

  private final transient Diagnosis diagnosis;
  private final boolean rejection;
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
    this(Objects.requireNonNull(diagnosis, "diagnosis").headline(), diagnosis, original, true,
        false);
  }

  private DiagnosedConnectException(String message, Diagnosis diagnosis, Throwable original,
      boolean captureStack, boolean rejection) {
    super(message);
    this.diagnosis = diagnosis;
    this.rejection = rejection;
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
    return new DiagnosedConnectException(prefix + diagnosis.headline(), diagnosis, original, false,
        false);
  }

  /**
   * A rejection without dialling, with a message built beforehand: allocates nothing but the
   * exception. {@code lastFailure} is the failure that opened or kept the circuit open.
   */
  static DiagnosedConnectException rejection(String message, Diagnosis diagnosis,
      Throwable lastFailure) {
    return new DiagnosedConnectException(message, diagnosis, lastFailure, false, true);
  }

  // Not synchronized: Throwable's own is, and is called only when a stack is wanted, so a
  // rejection takes no lock here.
  @Override
  public Throwable fillInStackTrace() {
    return captureStack ? super.fillInStackTrace() : this;
  }

  /**
   * True when the guard rejected the call without dialling, because the endpoint's circuit was
   * open: no byte went anywhere, and {@link #getCause()} is the earlier failure that opened it.
   */
  public boolean isRejection() {
    return rejection;
  }

  /** The diagnosis; null only after Java deserialization, which does not carry it. */
  public Diagnosis diagnosis() {
    return diagnosis;
  }
}
