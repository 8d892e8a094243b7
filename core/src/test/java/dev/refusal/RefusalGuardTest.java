package dev.refusal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.refusal.internal.diagnosis.ProcFiles;
import dev.refusal.testing.FakeSystemView;
import dev.refusal.testing.FlappingServer;
import dev.refusal.testing.Loopback;
import dev.refusal.testing.ManualTicker;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

@DisplayName("RefusalGuard")
class RefusalGuardTest {

  private static Diagnoser diagnoser() {
    return Diagnoser.builder().system(FakeSystemView.noContainer()).build();
  }

  /** Records the guard's events as data, in order. */
  static final class Recorder extends RefusalListener {
    final List<String> events = Collections.synchronizedList(new ArrayList<>());
    final List<Duration> delays = Collections.synchronizedList(new ArrayList<>());

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
      delays.add(delay);
    }

    @Override
    public void callRejected(Endpoint endpoint, Diagnosis lastDiagnosis) {
      events.add("callRejected");
    }

    @Override
    public void circuitStateChanged(Endpoint endpoint, CircuitState from,
        CircuitState to) {
      events.add("circuit " + from + "->" + to);
    }
  }

  @Nested
  @DisplayName("a service that restarts")
  class Restart {

    @Test
    @DisplayName("down for 600 ms, then up: the call succeeds through backed-off retries")
    void downThenUp() throws Exception {
      FlappingServer server = FlappingServer.onFreePort(Loopback.V4);
      Recorder recorder = new Recorder();
      RefusalGuard guard = RefusalGuard.builder().diagnoser(diagnoser()).listener(recorder)
          .maxAttempts(20).failureThreshold(100).build();
      AtomicInteger attempts = new AtomicInteger();
      CompletableFuture<Void> restart = CompletableFuture.runAsync(server::start,
          CompletableFuture.delayedExecutor(600, TimeUnit.MILLISECONDS));
      try {
        int answer = guard.call(Endpoint.of("127.0.0.1", server.port()), () -> {
          attempts.incrementAndGet();
          return FlappingServer.fetch(Loopback.V4, server.port());
        });

        assertThat(answer).isEqualTo('k');
        assertThat(attempts.get()).isGreaterThan(1);
        assertThat(recorder.events).startsWith("attemptFailed 1 REFUSED");
        assertThat(recorder.events).contains("retryScheduled 2");
        // Full jitter: each wait lies between zero and 200 ms × 1.6^(attempt-1), capped at 5 s.
        for (int i = 0; i < recorder.delays.size(); i++) {
          double ceiling = Math.min(5_000, 200 * Math.pow(1.6, i));
          assertThat(recorder.delays.get(i).toMillis()).isBetween(0L, (long) ceiling);
        }
        assertThat(recorder.delays).hasSize(attempts.get() - 1);
      } finally {
        restart.get(5, TimeUnit.SECONDS);
        server.close();
      }
    }

    /** With the defaults but the jitter pinned, a service back 2 s after the call's start. */
    private void ridesOutTwoSeconds(double jitter) throws Exception {
      FlappingServer server = FlappingServer.onFreePort(Loopback.V4);
      Recorder recorder = new Recorder();
      RefusalGuard guard = RefusalGuard.builder().diagnoser(diagnoser()).listener(recorder)
          .jitter(() -> jitter).build();
      CompletableFuture<Void> restart = CompletableFuture.runAsync(server::start,
          CompletableFuture.delayedExecutor(2_000, TimeUnit.MILLISECONDS));
      try {
        Throwable thrown = catchThrowable(() -> guard.call(
            Endpoint.of("127.0.0.1", server.port()),
            () -> FlappingServer.fetch(Loopback.V4, server.port())));
        assertThat(thrown).as("events %s", recorder.events).isNull();
      } finally {
        restart.get(10, TimeUnit.SECONDS);
        server.close();
      }
    }

    @Test
    @DisplayName("with the defaults, a service listening again 2 s after the call started is"
        + " reached even when every wait is as short as the jitter allows")
    void defaultsRideOutTwoSecondsShortestWaits() throws Exception {
      ridesOutTwoSeconds(0.0);
    }

    @Test
    @DisplayName("with the defaults, a service listening again 2 s after the call started is"
        + " reached even when every wait is as long as the jitter allows")
    void defaultsRideOutTwoSecondsLongestWaits() throws Exception {
      ridesOutTwoSeconds(0.999);
    }

    @Test
    @DisplayName("a POST-like call that failed to connect is retried: no byte was sent")
    void connectPhaseFailuresAreRetriedForAnyCall() throws Exception {
      int port = Loopback.closedPort(Loopback.V4);
      AtomicInteger attempts = new AtomicInteger();
      RefusalGuard guard = RefusalGuard.builder().diagnoser(diagnoser()).maxAttempts(3)
          .backoff(Duration.ZERO, 1.0, Duration.ZERO).build();

      Throwable thrown = catchThrowable(() -> guard.call(Endpoint.of("127.0.0.1", port), () -> {
        attempts.incrementAndGet();
        return FlappingServer.fetch(Loopback.V4, port);
      }));

      assertThat(attempts).hasValue(3);
      assertThat(thrown).isInstanceOf(DiagnosedConnectException.class)
          .hasCauseInstanceOf(java.net.ConnectException.class);
      assertThat(((DiagnosedConnectException) thrown).diagnosis().cause())
          .isEqualTo(RefusalCause.NO_LISTENER);
    }

    @Test
    @DisplayName("a failure after the request was written is rethrown untouched, unless the"
        + " call is marked idempotent")
    void resetAfterWriteIsRetriedOnlyWhenIdempotent() throws Exception {
      RefusalGuard guard = RefusalGuard.builder().diagnoser(diagnoser()).maxAttempts(3)
          .backoff(Duration.ZERO, 1.0, Duration.ZERO).build();
      Endpoint endpoint = Endpoint.of("127.0.0.1", 9);
      AtomicInteger plain = new AtomicInteger();
      AtomicInteger idempotent = new AtomicInteger();
      java.net.SocketException reset = new java.net.SocketException("Connection reset");

      assertThatThrownBy(() -> guard.call(endpoint, () -> {
        plain.incrementAndGet();
        throw reset;
      })).isSameAs(reset);
      assertThat(plain).hasValue(1);

      assertThatThrownBy(() -> guard.callIdempotent(endpoint, () -> {
        idempotent.incrementAndGet();
        throw reset;
      })).isSameAs(reset);
      assertThat(idempotent).hasValue(3);
    }
  }

  @Nested
  @DisplayName("options, cancellation and the async form")
  class OptionsAndAsync {

    private RefusalGuard slowBackoffGuard() {
      // Jitter pinned near its top, so every wait is close to 4 s.
      return RefusalGuard.builder().diagnoser(diagnoser()).failureThreshold(100)
          .maxAttempts(10).backoff(Duration.ofSeconds(4), 1.0, Duration.ofSeconds(4))
          .jitter(() -> 0.99).retryBudget(1.0, 100).build();
    }

    @Test
    @DisplayName("async: down for 400 ms, then up; retries are scheduled, no thread waits")
    void asyncRestart() throws Exception {
      FlappingServer server = FlappingServer.onFreePort(Loopback.V4);
      RefusalGuard guard = RefusalGuard.builder().diagnoser(diagnoser()).maxAttempts(20)
          .failureThreshold(100).build();
      AtomicInteger attempts = new AtomicInteger();
      CompletableFuture<Void> restart = CompletableFuture.runAsync(server::start,
          CompletableFuture.delayedExecutor(400, TimeUnit.MILLISECONDS));
      try {
        CompletableFuture<Integer> answer = guard.callAsync(
            Endpoint.of("127.0.0.1", server.port()),
            () -> CompletableFuture.supplyAsync(() -> {
              attempts.incrementAndGet();
              try {
                return FlappingServer.fetch(Loopback.V4, server.port());
              } catch (IOException e) {
                throw new java.util.concurrent.CompletionException(e);
              }
            }), CallOptions.DEFAULTS);

        assertThat(answer.get(15, TimeUnit.SECONDS)).isEqualTo((int) 'k');
        assertThat(attempts.get()).isGreaterThan(1);
      } finally {
        restart.get(5, TimeUnit.SECONDS);
        server.close();
      }
    }

    @Test
    @DisplayName("cancellation ends a backoff wait at once and throws the last failure")
    void cancellationEndsTheWait() {
      int port = Loopback.closedPort(Loopback.V4);
      CompletableFuture<Void> cancel = new CompletableFuture<>();
      // Cancelled the moment the guard schedules its first 4 s wait: an event, not a timer.
      RefusalListener canceller = new RefusalListener() {
        @Override
        public void retryScheduled(Endpoint e, int next, Duration delay, Diagnosis d) {
          cancel.complete(null);
        }
      };
      AtomicInteger attempts = new AtomicInteger();
      RefusalGuard guard = RefusalGuard.builder().diagnoser(diagnoser()).failureThreshold(100)
          .maxAttempts(10).backoff(Duration.ofSeconds(4), 1.0, Duration.ofSeconds(4))
          .restartWindow(Duration.ofMinutes(1)).listener(canceller).build();

      Throwable thrown = catchThrowable(() -> guard.call(
          Endpoint.of("127.0.0.1", port), () -> {
            attempts.incrementAndGet();
            return FlappingServer.fetch(Loopback.V4, port);
          }, CallOptions.DEFAULTS.cancellation(cancel)));

      assertThat(thrown).isInstanceOf(DiagnosedConnectException.class);
      assertThat(thrown.getSuppressed()).hasAtLeastOneElementOfType(
          java.util.concurrent.CancellationException.class);
      assertThat(attempts).as("no attempt after the cancelled wait").hasValue(1);
    }

    @Test
    @DisplayName("a deadline stops retries whose wait would pass it")
    void deadline() {
      int port = Loopback.closedPort(Loopback.V4);
      Recorder recorder = new Recorder();
      RefusalGuard guard = RefusalGuard.builder().diagnoser(diagnoser()).maxAttempts(10)
          .listener(recorder).backoff(Duration.ofSeconds(2), 1.0, Duration.ofSeconds(2))
          .jitter(() -> 0.99).build();
      Throwable thrown = catchThrowable(() -> guard.call(Endpoint.of("127.0.0.1", port),
          () -> FlappingServer.fetch(Loopback.V4, port),
          CallOptions.DEFAULTS.deadline(Duration.ofMillis(100))));

      assertThat(thrown).isInstanceOf(DiagnosedConnectException.class);
      assertThat(recorder.delays).as("no wait of about 2 s fits a 100 ms deadline").isEmpty();
    }

    @Test
    @DisplayName("dialled: the diagnosis names the address the attempt tried, not just the host")
    void dialledEndpointIsDiagnosed() {
      int port = Loopback.closedPort(Loopback.V4);
      java.net.InetSocketAddress tried = new java.net.InetSocketAddress(Loopback.V4, port);
      RefusalGuard guard = RefusalGuard.builder().diagnoser(diagnoser()).maxAttempts(1).build();
      Endpoint endpoint = Endpoint.of("localhost", port);

      Throwable thrown = catchThrowable(() -> guard.call(endpoint,
          () -> FlappingServer.fetch(Loopback.V4, port),
          CallOptions.DEFAULTS.dialled(failure -> endpoint.withAddress(tried))));

      assertThat(thrown).isInstanceOf(DiagnosedConnectException.class);
      Diagnosis d = ((DiagnosedConnectException) thrown).diagnosis();
      assertThat(d.endpoint().address()).contains(tried);
      assertThat(d.headline()).startsWith("Connection refused: localhost:" + port + " (127.0.0.1)");
    }

    @Test
    @DisplayName("dialled: an answer for another host or port is ignored; the call's is diagnosed")
    void dialledEndpointOfAnotherHostIsIgnored() {
      int port = Loopback.closedPort(Loopback.V4);
      RefusalGuard guard = RefusalGuard.builder().diagnoser(diagnoser()).maxAttempts(1).build();
      Endpoint endpoint = Endpoint.of("127.0.0.1", port);
      Endpoint other = Endpoint.of("127.0.0.1", port == 65_535 ? 1 : port + 1)
          .withAddress(new java.net.InetSocketAddress(Loopback.V4, 1));

      Throwable thrown = catchThrowable(() -> guard.call(endpoint,
          () -> FlappingServer.fetch(Loopback.V4, port),
          CallOptions.DEFAULTS.dialled(failure -> other)));

      assertThat(((DiagnosedConnectException) thrown).diagnosis().endpoint().port())
          .isEqualTo(port);
      assertThat(((DiagnosedConnectException) thrown).diagnosis().endpoint().address())
          .isEmpty();
    }

    @Test
    @DisplayName("async: cancelling the returned future ends the wait; no attempt follows")
    void asyncCancel() throws Exception {
      int port = Loopback.closedPort(Loopback.V4);
      AtomicInteger attempts = new AtomicInteger();
      CompletableFuture<Integer> answer = slowBackoffGuard().callAsync(
          Endpoint.of("127.0.0.1", port),
          () -> CompletableFuture.supplyAsync(() -> {
            attempts.incrementAndGet();
            try {
              return FlappingServer.fetch(Loopback.V4, port);
            } catch (IOException e) {
              throw new java.util.concurrent.CompletionException(e);
            }
          }), CallOptions.DEFAULTS);
      Thread.sleep(300);

      assertThat(answer.cancel(true)).isTrue();
      Thread.sleep(300);
      assertThat(attempts).hasValue(1);
      assertThat(answer).isCancelled();
    }
  }

  @Nested
  @DisplayName("a dead endpoint")
  class DeadEndpoint {

    @Test
    @DisplayName("opens after the configured consecutive failures; later calls fail without"
        + " dialling; the recovery probe notices the return and the next call succeeds")
    void opensThenRecovers() throws Exception {
      FlappingServer server = FlappingServer.onFreePort(Loopback.V4);
      Recorder recorder = new Recorder();
      RefusalGuard guard = RefusalGuard.builder().diagnoser(diagnoser()).listener(recorder)
          .maxAttempts(1).failureThreshold(5).halfOpenCalls(1)
          .recoveryProbeInterval(Duration.ofMillis(50)).build();
      Endpoint endpoint = Endpoint.of("127.0.0.1", server.port());
      AtomicInteger dials = new AtomicInteger();
      java.util.concurrent.Callable<Integer> call = () -> {
        dials.incrementAndGet();
        return FlappingServer.fetch(Loopback.V4, server.port());
      };
      try {
        for (int i = 0; i < 5; i++) {
          assertThatThrownBy(() -> guard.call(endpoint, call))
              .isInstanceOf(DiagnosedConnectException.class);
        }
        assertThat(guard.circuitState(endpoint)).isEqualTo(CircuitState.OPEN);
        assertThat(dials).hasValue(5);

        for (int i = 0; i < 100; i++) {
          Throwable rejected = catchThrowable(() -> guard.call(endpoint, call));
          assertThat(rejected).isInstanceOf(DiagnosedConnectException.class)
              .hasMessageStartingWith("Circuit OPEN for 127.0.0.1:" + server.port()
                  + ", not dialled. Last failure: Connection refused");
          assertThat(rejected.getStackTrace()).isEmpty();
          assertThat(((DiagnosedConnectException) rejected).diagnosis().cause())
              .isEqualTo(RefusalCause.NO_LISTENER);
        }
        assertThat(dials).as("rejected calls never reach the callable").hasValue(5);

        server.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (guard.circuitState(endpoint) == CircuitState.OPEN
            && System.nanoTime() < deadline) {
          Thread.sleep(10);
        }
        assertThat(guard.circuitState(endpoint)).isEqualTo(CircuitState.HALF_OPEN);
        assertThat(guard.call(endpoint, call)).isEqualTo((int) 'k');
        assertThat(guard.circuitState(endpoint)).isEqualTo(CircuitState.CLOSED);
        assertThat(recorder.events).containsSubsequence("circuit CLOSED->OPEN", "callRejected",
            "circuit OPEN->HALF_OPEN", "circuit HALF_OPEN->CLOSED");
      } finally {
        server.close();
      }
    }
  }

  @Nested
  @DisplayName("recovery noticed by traffic")
  class TrafficProbe {

    @Test
    @DisplayName("where the host's socket counts cannot be read (not Linux), calls arriving at an"
        + " open circuit trigger a probe at most once per gap, so the return is noticed within"
        + " about one gap, even with a long background interval")
    void callsTriggerProbes() throws Exception {
      FlappingServer server = FlappingServer.onFreePort(Loopback.V4);
      FakeSystemView noCounts = FakeSystemView.noContainer()
          .file(ProcFiles.SOCKSTAT, null).file(ProcFiles.SOCKSTAT6, null);
      RefusalGuard guard = RefusalGuard.builder().diagnoser(diagnoser()).system(noCounts)
          .maxAttempts(1).failureThreshold(1).halfOpenCalls(1)
          .recoveryProbeInterval(Duration.ofMinutes(1))
          .recoveryProbeGap(Duration.ofMillis(50)).build();
      Endpoint endpoint = Endpoint.of("127.0.0.1", server.port());
      java.util.concurrent.Callable<Integer> call =
          () -> FlappingServer.fetch(Loopback.V4, server.port());
      try {
        assertThatThrownBy(() -> guard.call(endpoint, call))
            .isInstanceOf(DiagnosedConnectException.class);
        assertThat(guard.circuitState(endpoint)).isEqualTo(CircuitState.OPEN);
        server.start();
        long start = System.nanoTime();
        Integer answer = null;
        for (int i = 0; i < 400 && answer == null; i++) {
          try {
            answer = guard.call(endpoint, call);
          } catch (DiagnosedConnectException rejected) {
            Thread.sleep(5);
          }
        }
        long tookMillis = (System.nanoTime() - start) / 1_000_000;

        // The loop ends within about 2 s, far short of the 1 min background interval.
        assertThat(answer).as("noticed within a few gaps").isEqualTo((int) 'k');
        assertThat(noCounts.dialled()).as("probe dials, one per gap at most")
            .hasSizeLessThanOrEqualTo((int) (tookMillis / 50) + 2);
      } finally {
        server.close();
      }
    }

    @Test
    @DisplayName("a service on this host: while it is down, 100 calls cost a dial or two (the"
        + " host's socket count stands still), and the first call after its return goes through")
    void serviceOnThisHost() throws Exception {
      FlappingServer server = FlappingServer.onFreePort(Loopback.V4);
      // Invented counts, so other sockets of this JVM cannot move them; dials are real.
      FakeSystemView system = FakeSystemView.noContainer()
          .file(ProcFiles.SOCKSTAT, "TCP: inuse 5 orphan 0 tw 0\n")
          .file(ProcFiles.SOCKSTAT6, "TCP6: inuse 1\n");
      RefusalGuard guard = RefusalGuard.builder().diagnoser(diagnoser()).system(system)
          .maxAttempts(1).failureThreshold(1).halfOpenCalls(1)
          .recoveryProbeInterval(Duration.ofMinutes(1)).build();
      Endpoint endpoint = Endpoint.of("127.0.0.1", server.port());
      AtomicInteger reached = new AtomicInteger();
      java.util.concurrent.Callable<Integer> call = () -> {
        reached.incrementAndGet();
        return FlappingServer.fetch(Loopback.V4, server.port());
      };
      try {
        assertThatThrownBy(() -> guard.call(endpoint, call))
            .isInstanceOf(DiagnosedConnectException.class);
        long downStart = System.nanoTime();
        for (int i = 0; i < 100; i++) {
          assertThatThrownBy(() -> guard.call(endpoint, call))
              .isInstanceOf(DiagnosedConnectException.class)
              .hasMessageStartingWith("Circuit OPEN");
          Thread.sleep(3);
        }
        assertThat(reached).hasValue(1);
        long downMillis = (System.nanoTime() - downStart) / 1_000_000;
        // One dial when the watch starts, and one each half second the count stands still.
        assertThat(system.dialled()).as("dials in %s ms while the service was down", downMillis)
            .hasSizeBetween(1, 2 + (int) (downMillis / 500));

        server.start();
        system.file(ProcFiles.SOCKSTAT6, "TCP6: inuse 2\n");
        // The guard's thread sees the count move at its next look (every 5 ms), dials, and lets
        // the next call through; the rejected calls meanwhile never dial.
        Integer answer = null;
        for (int i = 0; i < 2_000 && answer == null; i++) {
          try {
            answer = guard.call(endpoint, call);
          } catch (DiagnosedConnectException rejected) {
            assertThat(rejected.isRejection()).isTrue();
            Thread.sleep(1);
          }
        }
        assertThat(answer).as("a call after the return").isEqualTo((int) 'k');
        assertThat(reached).as("only the opening call and the one after the return reached the"
            + " callable").hasValue(2);
        assertThat(guard.circuitState(endpoint)).isEqualTo(CircuitState.CLOSED);
      } finally {
        server.close();
      }
    }
  }

  @Nested
  @DisplayName("a misconfigured endpoint")
  class Misconfiguration {

    @Test
    @DisplayName("IPv6-only service dialled over IPv4: one attempt per call, the remedy in the"
        + " exception, one WARN line however many calls fail")
    void failsFastAndWarnsOnce() throws Exception {
      org.junit.jupiter.api.Assumptions.assumeTrue(Loopback.ipv6Available(),
          "this machine cannot bind ::1");
      Logger logger = (Logger) LoggerFactory.getLogger(RefusalGuard.class);
      ListAppender<ILoggingEvent> appender = new ListAppender<>();
      appender.start();
      logger.addAppender(appender);
      try (ServerSocket v6Only = Loopback.listen(Loopback.V6, 0, 50)) {
        int port = v6Only.getLocalPort();
        RefusalGuard guard = RefusalGuard.builder().diagnoser(diagnoser())
            .failureThreshold(1_000).build();
        AtomicInteger attempts = new AtomicInteger();
        for (int i = 0; i < 20; i++) {
          Throwable thrown = catchThrowable(() -> guard.call(Endpoint.of("127.0.0.1", port),
              () -> {
                attempts.incrementAndGet();
                return FlappingServer.fetch(Loopback.V4, port);
              }));
          assertThat(thrown).isInstanceOf(DiagnosedConnectException.class)
              .hasMessageContaining("ADDRESS_FAMILY_MISMATCH")
              .hasMessageContaining("Bind the service to both families");
        }
        assertThat(attempts).hasValue(20);
        List<ILoggingEvent> warnings = new ArrayList<>();
        for (ILoggingEvent e : appender.list) {
          if (e.getLevel() == Level.WARN) {
            warnings.add(e);
          }
        }
        assertThat(warnings).hasSize(1);
        ILoggingEvent warning = warnings.get(0);
        assertThat(warning.getFormattedMessage()).contains("ADDRESS_FAMILY_MISMATCH");
        assertThat(warning.getKeyValuePairs()).extracting(kv -> kv.key)
            .contains("endpoint", "cause", "attempt", "state");
      } finally {
        logger.detachAppender(appender);
      }
    }
  }

  @Nested
  @DisplayName("the retry budget")
  class Budget {

    @Test
    @DisplayName("1,000 failing calls against a dead endpoint make at most the budgeted retries")
    void capsRetries() throws Exception {
      int port = Loopback.closedPort(Loopback.V4);
      ManualTicker clock = new ManualTicker();
      Recorder recorder = new Recorder();
      RefusalGuard guard = RefusalGuard.builder()
          .diagnoser(Diagnoser.builder().system(FakeSystemView.noContainer())
              .cacheTtl(Duration.ofHours(1)).build())
          .ticker(clock).failureThreshold(1_000).maxAttempts(3).listener(recorder)
          .backoff(Duration.ZERO, 1.0, Duration.ZERO)
          .retryBudget(0.2, 0).build();
      AtomicInteger dials = new AtomicInteger();
      Endpoint endpoint = Endpoint.of("127.0.0.1", port);
      for (int i = 0; i < 1_000; i++) {
        assertThatThrownBy(() -> guard.call(endpoint, () -> {
          dials.incrementAndGet();
          return FlappingServer.fetch(Loopback.V4, port);
        })).isInstanceOf(DiagnosedConnectException.class);
      }
      long retries = recorder.events.stream().filter(e -> e.startsWith("retryScheduled"))
          .count();
      // Up to maxAttempts(3) would allow 2,000 retries; the budget allows 20% of 1,000 calls
      // and no time-based floor (the clock stands still and the floor is 0). The breaker
      // (1,000 consecutive failures) opens near the end, so a few calls are rejected instead.
      assertThat(retries).isBetween(150L, 200L);
      assertThat(dials.get()).isLessThanOrEqualTo(1_000 + (int) retries);
    }
  }

  @Nested
  @DisplayName("the endpoint registry")
  class Registry {

    @Test
    @DisplayName("10,000 distinct endpoints are remembered, then forgotten when idle")
    void shrinksAfterIdleExpiry() throws Exception {
      ManualTicker clock = new ManualTicker();
      RefusalGuard guard = RefusalGuard.builder().diagnoser(diagnoser()).ticker(clock)
          .maxEndpoints(20_000).endpointIdleExpiry(Duration.ofMinutes(10)).build();
      for (int i = 0; i < 10_000; i++) {
        // No network: the call never dials; only the registry is exercised.
        guard.call(Endpoint.of("svc-" + i + ".internal", 80), () -> "ok");
      }
      assertThat(guard.endpointCount()).isEqualTo(10_000);

      clock.advance(Duration.ofMinutes(11));
      guard.call(Endpoint.of("svc-0.internal", 80), () -> "ok");

      assertThat(guard.endpointCount()).isEqualTo(1);
    }

    @Test
    @DisplayName("the registry never holds more than maxEndpoints")
    void boundedInSize() throws Exception {
      RefusalGuard guard = RefusalGuard.builder().diagnoser(diagnoser()).maxEndpoints(100)
          .build();
      for (int i = 0; i < 5_000; i++) {
        guard.call(Endpoint.of("svc-" + i + ".internal", 80), () -> "ok");
      }
      assertThat(guard.endpointCount()).isLessThanOrEqualTo(100);
    }
  }

  @Nested
  @DisplayName("under load")
  class Load {

    @Test
    @DisplayName("64 threads against a flapping server: every call ends in an answer or a"
        + " documented exception, and once the server stays up the circuit closes again")
    void flappingServer() throws Exception {
      FlappingServer server = FlappingServer.onFreePort(Loopback.V4).start();
      RefusalGuard guard = RefusalGuard.builder().diagnoser(diagnoser())
          .backoff(Duration.ofMillis(20), 1.6, Duration.ofMillis(200))
          .recoveryProbeInterval(Duration.ofMillis(50)).openWait(Duration.ofMillis(500))
          .build();
      Endpoint endpoint = Endpoint.of("127.0.0.1", server.port());
      ExecutorService pool = Executors.newFixedThreadPool(64);
      Set<String> outcomes = ConcurrentHashMap.newKeySet();
      AtomicInteger answered = new AtomicInteger();
      AtomicInteger diagnosed = new AtomicInteger();
      AtomicInteger total = new AtomicInteger();
      List<Throwable> unexpected = Collections.synchronizedList(new ArrayList<>());
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
      List<Future<?>> workers = new ArrayList<>();
      try {
        for (int t = 0; t < 64; t++) {
          workers.add(pool.submit(() -> {
            for (int i = 0; i < 500 && System.nanoTime() < end; i++) {
              total.incrementAndGet();
              try {
                guard.call(endpoint, () -> FlappingServer.fetch(Loopback.V4, server.port()));
                answered.incrementAndGet();
                outcomes.add("answer");
              } catch (DiagnosedConnectException e) {
                diagnosed.incrementAndGet();
                outcomes.add("diagnosed " + e.diagnosis().cause());
              } catch (IOException e) {
                // The server closing under a connected client: a documented, untouched failure.
                FailureKind kind = FailureKind.of(e);
                if (kind.isConnectPhase()) {
                  unexpected.add(e);
                }
                outcomes.add("io " + kind);
              } catch (Throwable e) {
                unexpected.add(e);
              }
            }
            return null;
          }));
        }
        for (int flip = 0; System.nanoTime() < end; flip++) {
          Thread.sleep(300);
          if (flip % 2 == 0) {
            server.stop();
          } else {
            server.start();
          }
        }
        for (Future<?> w : workers) {
          w.get(30, TimeUnit.SECONDS);
        }
        // Then a server that stays up is reached again: the circuit is never left stuck.
        server.stop();
        server.start();

        Integer answer = null;
        Throwable last = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (int i = 0; i < 10_000 && answer == null && System.nanoTime() < deadline; i++) {
          try {
            answer = guard.call(endpoint, () -> FlappingServer.fetch(Loopback.V4, server.port()));
          } catch (IOException e) {
            last = e;
            Thread.sleep(1);
          }
        }
        assertThat(answer).as("an answer from the server that stayed up; last failure %s", last)
            .isEqualTo((int) 'k');
        // A half-open circuit closes after its two trials; one more call is the second at most.
        assertThat(guard.call(endpoint, () -> FlappingServer.fetch(Loopback.V4, server.port())))
            .isEqualTo((int) 'k');
        assertThat(guard.circuitState(endpoint)).isEqualTo(CircuitState.CLOSED);
      } finally {
        pool.shutdownNow();
        server.close();
      }
      assertThat(unexpected).isEmpty();
      assertThat(answered.get()).isPositive();
      assertThat(diagnosed.get()).isPositive();
      assertThat(outcomes).contains("answer");
    }
  }

  @Nested
  @DisplayName("bad input")
  class BadInput {

    @Test
    @DisplayName("settings out of range name the setting and the value")
    void settings() {
      assertThatThrownBy(() -> RefusalGuard.builder().failureThreshold(0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("failureThreshold must be between 1 and 1000, but was 0");
      assertThatThrownBy(() -> RefusalGuard.builder().retryBudget(1.5, 10))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("retry budget ratio must be between 0 and 1, but was 1.5");
      assertThatThrownBy(() -> RefusalGuard.builder()
          .retryOn(Set.of(RefusalCause.LOCAL_FD_EXHAUSTION)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("LOCAL_FD_EXHAUSTION");
    }

    @Test
    @DisplayName("null arguments name the parameter")
    void nulls() {
      RefusalGuard guard = RefusalGuard.defaults();
      assertThatThrownBy(() -> guard.call(null, () -> 1))
          .isInstanceOf(NullPointerException.class).hasMessage("endpoint");
      assertThatThrownBy(() -> guard.call(Endpoint.of("h", 1), null))
          .isInstanceOf(NullPointerException.class).hasMessage("call");
    }
  }
}
