package dev.refusal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.refusal.testing.FakeSystemView;
import dev.refusal.testing.FlappingServer;
import dev.refusal.testing.Loopback;
import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("a guard's threads")
class GuardThreadsTest {

  private static Diagnoser diagnoser() {
    return Diagnoser.builder().system(FakeSystemView.noContainer()).build();
  }

  private static List<Thread> threadsNamed(String prefix) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith(prefix) && t.isAlive())
        .collect(Collectors.toList());
  }

  /** The prefix of the threads the guard's recovery watch runs on, seen from the watch. */
  private static String watchThreadPrefix(FakeSystemView system, RefusalGuard guard,
      Endpoint endpoint) throws InterruptedException {
    AtomicReference<String> name = new AtomicReference<>();
    CountDownLatch dialled = new CountDownLatch(1);
    system.onDial(() -> {
      name.compareAndSet(null, Thread.currentThread().getName());
      dialled.countDown();
    });
    // A rejected call hands a recovery probe to the guard's threads.
    assertThat(catchThrowable(() -> guard.call(endpoint, () -> "x")))
        .isInstanceOf(DiagnosedConnectException.class);
    assertThat(dialled.await(10, TimeUnit.SECONDS)).as("the watch dialled").isTrue();
    String n = name.get();
    return n.substring(0, n.lastIndexOf('-') + 1);
  }

  @Test
  @DisplayName("a guard that never sees an outage starts no thread; an opening starts the"
      + " guard's own, named after it, and close() ends them")
  void closeEndsTheGuardsOwnThreads() throws Exception {
    FakeSystemView system = FakeSystemView.noContainer();
    int port = Loopback.closedPort(Loopback.V4);
    Endpoint endpoint = Endpoint.of("127.0.0.1", port);
    RefusalGuard guard = RefusalGuard.builder().diagnoser(diagnoser()).system(system)
        .failureThreshold(1).maxAttempts(1).build();
    assertThat(guard.call(endpoint, () -> "fine")).isEqualTo("fine");
    assertThat(catchThrowable(() -> guard.call(endpoint,
        () -> FlappingServer.fetch(Loopback.V4, port))))
        .isInstanceOf(DiagnosedConnectException.class);
    String prefix = watchThreadPrefix(system, guard, endpoint);
    assertThat(prefix).startsWith("refusal-guard-");
    assertThat(threadsNamed(prefix)).isNotEmpty();

    guard.close();

    for (Thread t : threadsNamed(prefix)) {
      t.join(10_000);
      assertThat(t.isAlive()).as("%s after close()", t.getName()).isFalse();
    }
    guard.close();
  }

  @Test
  @DisplayName("closing a guard ends an async call waiting for its next attempt at once, with"
      + " its last failure")
  void closeEndsWaitingAsyncCalls() throws Exception {
    int port = Loopback.closedPort(Loopback.V4);
    CountDownLatch scheduled = new CountDownLatch(1);
    AtomicReference<GiveUpReason> reason = new AtomicReference<>();
    RefusalListener listener = new RefusalListener() {
      @Override
      public void retryScheduled(Endpoint e, int next, Duration delay, Diagnosis d) {
        scheduled.countDown();
      }

      @Override
      public void callGaveUp(Endpoint e, int attempts, Throwable thrown, GiveUpReason why) {
        reason.set(why);
      }
    };
    RefusalGuard guard = RefusalGuard.builder().diagnoser(diagnoser()).listener(listener)
        .failureThreshold(100).backoff(Duration.ofSeconds(30), 1.0, Duration.ofSeconds(30))
        .restartWindow(Duration.ofMinutes(5)).build();
    CompletableFuture<String> call = guard.callAsync(Endpoint.of("127.0.0.1", port),
        () -> CompletableFuture.failedFuture(Loopback.refused(Loopback.V4, port)),
        CallOptions.DEFAULTS);
    assertThat(scheduled.await(10, TimeUnit.SECONDS)).isTrue();

    guard.close();

    Throwable thrown = catchThrowable(() -> call.get(10, TimeUnit.SECONDS));
    assertThat(thrown).isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(DiagnosedConnectException.class);
    assertThat(thrown.getCause()).hasCauseInstanceOf(ConnectException.class);
    assertThat(reason.get()).isEqualTo(GiveUpReason.GUARD_CLOSED);
  }

  @Test
  @DisplayName("a scheduler given to the builder runs the guard's work and is left running by"
      + " close()")
  void givenSchedulerIsUsedAndKept() throws Exception {
    ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "users-scheduler");
      t.setDaemon(true);
      return t;
    });
    FakeSystemView system = FakeSystemView.noContainer();
    int port = Loopback.closedPort(Loopback.V4);
    Endpoint endpoint = Endpoint.of("127.0.0.1", port);
    try {
      RefusalGuard guard = RefusalGuard.builder().diagnoser(diagnoser()).system(system)
          .scheduler(scheduler).failureThreshold(1).maxAttempts(1).build();
      assertThat(catchThrowable(() -> guard.call(endpoint,
          () -> FlappingServer.fetch(Loopback.V4, port))))
          .isInstanceOf(DiagnosedConnectException.class);
      assertThat(watchThreadPrefix(system, guard, endpoint)).isEqualTo("users-");

      guard.close();

      assertThat(scheduler.isShutdown()).isFalse();
    } finally {
      scheduler.shutdownNow();
    }
  }
}
