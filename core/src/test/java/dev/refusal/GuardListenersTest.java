package dev.refusal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.refusal.testing.FakeSystemView;
import dev.refusal.testing.Loopback;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("the guard's listeners")
class GuardListenersTest {

  private static Diagnoser diagnoser() {
    return Diagnoser.builder().system(FakeSystemView.noContainer()).build();
  }

  /** Records every event as one line, in order. */
  static final class Recorder extends RefusalListener {
    final String name;
    final List<String> events = Collections.synchronizedList(new ArrayList<>());

    Recorder(String name) {
      this.name = name;
    }

    @Override
    public void attemptFailed(Endpoint endpoint, int attempt, FailureKind kind,
        Throwable failure) {
      events.add("attemptFailed " + attempt + " " + kind);
    }

    @Override
    public void diagnosisMade(Diagnosis diagnosis) {
      events.add("diagnosisMade " + diagnosis.cause());
    }

    @Override
    public void retryScheduled(Endpoint endpoint, int nextAttempt, Duration delay,
        Diagnosis diagnosis) {
      events.add("retryScheduled " + nextAttempt);
    }

    @Override
    public void callSucceeded(Endpoint endpoint, int attempts) {
      events.add("callSucceeded " + attempts);
    }

    @Override
    public void callGaveUp(Endpoint endpoint, int attempts, Throwable thrown,
        GiveUpReason reason) {
      events.add("callGaveUp " + attempts + " " + reason + " "
          + thrown.getClass().getSimpleName());
    }

    @Override
    public void callRejected(Endpoint endpoint, Diagnosis lastDiagnosis) {
      events.add("callRejected");
    }

    @Override
    public void circuitStateChanged(Endpoint endpoint, CircuitState from, CircuitState to) {
      events.add("circuit " + from + "->" + to);
    }
  }

  /** Throws from every event: an unchecked exception, or an Error. */
  static final class Thrower extends RefusalListener {
    final RuntimeException unchecked = new IllegalStateException("listener bug");
    final Error error = new AssertionError("listener assertion");
    final AtomicInteger calls = new AtomicInteger();

    private void blowUp() {
      if (calls.incrementAndGet() % 2 == 0) {
        throw error;
      }
      throw unchecked;
    }

    @Override
    public void attemptFailed(Endpoint e, int attempt, FailureKind kind, Throwable failure) {
      blowUp();
    }

    @Override
    public void diagnosisMade(Diagnosis diagnosis) {
      blowUp();
    }

    @Override
    public void retryScheduled(Endpoint e, int next, Duration delay, Diagnosis d) {
      blowUp();
    }

    @Override
    public void callSucceeded(Endpoint endpoint, int attempts) {
      blowUp();
    }

    @Override
    public void callGaveUp(Endpoint e, int attempts, Throwable thrown, GiveUpReason reason) {
      blowUp();
    }

    @Override
    public void callRejected(Endpoint endpoint, Diagnosis lastDiagnosis) {
      blowUp();
    }

    @Override
    public void circuitStateChanged(Endpoint endpoint, CircuitState from, CircuitState to) {
      blowUp();
    }
  }

  /** A call that is refused {@code failures} times by a real closed port, then answers. */
  private static Callable<String> refusedThenOk(int port, int failures) {
    AtomicInteger n = new AtomicInteger();
    return () -> {
      if (n.incrementAndGet() <= failures) {
        throw Loopback.refused(Loopback.V4, port);
      }
      return "ok";
    };
  }

  private static RefusalGuard.Builder fast() {
    return RefusalGuard.builder().diagnoser(diagnoser())
        .backoff(Duration.ZERO, 1.0, Duration.ZERO).retryBudget(1.0, 1_000);
  }

  @Test
  @DisplayName("a call that is refused twice, then answers: each failure is told, diagnosed and"
      + " retried in that order, and the call ends once, succeeded after 3 attempts")
  void eventOrderOfARetriedCall() throws Exception {
    int port = Loopback.closedPort(Loopback.V4);
    Recorder r = new Recorder("r");
    try (RefusalGuard guard = fast().listener(r).build()) {
      assertThat(guard.call(Endpoint.of("127.0.0.1", port), refusedThenOk(port, 2)))
          .isEqualTo("ok");
    }
    assertThat(r.events).containsExactly(
        "attemptFailed 1 REFUSED", "diagnosisMade NO_LISTENER", "retryScheduled 2",
        "attemptFailed 2 REFUSED", "diagnosisMade NO_LISTENER", "retryScheduled 3",
        "callSucceeded 3");
  }

