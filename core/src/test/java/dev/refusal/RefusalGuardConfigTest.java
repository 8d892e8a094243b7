package dev.refusal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("RefusalGuardConfig")
class RefusalGuardConfigTest {

  /** The shortest and longest total of the first {@code waits} waits, in ms. */
  private static double[] waits(RefusalGuardConfig c, int waits) {
    double min = 0;
    double max = 0;
    double ceiling = c.initialBackoff().toMillis();
    for (int i = 0; i < waits; i++) {
      double capped = Math.min(ceiling, c.maxBackoff().toMillis());
      min += capped / 2;
      max += capped;
      ceiling *= c.backoffMultiplier();
    }
    return new double[] {min, max};
  }

  @Test
  @DisplayName("the defaults agree: one call's attempts cannot open the circuit, and its waits"
      + " reach past 2 s before they can pass the restart window")
  void defaultsTellOneStory() {
    RefusalGuardConfig c = RefusalGuardConfig.ofDefaults();
    int waits = c.maxAttempts() - 1;

    assertThat(c.failureThreshold()).isGreaterThan(c.maxAttempts());
    double[] total = waits(c, waits);
    assertThat(total[0]).as("the shortest the waits of one call can add up to")
        .isGreaterThanOrEqualTo(2_000);
    assertThat(total[1]).as("the longest they can add up to")
        .isLessThan(c.restartWindow().toMillis());
    assertThat(waits(c, waits - 1)[0]).as("one wait fewer would not reach 2 s")
        .isLessThan(2_000);
  }

  @Test
  @DisplayName("from(base) copies every setting; the copy's builder changes only the copy")
  void fromCopiesEverything() {
    RefusalGuardConfig base = RefusalGuardConfig.custom().failureThreshold(3).halfOpenCalls(4)
        .openWait(Duration.ofSeconds(5)).halfOpenMaxWait(Duration.ofSeconds(6)).maxAttempts(2)
        .backoff(Duration.ofMillis(10), 2.0, Duration.ofMillis(40))
        .restartWindow(Duration.ofSeconds(7)).retryBudget(0.5, 3)
        .recoveryProbeInterval(Duration.ofMillis(20)).recoveryProbeGap(Duration.ofMillis(30))
        .maxEndpoints(9).endpointIdleExpiry(Duration.ofSeconds(8))
        .warnInterval(Duration.ofSeconds(9)).retryOn(EnumSet.of(RefusalCause.NO_LISTENER))
        .build();

    RefusalGuardConfig copy = RefusalGuardConfig.from(base).build();
    RefusalGuardConfig changed = RefusalGuardConfig.from(base).maxAttempts(5).build();

    assertThat(copy).isEqualTo(base).hasSameHashCodeAs(base);
    assertThat(copy.toString()).isEqualTo(base.toString()).contains("failureThreshold=3",
        "halfOpenMaxWait=PT6S", "retryOn=[NO_LISTENER]");
    assertThat(changed.maxAttempts()).isEqualTo(5);
    assertThat(base.maxAttempts()).isEqualTo(2);
    assertThat(base.retryOn()).isEqualTo(Set.of(RefusalCause.NO_LISTENER));
    assertThatThrownBy(() -> base.retryOn().add(RefusalCause.UNKNOWN))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  @DisplayName("a guard built with settings reports them as its config")
  void guardReportsItsConfig() {
    RefusalGuardConfig c = RefusalGuardConfig.custom().maxAttempts(3).build();
    try (RefusalGuard guard = RefusalGuard.of(c)) {
      assertThat(guard.config()).isEqualTo(c);
    }
    try (RefusalGuard guard = RefusalGuard.builder().config(c).failureThreshold(4).build()) {
      assertThat(guard.config().maxAttempts()).isEqualTo(3);
      assertThat(guard.config().failureThreshold()).isEqualTo(4);
    }
  }

  @Test
  @DisplayName("the builder's clock(Clock) still drives the guard's time: the open wait passes"
      + " when the clock moves past it")
  void clockStillWorks() throws Exception {
    dev.refusal.testing.ManualClock clock = new dev.refusal.testing.ManualClock();
    int port = dev.refusal.testing.Loopback.closedPort(dev.refusal.testing.Loopback.V4);
    Endpoint endpoint = Endpoint.of("127.0.0.1", port);
    try (RefusalGuard guard = RefusalGuard.builder()
        .diagnoser(Diagnoser.builder().system(dev.refusal.testing.FakeSystemView.noContainer())
            .build())
        .clock(clock).failureThreshold(1).maxAttempts(1).openWait(Duration.ofSeconds(10))
        .recoveryProbeInterval(Duration.ofMinutes(1)).build()) {
      org.assertj.core.api.Assertions.catchThrowable(() -> guard.call(endpoint,
          () -> dev.refusal.testing.FlappingServer.fetch(dev.refusal.testing.Loopback.V4, port)));
      assertThat(guard.circuitState(endpoint)).isEqualTo(CircuitState.OPEN);

      clock.advance(Duration.ofSeconds(11));

      assertThat(guard.call(endpoint, () -> "trial")).isEqualTo("trial");
    }
  }

  @Test
  @DisplayName("bad settings are refused with the setting's name and the bad value")
  void badSettingsNamed() {
    assertThatThrownBy(() -> RefusalGuardConfig.custom().halfOpenMaxWait(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("halfOpenMaxWait").hasMessageContaining("PT0S");
    assertThatThrownBy(() -> RefusalGuardConfig.custom().maxAttempts(0))
        .hasMessage("maxAttempts must be between 1 and 100, but was 0");
    assertThatThrownBy(() -> CallOptions.DEFAULTS.deadline(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("deadline");
    assertThatThrownBy(() -> RefusalGuardConfig.from(null))
        .isInstanceOf(NullPointerException.class).hasMessage("base");
  }
}
