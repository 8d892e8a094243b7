package dev.refusal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.refusal.testing.FakeSystemView;
import dev.refusal.testing.FlappingServer;
import dev.refusal.testing.Loopback;
import dev.refusal.testing.ManualTicker;
import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Every permit the breaker hands out is given back exactly once, on every path a call can take.
 * Time is a {@link ManualTicker}, so the open wait passes when the test says so.
 */
@DisplayName("a guarded call gives its permit back exactly once")
class PermitLifecycleTest {

  private static final Duration LONG = Duration.ofHours(1);

  private static Diagnoser diagnoser() {
    return Diagnoser.builder().system(FakeSystemView.noContainer()).build();
  }

  /** Opens at the first failure, one trial when half-open, no recovery probe within the test. */
  private static RefusalGuard.Builder oneTrial(ManualTicker ticker) {
    return RefusalGuard.builder().diagnoser(diagnoser()).ticker(ticker)
        .failureThreshold(1).maxAttempts(1).halfOpenCalls(1).openWait(Duration.ofMillis(1))
        .recoveryProbeInterval(Duration.ofMinutes(1)).halfOpenMaxWait(LONG);
  }

  /** One refused call opens the circuit; the ticker then moves past the open wait. */
  private static Endpoint openAndWait(RefusalGuard guard, ManualTicker ticker) {
    int port = Loopback.closedPort(Loopback.V4);
    Endpoint endpoint = Endpoint.of("127.0.0.1", port);
    assertThat(catchThrowable(() -> guard.call(endpoint,
        () -> FlappingServer.fetch(Loopback.V4, port))))
        .isInstanceOf(DiagnosedConnectException.class);
    assertThat(guard.circuitState(endpoint)).isEqualTo(CircuitState.OPEN);
    ticker.advance(Duration.ofSeconds(1));
    return endpoint;
  }