  @Test
  @DisplayName("a call that runs out of attempts ends once, given up, after the last failure's"
      + " diagnosis; the circuit's changes chain and a later call is rejected")
  void eventOrderOfAGiveUpAndARejection() throws Exception {
    int port = Loopback.closedPort(Loopback.V4);
    Recorder r = new Recorder("r");
    Endpoint endpoint = Endpoint.of("127.0.0.1", port);
    try (RefusalGuard guard = fast().listener(r).maxAttempts(2).failureThreshold(2)
        .recoveryProbeInterval(Duration.ofMinutes(1)).build()) {
      assertThat(catchThrowable(() -> guard.call(endpoint, refusedThenOk(port, 9))))
          .isInstanceOf(DiagnosedConnectException.class);
      assertThat(catchThrowable(() -> guard.call(endpoint, () -> "never")))
          .isInstanceOf(DiagnosedConnectException.class);
    }
    assertThat(r.events).containsExactly(
        "attemptFailed 1 REFUSED", "diagnosisMade NO_LISTENER", "retryScheduled 2",
        "attemptFailed 2 REFUSED", "circuit CLOSED->OPEN", "diagnosisMade NO_LISTENER",
        "callGaveUp 2 ATTEMPTS_USED_UP DiagnosedConnectException", "callRejected");
  }

  @Test
  @DisplayName("several listeners each hear every event, in the order they were added; one added"
      + " after build hears from then on; a removed one hears no more")
  void listenersCompose() throws Exception {
    int port = Loopback.closedPort(Loopback.V4);
    Endpoint endpoint = Endpoint.of("127.0.0.1", port);
    Recorder a = new Recorder("a");
    Recorder b = new Recorder("b");
    Recorder late = new Recorder("late");
    List<String> order = Collections.synchronizedList(new ArrayList<>());
    RefusalListener first = new RefusalListener() {
      @Override
      public void callSucceeded(Endpoint e, int attempts) {
        order.add("first");
      }
    };
    RefusalListener second = new RefusalListener() {
      @Override
      public void callSucceeded(Endpoint e, int attempts) {
        order.add("second");
      }
    };
    try (RefusalGuard guard = fast().listener(a).listener(b).listener(first).listener(second)
        .build()) {
      // A success first: the refusal after it reads as a restart.
      guard.call(endpoint, () -> "one");
      guard.addListener(late);
      guard.call(endpoint, refusedThenOk(port, 1));
      assertThat(guard.removeListener(b)).isTrue();
      assertThat(guard.removeListener(b)).isFalse();
      guard.call(endpoint, () -> "three");
    }
    assertThat(a.events).containsExactly("callSucceeded 1", "attemptFailed 1 REFUSED",
        "diagnosisMade RESTARTING", "retryScheduled 2", "callSucceeded 2", "callSucceeded 1");
    assertThat(b.events).containsExactly("callSucceeded 1", "attemptFailed 1 REFUSED",
        "diagnosisMade RESTARTING", "retryScheduled 2", "callSucceeded 2");
    assertThat(late.events).containsExactly("attemptFailed 1 REFUSED",
        "diagnosisMade RESTARTING", "retryScheduled 2", "callSucceeded 2", "callSucceeded 1");
    assertThat(order).containsExactly("first", "second", "first", "second", "first", "second");
  }

  @Test
  @DisplayName("a listener that throws from every event, unchecked exceptions and Errors alike,"
      + " changes no outcome: values, diagnosed failures and rejections reach the caller as"
      + " they would without it")
  void throwingListenerNeverBreaksACall() throws Exception {
    int port = Loopback.closedPort(Loopback.V4);
    Endpoint endpoint = Endpoint.of("127.0.0.1", port);
    Thrower thrower = new Thrower();
    Recorder after = new Recorder("after");
    try (RefusalGuard guard = fast().listener(thrower).listener(after).maxAttempts(2)
        .failureThreshold(4).recoveryProbeInterval(Duration.ofMinutes(1)).build()) {
      assertThat(guard.call(endpoint, () -> "plain")).isEqualTo("plain");
      assertThat(guard.call(endpoint, refusedThenOk(port, 1))).isEqualTo("ok");
      Throwable gaveUp = catchThrowable(() -> guard.call(endpoint, refusedThenOk(port, 9)));
      assertThat(gaveUp).isInstanceOf(DiagnosedConnectException.class)
          .hasCauseInstanceOf(ConnectException.class);
      Throwable opened = catchThrowable(() -> guard.call(endpoint, refusedThenOk(port, 9)));
      assertThat(opened).isInstanceOf(DiagnosedConnectException.class);
      Throwable rejected = catchThrowable(() -> guard.call(endpoint, () -> "never"));
      assertThat(rejected).isInstanceOf(DiagnosedConnectException.class);
      assertThat(((DiagnosedConnectException) rejected).isRejection()).isTrue();
      String async = guard.callAsync(Endpoint.of("127.0.0.1", Loopback.closedPort(Loopback.V4)),
          () -> java.util.concurrent.CompletableFuture.completedFuture("async"),
          CallOptions.DEFAULTS).get(10, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(async).isEqualTo("async");
    }
    assertThat(thrower.calls.get()).as("the thrower heard events").isGreaterThan(10);
    assertThat(after.events).as("the listener after the thrower heard everything")
        .contains("callSucceeded 1", "callSucceeded 2", "circuit CLOSED->OPEN", "callRejected");
  }
}
