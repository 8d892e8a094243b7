package dev.refusal;

/** How sure a {@link Diagnosis} is of its cause. */
public enum Confidence {
  /** The probes proved the cause on this host (a listener table row, a probe that accepted). */
  HIGH,
  /** The evidence fits the cause and nothing seen contradicts it, but something stayed unseen. */
  MEDIUM,
  /** A best guess: the probes could not look where the answer is (a remote host, no /proc). */
  LOW;

  /** Returns the lower of this and {@code other}. */
  public Confidence atMost(Confidence other) {
    return compareTo(other) >= 0 ? this : other;
  }
}
