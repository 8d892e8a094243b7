package dev.refusal.okhttp;

import dev.refusal.CircuitState;
import dev.refusal.Diagnosis;
import dev.refusal.Endpoint;
import dev.refusal.FailureKind;
import dev.refusal.RefusalListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** The guard's events, recorded as data in order; optionally acts when a retry is scheduled. */
final class GuardEvents extends RefusalListener {
  private final List<String> events = new ArrayList<>();
  private final List<Duration> delays = new ArrayList<>();
  private volatile Consumer<Duration> onRetryScheduled = d -> { };

  /** Runs {@code action} with the delay each time a retry is scheduled (before the wait). */
  GuardEvents onRetryScheduled(Consumer<Duration> action) {
    this.onRetryScheduled = action;
    return this;
  }

  synchronized List<String> events() {
    return List.copyOf(events);
  }

  synchronized List<Duration> delays() {
    return List.copyOf(delays);
  }

  /** Failed attempts seen so far. */
  synchronized long failedAttempts() {
    return events.stream().filter(e -> e.startsWith("attemptFailed")).count();
  }

  @Override
  public synchronized void attemptFailed(Endpoint endpoint, int attempt, FailureKind kind,
      Throwable failure) {
    events.add("attemptFailed " + attempt + " " + kind);
  }

  @Override
  public synchronized void diagnosisMade(Diagnosis diagnosis) {
    events.add("diagnosisMade " + diagnosis.cause());
  }

  @Override
  public void retryScheduled(Endpoint endpoint, int nextAttempt, Duration delay,
      Diagnosis diagnosis) {
    synchronized (this) {
      events.add("retryScheduled " + nextAttempt);
      delays.add(delay);
    }
    onRetryScheduled.accept(delay);
  }

  @Override
  public synchronized void callRejected(Endpoint endpoint, Diagnosis lastDiagnosis) {
    events.add("callRejected");
  }

  @Override
  public synchronized void circuitStateChanged(Endpoint endpoint, CircuitState from,
      CircuitState to) {
    events.add("circuit " + from + "->" + to);
  }
}