  @Test
  @DisplayName("an async trial that completes after its caller cancelled changes nothing: the"
      + " permit went back at the cancel, and is not given back a second time")
  void lateCompletionAfterCancel() throws Exception {
    ManualTicker ticker = new ManualTicker();
    try (RefusalGuard guard = oneTrial(ticker).build()) {
      Endpoint endpoint = openAndWait(guard, ticker);
      CompletableFuture<String> late = new CompletableFuture<>();
      CompletableFuture<String> first = guard.callAsync(endpoint, () -> late,
          CallOptions.DEFAULTS);
      assertThat(guard.circuitState(endpoint)).isEqualTo(CircuitState.HALF_OPEN);
      assertThat(first.cancel(true)).isTrue();

      // The permit is back: a second trial takes it and holds it, blocked in its callable.
      CountDownLatch inSecond = new CountDownLatch(1);
      CountDownLatch releaseSecond = new CountDownLatch(1);
      CompletableFuture<String> second = CompletableFuture.supplyAsync(() -> {
        try {
          return guard.call(endpoint, () -> {
            inSecond.countDown();
            releaseSecond.await(10, TimeUnit.SECONDS);
            return "second";
          });
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      assertThat(inSecond.await(10, TimeUnit.SECONDS)).as("the second trial started").isTrue();

      late.complete("late");
      Throwable third = catchThrowable(() -> guard.call(endpoint, () -> "third"));

      assertThat(third).as("the one permit is the second trial's; the late completion gave"
          + " nothing back").isInstanceOf(DiagnosedConnectException.class);
      assertThat(((DiagnosedConnectException) third).isRejection()).isTrue();
      releaseSecond.countDown();
      assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo("second");
      assertThat(guard.circuitState(endpoint)).isEqualTo(CircuitState.CLOSED);
    }
  }

  @Test
  @DisplayName("a caller that completes the returned future itself, instead of cancelling it,"
      + " gives the trial's permit back just the same")
  void callerCompletesTheFutureItself() throws Exception {
    ManualTicker ticker = new ManualTicker();
    try (RefusalGuard guard = oneTrial(ticker).build()) {
      Endpoint endpoint = openAndWait(guard, ticker);
      CompletableFuture<String> never = new CompletableFuture<>();
      CompletableFuture<String> trial = guard.callAsync(endpoint, () -> never,
          CallOptions.DEFAULTS);
      trial.complete("gave up waiting");

      assertThat(guard.call(endpoint, () -> "next")).isEqualTo("next");
      assertThat(guard.circuitState(endpoint)).isEqualTo(CircuitState.CLOSED);
    }
  }

  @Test
  @DisplayName("an attempt supplier that throws an Error in a half-open trial: the future"
      + " completes with that Error and the permit goes back")
  void asyncSupplierErrorInTrial() throws Exception {
    ManualTicker ticker = new ManualTicker();
    try (RefusalGuard guard = oneTrial(ticker).build()) {
      Endpoint endpoint = openAndWait(guard, ticker);
      AssertionError boom = new AssertionError("boom");
      CompletableFuture<String> trial = guard.callAsync(endpoint, () -> {
        throw boom;
      }, CallOptions.DEFAULTS);

      Throwable thrown = catchThrowable(() -> trial.get(10, TimeUnit.SECONDS));
      assertThat(thrown).isInstanceOf(ExecutionException.class).hasCause(boom);
      ticker.advance(Duration.ofSeconds(1));
      assertThat(guard.call(endpoint, () -> "next")).isEqualTo("next");
    }
  }

  @Test
  @DisplayName("a half-open circuit whose trial never ends reopens at the first call after the"
      + " half-open maximum wait, and the next trial after the open wait closes it")
  void halfOpenBackstop() throws Exception {
    ManualTicker ticker = new ManualTicker();
    try (RefusalGuard guard = oneTrial(ticker).halfOpenMaxWait(Duration.ofSeconds(10)).build()) {
      Endpoint endpoint = openAndWait(guard, ticker);
      CompletableFuture<String> forever = new CompletableFuture<>();
      guard.callAsync(endpoint, () -> forever, CallOptions.DEFAULTS);
      assertThat(guard.circuitState(endpoint)).isEqualTo(CircuitState.HALF_OPEN);

      ticker.advance(Duration.ofSeconds(9));
      assertThat(catchThrowable(() -> guard.call(endpoint, () -> "x")))
          .as("within the maximum wait the trial keeps its permit")
          .isInstanceOf(DiagnosedConnectException.class);
      assertThat(guard.circuitState(endpoint)).isEqualTo(CircuitState.HALF_OPEN);

      ticker.advance(Duration.ofSeconds(2));
      assertThat(catchThrowable(() -> guard.call(endpoint, () -> "x")))
          .isInstanceOf(DiagnosedConnectException.class);
      assertThat(guard.circuitState(endpoint)).as("reopened by the backstop")
          .isEqualTo(CircuitState.OPEN);

      ticker.advance(Duration.ofSeconds(1));
      assertThat(guard.call(endpoint, () -> "trial")).isEqualTo("trial");
      assertThat(guard.circuitState(endpoint)).isEqualTo(CircuitState.CLOSED);
    }
  }

  @Test
  @DisplayName("cancelling an async call during its backoff removes the scheduled attempt at"
      + " once and reports the call as given up, cancelled")
  void asyncCancelDuringBackoff() throws Exception {
    ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
    scheduler.setRemoveOnCancelPolicy(true);
    int port = Loopback.closedPort(Loopback.V4);
    CountDownLatch scheduled = new CountDownLatch(1);
    AtomicReference<GiveUpReason> reason = new AtomicReference<>();
    AtomicInteger attempts = new AtomicInteger();
    RefusalListener listener = new RefusalListener() {
      @Override
      public void retryScheduled(Endpoint endpoint, int nextAttempt, Duration delay,
          Diagnosis diagnosis) {
        scheduled.countDown();
      }

      @Override
      public void callGaveUp(Endpoint endpoint, int n, Throwable thrown, GiveUpReason why) {
        reason.set(why);
      }
    };
    try (RefusalGuard guard = RefusalGuard.builder().diagnoser(diagnoser()).scheduler(scheduler)
        .listener(listener).failureThreshold(100).maxAttempts(5)
        .backoff(Duration.ofSeconds(20), 1.0, Duration.ofSeconds(20))
        .restartWindow(Duration.ofMinutes(5)).build()) {
      CompletableFuture<Integer> call = guard.callAsync(Endpoint.of("127.0.0.1", port), () -> {
        attempts.incrementAndGet();
        return CompletableFuture.failedFuture(Loopback.refused(Loopback.V4, port));
      }, CallOptions.DEFAULTS);
      assertThat(scheduled.await(10, TimeUnit.SECONDS)).as("a retry was scheduled").isTrue();
      assertThat(call.cancel(true)).isTrue();

      // The wait is taken off the scheduler by the cancel, or, when the cancel came between the
      // event and the scheduling, by the scheduling itself the moment it sees the cancel.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (!scheduler.getQueue().isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(1);
      }
      assertThat(scheduler.getQueue()).as("the 20 s wait, removed").isEmpty();
      assertThat(reason.get()).isEqualTo(GiveUpReason.CANCELLED);
      assertThat(attempts).hasValue(1);
    } finally {
      scheduler.shutdownNow();
    }
  }

  @Test
  @DisplayName("a thread interrupted during its backoff ends the call with the diagnosed failure,"
      + " the InterruptedException suppressed and the flag kept; the endpoint stays usable")
  void syncInterruptDuringBackoff() throws Exception {
    int port = Loopback.closedPort(Loopback.V4);
    Endpoint endpoint = Endpoint.of("127.0.0.1", port);
    CountDownLatch scheduled = new CountDownLatch(1);
    RefusalListener listener = new RefusalListener() {
      @Override
      public void retryScheduled(Endpoint e, int nextAttempt, Duration delay, Diagnosis d) {
        scheduled.countDown();
      }
    };
    try (RefusalGuard guard = RefusalGuard.builder().diagnoser(diagnoser()).listener(listener)
        .failureThreshold(100).maxAttempts(5)
        .backoff(Duration.ofSeconds(20), 1.0, Duration.ofSeconds(20))
        .restartWindow(Duration.ofMinutes(5)).build()) {
      AtomicReference<Throwable> thrown = new AtomicReference<>();
      AtomicReference<Boolean> flag = new AtomicReference<>();
      Thread caller = new Thread(() -> {
        try {
          guard.call(endpoint, () -> FlappingServer.fetch(Loopback.V4, port));
        } catch (Throwable t) {
          thrown.set(t);
          flag.set(Thread.currentThread().isInterrupted());
        }
      });
      caller.start();
      assertThat(scheduled.await(10, TimeUnit.SECONDS)).isTrue();
      caller.interrupt();
      caller.join(10_000);

      assertThat(thrown.get()).isInstanceOf(DiagnosedConnectException.class)
          .hasCauseInstanceOf(ConnectException.class);
      assertThat(thrown.get().getSuppressed())
          .hasAtLeastOneElementOfType(InterruptedException.class);
      assertThat(flag.get()).as("interrupt flag restored").isTrue();
      assertThat(guard.call(endpoint, () -> "after")).isEqualTo("after");
    }
  }
}
