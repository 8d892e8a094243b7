package dev.refusal.internal;

import dev.refusal.Diagnosis;

/**
 * A diagnosis riding on a failure whose type must not change: added as a suppressed exception, so
 * a stack trace in a log shows the headline, and {@link Diagnosis#find} finds it. Never thrown;
 * carries no stack of its own.
 */
final class AttachedDiagnosis extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Replaced, never cleared, when an integration adds what only it knows (its routes). */
  private transient volatile Diagnosis diagnosis;
  /** The client's own failure this one stands in for; the failure it rides on, when attached. */
  private final transient Throwable original;

  AttachedDiagnosis(Diagnosis diagnosis, Throwable original) {
    super(diagnosis.headline(), null, false, false);
    this.diagnosis = diagnosis;
    this.original = original;
  }

  Diagnosis diagnosis() {
    return diagnosis;
  }

  void replace(Diagnosis newer) {
    diagnosis = newer;
  }

  Throwable original() {
    return original;
  }

  @Override
  public String getMessage() {
    Diagnosis d = diagnosis;
    return d == null ? super.getMessage() : d.headline();
  }
}
