package dev.refusal.jdkhttp;

import dev.refusal.CircuitState;
import dev.refusal.Diagnosis;
import dev.refusal.Endpoint;
import dev.refusal.FailureKind;
import dev.refusal.RefusalListener;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/** Records a guard's events as lines, in order, and lets a test act when a retry is scheduled. */
final class RecordingListener extends RefusalListener {
  private final List<String> events = new CopyOnWriteArrayList<>();
  private final CountDownLatch retryScheduled = new CountDownLatch(1);
  private volatile Duration firstDelay;
  private volatile long firstRetryScheduledAt;
  private volatile Runnable onRetryScheduled = () -> {};

  /** Runs {@code action} on the guard's thread each time a retry is scheduled. */
  RecordingListener onRetryScheduled(Runnable action) {
    this.onRetryScheduled = action;
    return this;
  }

  List<String> events() {
    return List.copyOf(events);
  }

  long failedAttempts() {
    return events.stream().filter(e -> e.startsWith("attempt ")).count();
  }

  /** Released when the first retry is scheduled. */
  CountDownLatch firstRetryScheduled() {
    return retryScheduled;
  }

  /** The {@link System#nanoTime()} at which the first retry was scheduled. */
  long firstRetryScheduledAt() {
    return firstRetryScheduledAt;
  }

  /** The wait before the first retry, once scheduled. */
  Duration firstDelay() {
    return firstDelay;
  }

  @Override
  public void attemptFailed(Endpoint endpoint, int attempt, FailureKind kind, Throwable failure) {
    events.add("attempt " + attempt + " failed: " + kind);
  }

  @Override
  public void diagnosisMade(Diagnosis diagnosis) {
    events.add("diagnosed " + diagnosis.cause());
  }

  @Override
  public void retryScheduled(Endpoint endpoint, int nextAttempt, Duration delay,
      Diagnosis diagnosis) {
    events.add("retry " + nextAttempt + " scheduled");
    if (firstDelay == null) {
      firstRetryScheduledAt = System.nanoTime();
      firstDelay = delay;
    }
    onRetryScheduled.run();
    retryScheduled.countDown();
  }

  @Override
  public void callRejected(Endpoint endpoint, Diagnosis lastDiagnosis) {
    events.add("rejected");
  }

  @Override
  public void circuitStateChanged(Endpoint endpoint, CircuitState from,
      CircuitState to) {
    events.add("circuit " + from + " -> " + to);
  }
}
