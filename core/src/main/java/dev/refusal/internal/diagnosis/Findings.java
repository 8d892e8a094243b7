package dev.refusal.internal.diagnosis;

import dev.refusal.Confidence;
import dev.refusal.Evidence;
import dev.refusal.RefusalCause;
import java.util.ArrayList;
import java.util.List;

/**
 * What one diagnosis has found so far: the evidence in the order it was seen, the verdict the
 * rules reached, and the time budget they share.
 *
 * <p>A later {@link #conclude} replaces an earlier one. The budget, once spent, stays spent:
 * {@link #spent()} turns true when the deadline passes or a probe gave up on it. Not
 * thread-safe; one instance per diagnosis.
 */
final class Findings {

  private final long startNanos;
  private final long deadlineNanos;
  private final List<Evidence> evidence = new ArrayList<>();
  private boolean budgetSpent;

  private RefusalCause cause = RefusalCause.UNKNOWN;
  private Confidence confidence = Confidence.LOW;
  private Wording wording = FailureWording.undecided();

  /** Both by {@link System#nanoTime()}. */
  Findings(long startNanos, long deadlineNanos) {
    this.startNanos = startNanos;
    this.deadlineNanos = deadlineNanos;
  }

  void note(String probe, String observation) {
    evidence.add(Evidence.of(probe, observation));
  }

  void note(Evidence seen) {
    evidence.add(seen);
  }

  void conclude(RefusalCause cause, Confidence confidence, Wording wording) {
    this.cause = cause;
    this.confidence = confidence;
    this.wording = wording;
  }

  /** True once the deadline has passed or a probe ran out of budget. */
  boolean spent() {
    if (System.nanoTime() - deadlineNanos >= 0) {
      budgetSpent = true;
    }
    return budgetSpent;
  }

  /** Records that a probe could not finish within the budget. */
  void budgetRanOut() {
    budgetSpent = true;
  }

  /**
   * Caps the confidence when the budget ran out: the probes skipped might have told otherwise.
   * Called once, after the rules.
   */
  void closeBudget() {
    if (budgetSpent) {
      confidence = confidence.atMost(Confidence.MEDIUM);
      note("budget", "the time budget ran out after " + millisSinceStart()
          + " ms; the probes still to run were skipped");
    }
  }

  long startNanos() {
    return startNanos;
  }

  long deadlineNanos() {
    return deadlineNanos;
  }

  long millisSinceStart() {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  boolean budgetSpent() {
    return budgetSpent;
  }

  RefusalCause cause() {
    return cause;
  }

  Confidence confidence() {
    return confidence;
  }

  /** The summary and remedy of the verdict. */
  Wording wording() {
    return wording;
  }

  List<Evidence> evidence() {
    return evidence;
  }
}
