package dev.refusal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.refusal.testing.FakeSystemView;
import java.net.UnknownHostException;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Transient means what the guard retries by default")
class TransientCausesTest {

  @Test
  @DisplayName("every cause is transient exactly when the default guard retries it")
  void transientAgreesWithTheDefaultRetries() {
    Set<RefusalCause> retried = RefusalGuardConfig.ofDefaults().retryOn();
    for (RefusalCause cause : RefusalCause.values()) {
      assertThat(cause.isTransient()).as(cause.name()).isEqualTo(retried.contains(cause));
    }
  }

  @Test
  @DisplayName("DNS_FAILURE, UNREACHABLE, CONNECT_TIMEOUT and STALE_ADDRESS are not transient:"
      + " the guard does not retry them")
  void causesTheGuardDoesNotRetryAreNotTransient() {
    assertThat(EnumSet.of(RefusalCause.DNS_FAILURE, RefusalCause.UNREACHABLE,
        RefusalCause.CONNECT_TIMEOUT, RefusalCause.STALE_ADDRESS))
        .allSatisfy(c -> assertThat(c.isTransient()).as(c.name()).isFalse());
  }

  @Test
  @DisplayName("a name in a reserved domain (orders.invalid) never resolves: not transient")
  void reservedNameIsNotTransient() {
    Diagnoser diagnoser = Diagnoser.builder().system(FakeSystemView.noContainer()).build();

    Diagnosis d = diagnoser.diagnose(Endpoint.of("orders.invalid", 8080),
        new UnknownHostException("orders.invalid: Name or service not known"));

    assertThat(d.cause()).isEqualTo(RefusalCause.DNS_FAILURE);
    assertThat(d.isTransient()).isFalse();
  }
}
