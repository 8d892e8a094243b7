package dev.refusal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.refusal.testing.FakeSystemView;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The endpoint registry under a million distinct endpoints")
class RegistryMemoryTest {

  private static long usedHeapAfterGc() throws InterruptedException {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(50);
      used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
    }
    return used;
  }

  @Test
  @DisplayName("a million distinct hosts keep at most maxEndpoints entries and a fixed heap")
  void millionEndpoints() throws Exception {
    long before = usedHeapAfterGc();
    RefusalGuard guard = RefusalGuard.builder()
        .diagnoser(Diagnoser.builder().system(FakeSystemView.noContainer()).build()).build();
    // No network: each call returns at once; only the registry works.
    for (int i = 0; i < 1_000_000; i++) {
      guard.call(Endpoint.of("h" + i + ".internal", 443), () -> Boolean.TRUE);
    }
    long count = guard.endpointCount();
    long retained = usedHeapAfterGc() - before;
    System.out.printf("registry: %d endpoints after 1,000,000 distinct; %.1f MB retained%n",
        count, retained / 1e6);

    assertThat(count).isLessThanOrEqualTo(RefusalGuardConfig.DEFAULT_MAX_ENDPOINTS);
    // 10,000 breakers with their sliding windows: 12.4 MB measured here (JDK 17).
    assertThat(retained).isLessThan(96L * 1024 * 1024);
    assertThat(guard.call(Endpoint.of("h0.internal", 443), () -> "still works"))
        .isEqualTo("still works");
  }
}
