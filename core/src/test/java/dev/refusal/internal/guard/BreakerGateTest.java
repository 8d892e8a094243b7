package dev.refusal.internal.guard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.refusal.CircuitState;
import dev.refusal.Endpoint;
import dev.refusal.RefusalGuardConfig;
import dev.refusal.Ticker;
import dev.refusal.testing.Loopback;
import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The gate's bookkeeping under interleavings pinned with latches: resilience4j publishes its
 * success event inside {@code onSuccess}, before it records, which lets a test hold one thread
 * exactly there while another records a failure.
 */
@DisplayName("BreakerGate counts consecutive failures exactly under concurrency")
class BreakerGateTest {

  private static final ConnectException REFUSED = Loopback.refused(Loopback.V4,
      Loopback.closedPort(Loopback.V4));

  private final RefusalGuardConfig config = RefusalGuardConfig.custom().failureThreshold(2)
      .build();
  private final Ticker ticker = Ticker.system();
  private final BreakerGate gate = new BreakerGate(new Events(ticker, Duration.ofMinutes(1)),
      ticker, ticker, config.openWait().toNanos(), Duration.ofSeconds(10).toNanos(), s -> { });
  private final EndpointRegistry registry = new EndpointRegistry(config, ticker);

  private static void awaitBlocked(Thread t) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (t.getState() != Thread.State.BLOCKED && System.nanoTime() < deadline) {
      Thread.sleep(1);
    }
    assertThat(t.getState()).as("%s waits for the outcome lock", t.getName())
        .isEqualTo(Thread.State.BLOCKED);
  }

  @Test
  @DisplayName("a failure recorded while a success is being recorded waits for it; the success"
      + " after both is recorded, so two failures with a success between never open a breaker"
      + " that opens at two in a row")
  void successBetweenFailuresIsNeverLost() throws Exception {
    EndpointState s = registry.get(Endpoint.of("127.0.0.1", 1));
    gate.failed(s, BreakerGate.CLOSED_PERMIT, REFUSED, true);
    CountDownLatch inSuccess = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    s.breaker.getEventPublisher().onSuccess(e -> {
      inSuccess.countDown();
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
      }
    });
    Thread success = new Thread(() -> gate.succeeded(s, BreakerGate.CLOSED_PERMIT), "success");
    success.start();
    assertThat(inSuccess.await(10, TimeUnit.SECONDS)).isTrue();
    Thread failure = new Thread(() -> gate.failed(s, BreakerGate.CLOSED_PERMIT, REFUSED, true),
        "failure");
    failure.start();
    awaitBlocked(failure);

    release.countDown();
    success.join(10_000);
    failure.join(10_000);
    assertThat(BreakerGate.state(s)).isEqualTo(CircuitState.CLOSED);

    // The last recorded outcome is the failure, so this success must be recorded, not skipped.
    gate.succeeded(s, BreakerGate.CLOSED_PERMIT);
    gate.failed(s, BreakerGate.CLOSED_PERMIT, REFUSED, true);

    assertThat(BreakerGate.state(s)).as("failure, success, failure").isEqualTo(CircuitState.CLOSED);
    gate.failed(s, BreakerGate.CLOSED_PERMIT, REFUSED, true);
    assertThat(BreakerGate.state(s)).as("then two in a row").isEqualTo(CircuitState.OPEN);
  }

  @Test
  @DisplayName("successes with nothing to record take no lock: a success while another thread"
      + " holds the outcome lock returns at once")
  void plainSuccessTakesNoLock() throws Exception {
    EndpointState s = registry.get(Endpoint.of("127.0.0.1", 2));
    CountDownLatch held = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Thread holder = new Thread(() -> {
      synchronized (s.outcomeLock) {
        held.countDown();
        try {
          release.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    });
    holder.start();
    assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();
    try {
      gate.succeeded(s, BreakerGate.CLOSED_PERMIT);
    } finally {
      release.countDown();
      holder.join(10_000);
    }
    assertThat(BreakerGate.state(s)).isEqualTo(CircuitState.CLOSED);
  }

  @Test
  @DisplayName("a connect failure of a call let through before the circuit opened does not fail"
      + " the trials of the half-open circuit after it")
  void staleFailureDoesNotFailTheTrials() {
    EndpointState s = registry.get(Endpoint.of("127.0.0.1", 3));
    int early = gate.acquire(s);
    gate.failed(s, gate.acquire(s), REFUSED, true);
    gate.failed(s, gate.acquire(s), REFUSED, true);
    assertThat(BreakerGate.state(s)).isEqualTo(CircuitState.OPEN);
    gate.recoverySeen(s);
    assertThat(BreakerGate.state(s)).isEqualTo(CircuitState.HALF_OPEN);

    gate.failed(s, early, REFUSED, true);

    assertThat(BreakerGate.state(s)).isEqualTo(CircuitState.HALF_OPEN);
    int trial = gate.acquire(s);
    assertThat(trial).isEqualTo(BreakerGate.TRIAL_PERMIT);
    gate.succeeded(s, trial);
    gate.succeeded(s, gate.acquire(s));
    assertThat(BreakerGate.state(s)).isEqualTo(CircuitState.CLOSED);
  }
}
