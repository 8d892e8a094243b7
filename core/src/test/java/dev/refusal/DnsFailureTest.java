package dev.refusal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.refusal.testing.FakeSystemView;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A name that does not resolve is DNS_FAILURE, after descriptors are ruled out")
class DnsFailureTest {

  @Test
  @DisplayName("a name missing from the JVM's hosts file: the real UnknownHostException")
  void unresolvableName() {
    // The test JVM resolves only from .ci/test-hosts, so this lookup fails without a DNS query.
    UnknownHostException failure = null;
    try {
      InetAddress.getByName("orders.invalid");
    } catch (UnknownHostException e) {
      failure = e;
    }
    assertThat(failure).isNotNull();

    Diagnosis d = Diagnoser.builder().budget(Duration.ofSeconds(10))
        .system(FakeSystemView.noContainer()).build()
        .diagnose(Endpoint.of("orders.invalid", 443), failure);

    assertThat(d.kind()).isEqualTo(FailureKind.UNKNOWN_HOST);
    assertThat(d.cause()).isEqualTo(RefusalCause.DNS_FAILURE);
    assertThat(d.confidence()).isEqualTo(Confidence.HIGH);
    assertThat(d.evidence()).extracting(Evidence::probe).containsSubsequence("descriptors",
        "dns");
  }

  @Test
  @DisplayName("neither the JVM nor a fresh query resolves it: DNS_FAILURE, HIGH")
  void neitherViewResolves() {
    HostResolver nowhere = new HostResolver() {
      @Override
      public List<InetAddress> lookup(String host) throws IOException {
        throw new UnknownHostException(host);
      }
    };
    Diagnosis d = Diagnoser.builder().budget(Duration.ofSeconds(10))
        .resolver(nowhere).system(FakeSystemView.noContainer())
        .build().diagnose(Endpoint.of("orders.internal", 443),
            new UnknownHostException("orders.internal: Name or service not known"));

    assertThat(d.cause()).isEqualTo(RefusalCause.DNS_FAILURE);
    assertThat(d.confidence()).isEqualTo(Confidence.HIGH);
    assertThat(d.summary()).contains("neither through the JVM nor in a fresh lookup");
  }

  @Test
  @DisplayName("the JVM failed but a fresh query answers: DNS_FAILURE, MEDIUM, names the cache")
  void freshQueryAnswers() throws Exception {
    InetAddress answer = InetAddress.getByName("127.0.0.9");
    HostResolver jvmBehind = new HostResolver() {
      @Override
      public List<InetAddress> lookup(String host) throws IOException {
        throw new UnknownHostException(host);
      }

      @Override
      public List<InetAddress> lookupFresh(String host) {
        return List.of(answer);
      }
    };
    Diagnosis d = Diagnoser.builder().budget(Duration.ofSeconds(10))
        .resolver(jvmBehind).system(FakeSystemView.noContainer())
        .build().diagnose(Endpoint.of("orders.internal", 443),
            new UnknownHostException("orders.internal"));

    assertThat(d.cause()).isEqualTo(RefusalCause.DNS_FAILURE);
    assertThat(d.confidence()).isEqualTo(Confidence.MEDIUM);
    assertThat(d.summary()).contains("a fresh lookup answers 127.0.0.9");
  }
}
