package dev.refusal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.refusal.internal.diagnosis.ProcFiles;
import dev.refusal.internal.diagnosis.SystemView;
import dev.refusal.testing.ChildJvm;
import dev.refusal.testing.FakeSystemView;
import dev.refusal.testing.FlappingServer;
import dev.refusal.testing.Loopback;
import dev.refusal.testing.ManualTicker;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Reproductions of defects in the guard: each test states the correct behaviour and fails on a
 * guard that has the defect. Every test builds its own guard; sockets are real and on loopback.
 */
@DisplayName("RefusalGuard defects")
class GuardDefectsTest {

  private static Diagnoser diagnoser() {
    return Diagnoser.builder().system(FakeSystemView.noContainer()).build();
  }

  private static Callable<Integer> fetch(int port) {
    return () -> FlappingServer.fetch(Loopback.V4, port);
  }

  /** One attempt that dials {@code port} on the calling thread and completes at once. */
  private static CompletionStage<Integer> dialNow(int port) {
    try {
      return CompletableFuture.completedFuture(FlappingServer.fetch(Loopback.V4, port));
    } catch (IOException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * A stage over {@code source} whose {@code toCompletableFuture()} is {@code conversion}; every
   * other method is {@code source}'s own. CompletionStage allows both an implementation that
   * refuses the conversion (UnsupportedOperationException) and one that returns a new future
   * completed with it, as the JDK's minimalCompletionStage() does.
   */
  @SuppressWarnings("unchecked")
  private static <T> CompletionStage<T> stageOver(CompletableFuture<T> source,
      Supplier<CompletableFuture<T>> conversion) {
    return (CompletionStage<T>) Proxy.newProxyInstance(GuardDefectsTest.class.getClassLoader(),
        new Class<?>[] {CompletionStage.class}, (proxy, method, args) -> {
          if (method.getName().equals("toCompletableFuture") && method.getParameterCount() == 0) {
            return conversion.get();
          }
          if (method.getName().equals("equals") && method.getParameterCount() == 1) {
            return proxy == args[0];
          }
          try {
            return method.invoke(source, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  /** A stage that does not interoperate: toCompletableFuture() throws, as the contract allows. */
  private static <T> CompletionStage<T> opaqueStage(CompletableFuture<T> source) {
    return stageOver(source, () -> {
      throw new UnsupportedOperationException("this stage does not convert");
    });
  }

  /** A stage whose toCompletableFuture() returns a new future each time, completed with it. */
  private static <T> CompletionStage<T> copyingStage(CompletableFuture<T> source) {
    return stageOver(source, () -> source.thenApply(v -> v));
  }

  /**
   * Tries a plain call (no I/O) up to {@code tries} times, moving the clock past the open wait
   * after each rejection; returns its value, or null if every try was rejected, with the last
   * rejection in {@code last}. The open wait is 1 ms, so the 2 ms real pause also covers a guard
   * that measures it on real time; the loop is bounded by {@code tries}.
   */
  private static String tryUntilPermitted(RefusalGuard guard, Endpoint endpoint,
      ManualTicker clock, int tries, AtomicReference<Throwable> last) throws Exception {
    for (int i = 0; i < tries; i++) {
      try {
        return guard.call(endpoint, () -> "ok");
      } catch (DiagnosedConnectException rejected) {
        last.set(rejected);
        clock.advance(Duration.ofSeconds(1));
        Thread.sleep(2);
      }
    }
    return null;
  }

  /**
   * A guard whose circuit opens at the first failure, lets one trial through when half-open, and
   * moves from open to half-open only by its 1 ms open wait on {@code clock}: the recovery probe's
   * first interval is a minute.
   */
  private static RefusalGuard oneTrialGuard(ManualTicker clock) {
    return RefusalGuard.builder().diagnoser(diagnoser()).ticker(clock)
        .failureThreshold(1).maxAttempts(1).halfOpenCalls(1)
        .openWait(Duration.ofMillis(1)).recoveryProbeInterval(Duration.ofMinutes(1))
        // No backstop within the test: only releasing the permit can let a later call through.
        .halfOpenMaxWait(Duration.ofHours(1)).build();
  }

  /** Opens {@code endpoint}'s circuit with one refused call, then moves past the open wait. */
  private static void openThenWait(RefusalGuard guard, Endpoint endpoint, int port,
      ManualTicker clock) {
    assertThat(catchThrowable(() -> guard.call(endpoint, fetch(port))))
        .isInstanceOf(DiagnosedConnectException.class);
    assertThat(guard.circuitState(endpoint)).isEqualTo(CircuitState.OPEN);
    clock.advance(Duration.ofSeconds(1));
  }

  // ----------------------------------------------------------------------------- 1 and 2

  @Nested
  @DisplayName("a half-open trial that ends without an outcome")
  class HalfOpenPermit {

    private void errorInTrial(Error error) throws Exception {
      int port = Loopback.closedPort(Loopback.V4);
      ManualTicker clock = new ManualTicker();
      RefusalGuard guard = oneTrialGuard(clock);
      Endpoint endpoint = Endpoint.of("127.0.0.1", port);
      openThenWait(guard, endpoint, port, clock);

      Throwable thrown = catchThrowable(() -> guard.call(endpoint, () -> {
        throw error;
      }));
      assertThat(thrown).as("the trial's Error, rethrown").isSameAs(error);

      AtomicReference<Throwable> last = new AtomicReference<>();
      String answer = tryUntilPermitted(guard, endpoint, clock, 50, last);
      assertThat(answer).as("a plain call after the failed trial, 50 tries past the open wait;"
          + " last rejection: %s; circuit %s", last.get(), guard.circuitState(endpoint))
          .isEqualTo("ok");
    }

    @Test
    @DisplayName("an AssertionError thrown by the half-open trial releases its permit: a later"
        + " call goes through")
    void assertionErrorInHalfOpenTrial() throws Exception {
      errorInTrial(new AssertionError("trial failed"));
    }

    @Test
    @DisplayName("a StackOverflowError thrown by the half-open trial releases its permit: a later"
        + " call goes through")
    void stackOverflowInHalfOpenTrial() throws Exception {
      errorInTrial(new StackOverflowError());
    }

    @Test
    @DisplayName("an async half-open trial whose caller cancels the returned future releases its"
        + " permit: a later call goes through")
    void cancelledAsyncTrial() throws Exception {
      int port = Loopback.closedPort(Loopback.V4);
      ManualTicker clock = new ManualTicker();
      RefusalGuard guard = oneTrialGuard(clock);
      Endpoint endpoint = Endpoint.of("127.0.0.1", port);
      openThenWait(guard, endpoint, port, clock);

      CompletableFuture<Integer> never = new CompletableFuture<>();
      CompletableFuture<Integer> trial = guard.callAsync(endpoint, () -> never,
          CallOptions.DEFAULTS);
      assertThat(trial.cancel(true)).as("the trial was still running").isTrue();

      AtomicReference<Throwable> last = new AtomicReference<>();
      String answer = tryUntilPermitted(guard, endpoint, clock, 50, last);
      assertThat(answer).as("a plain call after the cancelled trial, 50 tries past the open wait;"
          + " last rejection: %s; circuit %s", last.get(), guard.circuitState(endpoint))
          .isEqualTo("ok");
    }
  }

  // ----------------------------------------------------------------------------------- 3

  @Nested
  @DisplayName("a cancellation stage that does not convert to a CompletableFuture")
  class OpaqueCancellation {

    private RefusalGuard retryingGuard() {
      return RefusalGuard.builder().diagnoser(diagnoser()).failureThreshold(100).maxAttempts(3)
          .backoff(Duration.ZERO, 1.0, Duration.ZERO).retryBudget(1.0, 100).build();
    }

    @Test
    @DisplayName("async: a refused call with retries completes, exceptionally with the diagnosed"
        + " refusal, when its cancellation stage's toCompletableFuture() throws")
    void asyncCompletes() throws Exception {
      int port = Loopback.closedPort(Loopback.V4);
      CallOptions options = CallOptions.DEFAULTS
          .cancellation(opaqueStage(new CompletableFuture<Void>()));

      CompletableFuture<Integer> answer = retryingGuard().callAsync(
          Endpoint.of("127.0.0.1", port), () -> dialNow(port), options);

      Throwable outcome = catchThrowable(() -> answer.get(5, TimeUnit.SECONDS));
      assertThat(outcome).as("the future's outcome within 5 s")
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(DiagnosedConnectException.class);
    }

    @Test
    @DisplayName("sync: a refused call with retries throws the diagnosed refusal, not the"
        + " UnsupportedOperationException of its cancellation stage's toCompletableFuture()")
    void syncThrowsTheRefusal() {
      int port = Loopback.closedPort(Loopback.V4);
      CallOptions options = CallOptions.DEFAULTS
          .cancellation(opaqueStage(new CompletableFuture<Void>()));

      Throwable thrown = catchThrowable(() -> retryingGuard().call(
          Endpoint.of("127.0.0.1", port), fetch(port), options));

      assertThat(thrown).isInstanceOf(DiagnosedConnectException.class)
          .hasCauseInstanceOf(ConnectException.class);
    }
  }

  // ----------------------------------------------------------------------------------- 4

  @Test
  @DisplayName("async: an Error thrown by the attempt supplier on a retry completes the returned"
      + " future exceptionally")
  void errorFromRetriedAttemptSupplier() {
    int port = Loopback.closedPort(Loopback.V4);
    RefusalGuard guard = RefusalGuard.builder().diagnoser(diagnoser()).failureThreshold(100)
        .maxAttempts(3).backoff(Duration.ZERO, 1.0, Duration.ZERO).retryBudget(1.0, 100).build();
    AtomicInteger attempts = new AtomicInteger();
    AssertionError boom = new AssertionError("boom");

    CompletableFuture<Integer> answer = guard.callAsync(Endpoint.of("127.0.0.1", port), () -> {
      if (attempts.incrementAndGet() == 1) {
        return dialNow(port);
      }
      throw boom;
    }, CallOptions.DEFAULTS);

    Throwable outcome = catchThrowable(() -> answer.get(5, TimeUnit.SECONDS));
    assertThat(attempts).as("the supplier was asked for the retry").hasValueGreaterThan(1);
    assertThat(outcome).as("the future's outcome within 5 s")
        .isInstanceOf(ExecutionException.class);
  }

  // ----------------------------------------------------------------------------------- 5

  /**
   * Run in a child JVM by {@link #sharedDefaultCancellation()}: completes the default options'
   * cancellation stage through toCompletableFuture(), then makes one default call against a
   * closed port with three attempts allowed, and prints {@code RESULT attempts=N ...}. In a child,
   * because on a guard with the defect the completion cancels every later default call of the
   * JVM it happens in.
   */
  static final class SharedDefaultsChild {
    public static void main(String[] args) {
      String completion;
      try {
        // The options have no stage to complete at all now; completing one, if there were one,
        // must not reach other calls.
        completion = CallOptions.DEFAULTS.cancellation()
            .map(stage -> "complete()=" + stage.toCompletableFuture().complete(null))
            .orElse("no stage");
      } catch (RuntimeException e) {
        completion = "complete() threw " + e.getClass().getSimpleName();
      }
      int port = Loopback.closedPort(Loopback.V4);
      RefusalGuard guard = RefusalGuard.builder().diagnoser(diagnoser()).failureThreshold(100)
          .maxAttempts(3).backoff(Duration.ZERO, 1.0, Duration.ZERO).retryBudget(1.0, 100)
          .build();
      AtomicInteger attempts = new AtomicInteger();
      Throwable thrown = null;
      try {
        guard.call(Endpoint.of("127.0.0.1", port), () -> {
          attempts.incrementAndGet();
          return FlappingServer.fetch(Loopback.V4, port);
        });
      } catch (Exception e) {
        thrown = e;
      }
      System.out.println("RESULT attempts=" + attempts.get() + " " + completion + " thrown="
          + (thrown == null ? "nothing" : thrown.getClass().getSimpleName()));
    }
  }

  @Test
  @DisplayName("completing CallOptions.DEFAULTS' cancellation through toCompletableFuture() does"
      + " not cancel later default calls: one still makes all its 3 attempts")
  void sharedDefaultCancellation() {
    ChildJvm.Result r = ChildJvm.main(SharedDefaultsChild.class)
        .timeout(Duration.ofSeconds(60)).run();
    String line = r.stdout().stream().filter(l -> l.startsWith("RESULT ")).findFirst()
        .orElseThrow(() -> new AssertionError("no RESULT line from the child (exit "
            + r.exitCode() + "): stdout " + r.stdout() + " stderr " + r.stderr()));

    assertThat(line).as("the child's report").startsWith("RESULT attempts=3 ");
  }

  // ----------------------------------------------------------------------------------- 6

  @Nested
  @DisplayName("a long-lived cancellation stage shared by many calls")
  class LongLivedCancellation {

    private static final int CALLS = 10_000;

    private RefusalGuard guard() {
      return RefusalGuard.builder()
          .diagnoser(Diagnoser.builder().system(FakeSystemView.noContainer())
              .cacheTtl(Duration.ofHours(1)).build())
          .failureThreshold(1_000).maxAttempts(2).backoff(Duration.ZERO, 1.0, Duration.ZERO)
          .retryBudget(1.0, 10_000).build();
    }

    /**
     * Makes {@link #CALLS} refused calls (two attempts each) with {@code options}; a plain
     * success every 100 calls keeps the circuit closed (the threshold is at most 1,000).
     */
    private void failingCalls(boolean async, CallOptions options) throws Exception {
      int port = Loopback.closedPort(Loopback.V4);
      RefusalGuard guard = guard();
      Endpoint endpoint = Endpoint.of("127.0.0.1", port);
      for (int i = 0; i < CALLS; i++) {
        Throwable thrown;
        if (async) {
          CompletableFuture<Integer> f = guard.callAsync(endpoint, () -> dialNow(port), options);
          thrown = catchThrowable(() -> f.get(5, TimeUnit.SECONDS));
          assertThat(thrown).isInstanceOf(ExecutionException.class)
              .hasCauseInstanceOf(DiagnosedConnectException.class);
        } else {
          thrown = catchThrowable(() -> guard.call(endpoint, fetch(port), options));
          assertThat(thrown).isInstanceOf(DiagnosedConnectException.class);
        }
        if (i % 100 == 99) {
          guard.call(endpoint, () -> "ok");
        }
      }
    }

    // The two plain-CompletableFuture tests pass on the old guard (it registers nothing that
    // outlives a call on a CompletableFuture: 0 dependents); they guard a rewrite that would
    // register a completion per call. The copying-stage tests below fail on it (20,000).
    @Test
    @DisplayName("sync: 10,000 failing calls leave nothing registered on the shared"
        + " CompletableFuture")
    void syncCompletableFuture() throws Exception {
      CompletableFuture<Void> cancel = new CompletableFuture<>();
      failingCalls(false, CallOptions.DEFAULTS.cancellation(cancel));
      assertThat(cancel.getNumberOfDependents()).as("dependents after %s calls", CALLS).isZero();
    }

    @Test
    @DisplayName("async: 10,000 failing calls leave nothing registered on the shared"
        + " CompletableFuture")
    void asyncCompletableFuture() throws Exception {
      CompletableFuture<Void> cancel = new CompletableFuture<>();
      failingCalls(true, CallOptions.DEFAULTS.cancellation(cancel));
      assertThat(cancel.getNumberOfDependents()).as("dependents after %s calls", CALLS).isZero();
    }

    @Test
    @DisplayName("sync: 10,000 failing calls leave at most one registration on a shared"
        + " stage whose toCompletableFuture() makes a new future (as the JDK's minimal stage"
        + " does)")
    void syncCopyingStage() throws Exception {
      CompletableFuture<Void> cancel = new CompletableFuture<>();
      failingCalls(false, CallOptions.DEFAULTS.cancellation(copyingStage(cancel)));
      // Following a stage that is not a future takes one registration on it, once per stage.
      assertThat(cancel.getNumberOfDependents()).as("dependents after %s calls", CALLS)
          .isLessThanOrEqualTo(1);
    }

    @Test
    @DisplayName("async: 10,000 failing calls leave at most one registration on a shared"
        + " stage whose toCompletableFuture() makes a new future (as the JDK's minimal stage"
        + " does)")
    void asyncCopyingStage() throws Exception {
      CompletableFuture<Void> cancel = new CompletableFuture<>();
      failingCalls(true, CallOptions.DEFAULTS.cancellation(copyingStage(cancel)));
      // Following a stage that is not a future takes one registration on it, once per stage.
      assertThat(cancel.getNumberOfDependents()).as("dependents after %s calls", CALLS)
          .isLessThanOrEqualTo(1);
    }
  }

  // ----------------------------------------------------------------------------------- 7

  @Nested
  @DisplayName("the cause of a call stopped by an open circuit")
  class LostCause {

    /**
     * A guard that opens at the second consecutive failure; when a call schedules its first
     * retry, the listener has another call fail once on {@code endpoint}, on another thread,
     * which opens the circuit before the first call's next permit is asked for.
     */
    private RefusalGuard guardWhoseRetryMeetsAnOpenCircuit(Endpoint endpoint, int port,
        ExecutorService other, AtomicReference<Throwable> otherOutcome) {
      AtomicReference<RefusalGuard> self = new AtomicReference<>();
      AtomicBoolean first = new AtomicBoolean(true);
      RefusalListener listener = new RefusalListener() {
        @Override
        public void retryScheduled(Endpoint e, int nextAttempt, Duration delay, Diagnosis d) {
          if (!first.compareAndSet(true, false)) {
            return;
          }
          Future<Throwable> b = other.submit(
              () -> catchThrowable(() -> self.get().call(endpoint, fetch(port))));
          try {
            otherOutcome.set(b.get(5, TimeUnit.SECONDS));
          } catch (Exception failed) {
            otherOutcome.set(failed);
          }
        }
      };
      RefusalGuard guard = RefusalGuard.builder().diagnoser(diagnoser()).listener(listener)
          .failureThreshold(2).maxAttempts(3).retryBudget(1.0, 100)
          .backoff(Duration.ofMillis(50), 1.0, Duration.ofMillis(50)).jitter(() -> 0.99)
          .recoveryProbeInterval(Duration.ofMinutes(1)).build();
      self.set(guard);
      return guard;
    }

    @Test
    @DisplayName("sync: a call whose retry finds the circuit opened during its backoff throws a"
        + " DiagnosedConnectException whose cause is its own last refusal")
    void syncCircuitOpensDuringBackoff() {
      int port = Loopback.closedPort(Loopback.V4);
      Endpoint endpoint = Endpoint.of("127.0.0.1", port);
      ExecutorService other = Executors.newSingleThreadExecutor();
      AtomicReference<Throwable> otherOutcome = new AtomicReference<>();
      try {
        RefusalGuard guard = guardWhoseRetryMeetsAnOpenCircuit(endpoint, port, other,
            otherOutcome);

        Throwable thrown = catchThrowable(() -> guard.call(endpoint, fetch(port)));

        assertThat(otherOutcome.get()).as("the other call").isInstanceOf(
            DiagnosedConnectException.class);
        assertThat(guard.circuitState(endpoint)).isEqualTo(CircuitState.OPEN);
        assertThat(thrown).isInstanceOf(DiagnosedConnectException.class)
            .hasCauseInstanceOf(ConnectException.class);
      } finally {
        other.shutdownNow();
      }
    }

    @Test
    @DisplayName("async: a call whose retry finds the circuit opened during its backoff fails"
        + " with a DiagnosedConnectException whose cause is its own last refusal")
    void asyncCircuitOpensDuringBackoff() {
      int port = Loopback.closedPort(Loopback.V4);
      Endpoint endpoint = Endpoint.of("127.0.0.1", port);
      ExecutorService other = Executors.newSingleThreadExecutor();
      AtomicReference<Throwable> otherOutcome = new AtomicReference<>();
      try {
        RefusalGuard guard = guardWhoseRetryMeetsAnOpenCircuit(endpoint, port, other,
            otherOutcome);

        CompletableFuture<Integer> answer = guard.callAsync(endpoint, () -> dialNow(port),
            CallOptions.DEFAULTS);
        Throwable outcome = catchThrowable(() -> answer.get(5, TimeUnit.SECONDS));

        assertThat(otherOutcome.get()).as("the other call").isInstanceOf(
            DiagnosedConnectException.class);
        assertThat(outcome).isInstanceOf(ExecutionException.class)
            .hasCauseInstanceOf(DiagnosedConnectException.class);
        assertThat(outcome.getCause()).as("the call's failure")
            .hasCauseInstanceOf(ConnectException.class);
      } finally {
        other.shutdownNow();
      }
    }

    @Test
    @DisplayName("a call rejected at an open circuit carries a cause, so code can tell (as the"
        + " exception's documentation promises) what stopped it, not only its message prefix")
    void plainRejectionHasACause() {
      int port = Loopback.closedPort(Loopback.V4);
      Endpoint endpoint = Endpoint.of("127.0.0.1", port);
      RefusalGuard guard = RefusalGuard.builder().diagnoser(diagnoser()).failureThreshold(1)
          .maxAttempts(1).recoveryProbeInterval(Duration.ofMinutes(1)).build();
      assertThat(catchThrowable(() -> guard.call(endpoint, fetch(port))))
          .isInstanceOf(DiagnosedConnectException.class);
      assertThat(guard.circuitState(endpoint)).isEqualTo(CircuitState.OPEN);

      Throwable rejected = catchThrowable(() -> guard.call(endpoint, fetch(port)));

      assertThat(rejected).isInstanceOf(DiagnosedConnectException.class)
          .hasMessageStartingWith("Circuit OPEN");
      assertThat(rejected.getCause()).as("the rejection's cause (message: %s)",
          rejected.getMessage()).isNotNull();
    }
  }

  // ----------------------------------------------------------------------------------- 8

  @Nested
  @DisplayName("the defaults")
  class Defaults {

    @Test
    @DisplayName("one call's own retries against a closed port do not open the circuit")
    void oneCallDoesNotOpenTheCircuit() {
      int port = Loopback.closedPort(Loopback.V4);
      Endpoint endpoint = Endpoint.of("127.0.0.1", port);
      RefusalGuard guard = RefusalGuard.builder().diagnoser(diagnoser()).build();

      Throwable thrown = catchThrowable(() -> guard.call(endpoint, fetch(port)));

      assertThat(thrown).isInstanceOf(DiagnosedConnectException.class);
      assertThat(guard.circuitState(endpoint)).as("after one call (failureThreshold %s,"
          + " maxAttempts %s)", RefusalGuardConfig.DEFAULT_FAILURE_THRESHOLD,
          RefusalGuardConfig.DEFAULT_MAX_ATTEMPTS).isEqualTo(CircuitState.CLOSED);
    }

    @Test
    @DisplayName("one call rides out a service that comes back 1.5 s after the call started")
    void oneCallRidesOutARestart() throws Exception {
      FlappingServer server = FlappingServer.onFreePort(Loopback.V4);
      // The middle draw of the jitter, so the outcome does not rest on chance.
      RefusalGuard guard = RefusalGuard.builder().diagnoser(diagnoser()).jitter(() -> 0.5)
          .build();
      AtomicInteger attempts = new AtomicInteger();
      AtomicReference<Integer> answer = new AtomicReference<>();
      CompletableFuture<Void> restart = CompletableFuture.runAsync(server::start,
          CompletableFuture.delayedExecutor(1_500, TimeUnit.MILLISECONDS));
      try {
        long start = System.nanoTime();
        Throwable thrown = catchThrowable(() -> answer.set(guard.call(
            Endpoint.of("127.0.0.1", server.port()), () -> {
              attempts.incrementAndGet();
              return FlappingServer.fetch(Loopback.V4, server.port());
            })));
        long tookMillis = (System.nanoTime() - start) / 1_000_000;

        assertThat(thrown).as("the call's failure after %s attempts in %s ms", attempts.get(),
            tookMillis).isNull();
        assertThat(answer.get()).isEqualTo((int) 'k');
      } finally {
        restart.get(5, TimeUnit.SECONDS);
        server.close();
      }
    }
  }

  // ----------------------------------------------------------------------------------- 9

  /** The guard's machine, recording which thread read each file and made each dial. */
  static final class ThreadRecordingView implements SystemView {
    final FakeSystemView inner;
    final List<String> done = Collections.synchronizedList(new ArrayList<>());

    ThreadRecordingView(FakeSystemView inner) {
      this.inner = inner;
    }

    List<String> byThread(Thread t) {
      List<String> mine = new ArrayList<>();
      synchronized (done) {
        for (String s : done) {
          if (s.startsWith(t.getName() + "|")) {
            mine.add(s);
          }
        }
      }
      return mine;
    }

    @Override
    public Dial dial(InetSocketAddress address, int timeoutMillis) {
      done.add(Thread.currentThread().getName() + "|dial " + address);
      return inner.dial(address, timeoutMillis);
    }

    @Override
    public String readFile(String path) {
      done.add(Thread.currentThread().getName() + "|read " + path);
      return inner.readFile(path);
    }

    @Override
    public boolean fileExists(String path) {
      done.add(Thread.currentThread().getName() + "|exists " + path);
      return inner.fileExists(path);
    }

    @Override
    public String env(String name) {
      return inner.env(name);
    }

    @Override
    public Map<InetAddress, String> localAddresses() {
      return inner.localAddresses();
    }

    @Override
    public FdUsage fdUsage() {
      return inner.fdUsage();
    }
  }

  @Test
  @DisplayName("calls rejected at an open circuit for a service on this host read no file and"
      + " dial nothing on the caller's thread")
  void rejectionDoesNoIoOnTheCaller() throws Exception {
    int port = Loopback.closedPort(Loopback.V4);
    // Invented socket counts, so the host's other sockets cannot move them; dials are real.
    ThreadRecordingView system = new ThreadRecordingView(FakeSystemView.noContainer()
        .file(ProcFiles.SOCKSTAT, "TCP: inuse 5 orphan 0 tw 0\n")
        .file(ProcFiles.SOCKSTAT6, "TCP6: inuse 1\n"));
    RefusalGuard guard = RefusalGuard.builder().diagnoser(diagnoser()).system(system)
        .maxAttempts(1).failureThreshold(1).build();
    Endpoint endpoint = Endpoint.of("127.0.0.1", port);
    assertThat(catchThrowable(() -> guard.call(endpoint, fetch(port))))
        .isInstanceOf(DiagnosedConnectException.class);
    assertThat(guard.circuitState(endpoint)).isEqualTo(CircuitState.OPEN);
    Thread caller = Thread.currentThread();
    List<String> beforeRejections = system.byThread(caller);

    for (int i = 0; i < 200; i++) {
      if (i % 50 == 49) {
        // Another socket of this host opens: the count moves, so the next look dials.
        system.inner.file(ProcFiles.SOCKSTAT6, "TCP6: inuse " + (2 + i) + "\n");
      }
      assertThat(catchThrowable(() -> guard.call(endpoint, fetch(port))))
          .isInstanceOf(DiagnosedConnectException.class).hasMessageStartingWith("Circuit OPEN");
      // Calls spaced about as a steady client's are, across several of the watch's 2 ms ticks.
      Thread.sleep(3);
    }

    List<String> onCaller = system.byThread(caller);
    onCaller.subList(0, beforeRejections.size()).clear();
    long dials = onCaller.stream().filter(s -> s.contains("|dial ")).count();
    assertThat(onCaller).as("file reads and dials on the caller's thread during 200 rejections"
        + " (%s of %s are dials)", dials, onCaller.size()).isEmpty();
  }

  // ---------------------------------------------------------------------------------- 10

  /** A machine whose dials block until {@link #release} opens, at most 5 s, then dial for real. */
  static final class BlockingDialView implements SystemView {
    final FakeSystemView inner = FakeSystemView.noContainer();
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    @Override
    public Dial dial(InetSocketAddress address, int timeoutMillis) {
      entered.countDown();
      try {
        release.await(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return inner.dial(address, timeoutMillis);
    }

    @Override
    public String readFile(String path) {
      return inner.readFile(path);
    }

    @Override
    public boolean fileExists(String path) {
      return inner.fileExists(path);
    }

    @Override
    public String env(String name) {
      return inner.env(name);
    }

    @Override
    public Map<InetAddress, String> localAddresses() {
      return inner.localAddresses();
    }

    @Override
    public FdUsage fdUsage() {
      return inner.fdUsage();
    }
  }

  @Test
  @DisplayName("one guard's recovery probe blocked in a dial does not delay another guard's"
      + " recovery: the other's service is noticed back within 1 s")
  void blockedProbeOfOneGuardDoesNotDelayAnother() throws Exception {
    BlockingDialView blocking = new BlockingDialView();
    FlappingServer server = FlappingServer.onFreePort(Loopback.V4);
    try {
      int portA = Loopback.closedPort(Loopback.V4);
      Endpoint endpointA = Endpoint.of("127.0.0.1", portA);
      RefusalGuard guardA = RefusalGuard.builder().diagnoser(diagnoser()).system(blocking)
          .maxAttempts(1).failureThreshold(1).recoveryProbeInterval(Duration.ofMillis(10))
          .build();
      assertThat(catchThrowable(() -> guardA.call(endpointA, fetch(portA))))
          .isInstanceOf(DiagnosedConnectException.class);
      assertThat(guardA.circuitState(endpointA)).isEqualTo(CircuitState.OPEN);
      assertThat(blocking.entered.await(5, TimeUnit.SECONDS))
          .as("guard A's recovery probe is dialling (and blocked)").isTrue();

      CountDownLatch bLetsTrialsThrough = new CountDownLatch(1);
      RefusalListener listenerB = new RefusalListener() {
        @Override
        public void circuitStateChanged(Endpoint e, CircuitState from,
            CircuitState to) {
          if (from == CircuitState.OPEN) {
            bLetsTrialsThrough.countDown();
          }
        }
      };
      Endpoint endpointB = Endpoint.of("127.0.0.1", server.port());
      RefusalGuard guardB = RefusalGuard.builder().diagnoser(diagnoser())
          .system(FakeSystemView.noContainer()).listener(listenerB)
          .maxAttempts(1).failureThreshold(1).halfOpenCalls(1)
          .recoveryProbeInterval(Duration.ofMillis(10)).recoveryProbeGap(Duration.ofMillis(10))
          .build();
      Callable<Integer> callB = () -> FlappingServer.fetch(Loopback.V4, server.port());
      assertThat(catchThrowable(() -> guardB.call(endpointB, callB)))
          .isInstanceOf(DiagnosedConnectException.class);
      assertThat(guardB.circuitState(endpointB)).isEqualTo(CircuitState.OPEN);

      server.start();
      long start = System.nanoTime();
      long deadline = start + TimeUnit.SECONDS.toNanos(1);
      Integer answer = null;
      Throwable last = null;
      while (answer == null && System.nanoTime() < deadline) {
        try {
          answer = guardB.call(endpointB, callB);
        } catch (DiagnosedConnectException rejected) {
          last = rejected;
          // Waits for B's circuit to let trials through; the timeout spaces calls meanwhile.
          bLetsTrialsThrough.await(10, TimeUnit.MILLISECONDS);
        }
      }
      long tookMillis = (System.nanoTime() - start) / 1_000_000;

      assertThat(answer).as("guard B's call within 1 s of its service's return (took %s ms;"
          + " last rejection: %s; A's dial still blocked: %s)", tookMillis, last,
          blocking.release.getCount() == 1).isEqualTo((int) 'k');
    } finally {
      blocking.release.countDown();
      server.close();
    }
  }
}
