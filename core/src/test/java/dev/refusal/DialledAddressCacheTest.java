package dev.refusal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.refusal.testing.FakeSystemView;
import dev.refusal.testing.Loopback;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A cached diagnosis answers only for the address it was made on")
class DialledAddressCacheTest {

  /** Both loopback addresses for "localhost", so the test does not depend on /etc/hosts. */
  private static final HostResolver BOTH_LOOPBACKS = host -> List.of(Loopback.V6, Loopback.V4);

  @Test
  @DisplayName("a name's ::1 diagnosed ADDRESS_FAMILY_MISMATCH; once the IPv4 listener stops, a"
      + " refusal on its 127.0.0.1 is diagnosed afresh as NO_LISTENER")
  void familyMismatchOnOneAddressIsNotReusedForTheOther() throws Exception {
    assumeTrue(Loopback.ipv6Available(), "this host has no ::1 to dial");
    Diagnoser diagnoser = Diagnoser.builder().system(FakeSystemView.noContainer())
        .resolver(BOTH_LOOPBACKS).cacheTtl(Duration.ofMinutes(10)).build();
    int port;
    Diagnosis onV6;
    try (ServerSocket v4Only = Loopback.listen(Loopback.V4, 0, 50)) {
      port = v4Only.getLocalPort();
      onV6 = diagnoser.diagnose(at(port, Loopback.V6), Loopback.refused(Loopback.V6, port));
    }
    assertThat(onV6.cause()).isEqualTo(RefusalCause.ADDRESS_FAMILY_MISMATCH);

    Diagnosis onV4 = diagnoser.diagnose(at(port, Loopback.V4),
        Loopback.refused(Loopback.V4, port));

    assertThat(onV4.cause()).isEqualTo(RefusalCause.NO_LISTENER);
    assertThat(onV4).isNotSameAs(onV6);
  }

  @Test
  @DisplayName("two refusals on the same address of a name share one diagnosis")
  void sameAddressSharesTheDiagnosis() throws Exception {
    Diagnoser diagnoser = Diagnoser.builder().system(FakeSystemView.noContainer())
        .resolver(BOTH_LOOPBACKS).cacheTtl(Duration.ofMinutes(10)).build();
    int port = Loopback.closedPort(Loopback.V4);

    Diagnosis first = diagnoser.diagnose(at(port, Loopback.V4), Loopback.refused(Loopback.V4, port));
    Diagnosis second = diagnoser.diagnose(at(port, Loopback.V4),
        Loopback.refused(Loopback.V4, port));

    assertThat(second).isSameAs(first);
  }

  private static Endpoint at(int port, InetAddress address) {
    return Endpoint.of("localhost", port).withAddress(new InetSocketAddress(address, port));
  }
}
