package dev.refusal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.refusal.testing.Loopback;
import java.net.ConnectException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Unrelated guards never share a diagnoser")
class PerGuardDiagnoserTest {

  @Test
  @DisplayName("two guards built with the defaults each get a diagnoser of their own")
  void eachGuardHasItsOwn() {
    try (RefusalGuard a = RefusalGuard.defaults(); RefusalGuard b = RefusalGuard.builder().build()) {
      assertThat(a.diagnoser()).isNotSameAs(b.diagnoser());
    }
    assertThat(Diagnoser.defaults()).isNotSameAs(Diagnoser.defaults());
  }

  @Test
  @DisplayName("one guard's cached diagnosis of an endpoint is not another guard's answer")
  void cacheIsNotShared() throws Exception {
    int port = Loopback.closedPort(Loopback.V4);
    Endpoint endpoint = Endpoint.of("127.0.0.1", port);
    ConnectException refusal = Loopback.refused(Loopback.V4, port);
    try (RefusalGuard a = RefusalGuard.defaults(); RefusalGuard b = RefusalGuard.defaults()) {
      a.diagnoser().diagnose(endpoint, refusal);

      assertThat(a.diagnoser().cached(endpoint, FailureKind.REFUSED)).isNotNull();
      assertThat(b.diagnoser().cached(endpoint, FailureKind.REFUSED)).isNull();
    }
  }

  @Test
  @DisplayName("a guard given a diagnoser uses that one, so several guards can share it on purpose")
  void givenDiagnoserIsShared() {
    Diagnoser shared = Diagnoser.defaults();
    try (RefusalGuard a = RefusalGuard.builder().diagnoser(shared).build();
        RefusalGuard b = RefusalGuard.builder().diagnoser(shared).build()) {
      assertThat(a.diagnoser()).isSameAs(shared).isSameAs(b.diagnoser());
    }
  }
}
