package dev.refusal.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.refusal.testing.LabHost;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The whole demo, the interface-address scenario included, run as a user would run it, in a
 * child JVM inside a lab host: there "this host's interface address" is the lab's veth address,
 * so every packet stays in the lab.
 */
@DisplayName("The demo, all five scenarios, inside a lab host")
class DemoLabTest {

  @Test
  @DisplayName("every scenario is shown, the loopback-only bind among them, in under 30 s")
  void wholeDemo() {
    Optional<String> why = LabHost.unavailableReason();
    assumeTrue(why.isEmpty(), () -> "skipped: " + why.orElse(""));
    try (LabHost lab = LabHost.create()) {
      long start = System.nanoTime();
      LabHost.Result r = lab.java(RefusalCli.class, 60, "demo");
      long seconds = (System.nanoTime() - start) / 1_000_000_000L;

      assertThat(r.exit).as(r.toString()).isZero();
      assertThat(seconds).isLessThan(30);
      assertThat(r.out)
          .contains("LOOPBACK_ONLY_BIND (HIGH confidence)")
          .contains("is not loopback (this host's lab0 address)")
          .contains("Bind the service to 0.0.0.0 or " + lab.v4().getHostAddress())
          .contains("Summary: 5 scenarios shown, 0 skipped");
    }
    assertThat(LabHost.leftovers()).isEmpty();
  }
}
