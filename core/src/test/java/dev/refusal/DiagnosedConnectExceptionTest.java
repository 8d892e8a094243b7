package dev.refusal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("DiagnosedConnectException")
class DiagnosedConnectExceptionTest {

  private static Diagnosis loopbackOnly() throws IOException {
    Endpoint endpoint = Endpoint.of("orders.internal", 8080)
        .withAddress(new InetSocketAddress(InetAddress.getByName("10.0.3.7"), 8080));
    return Diagnosis.of(endpoint, FailureKind.REFUSED, RefusalCause.LOOPBACK_ONLY_BIND,
        Confidence.HIGH, "a process listens on 127.0.0.1:8080 only; 10.0.3.7 is this host's"
            + " eth0 address", "Bind the service to 0.0.0.0 or 10.0.3.7.",
        List.of(Evidence.of("loopback-probe", "127.0.0.1:8080 accepted")), Duration.ofMillis(1));
  }

  @Test
  @DisplayName("the message is the operator's one-liner; the original is the cause")
  void messageAndCause() throws Exception {
    ConnectException original = new ConnectException("Connection refused");
    DiagnosedConnectException e = new DiagnosedConnectException(loopbackOnly(), original);

    assertThat(e).isInstanceOf(ConnectException.class).hasCause(original);
    assertThat(e.getMessage()).isEqualTo("Connection refused: orders.internal:8080 (10.0.3.7)"
        + " — LOOPBACK_ONLY_BIND (HIGH): a process listens on 127.0.0.1:8080 only; 10.0.3.7 is"
        + " this host's eth0 address. Bind the service to 0.0.0.0 or 10.0.3.7.");
    assertThat(e.diagnosis().cause()).isEqualTo(RefusalCause.LOOPBACK_ONLY_BIND);
    assertThat(e.getStackTrace()).isNotEmpty();
  }

  @Test
  @DisplayName("the fast-fail form has no stack trace and keeps the diagnosis")
  void withoutStackTrace() throws Exception {
    DiagnosedConnectException e = DiagnosedConnectException.withoutStackTrace(
        "Circuit open, not dialled. ", loopbackOnly(), null);

    assertThat(e.getStackTrace()).isEmpty();
    assertThat(e.getCause()).isNull();
    assertThat(e.getMessage()).startsWith("Circuit open, not dialled. Connection refused:");
    assertThat(e.diagnosis()).isNotNull();
  }

  @Test
  @DisplayName("Diagnosis.toString is one paragraph: headline, evidence, time taken")
  void diagnosisToString() throws Exception {
    assertThat(loopbackOnly().toString())
        .startsWith("Connection refused: orders.internal:8080 (10.0.3.7) — LOOPBACK_ONLY_BIND")
        .contains("Evidence: loopback-probe: 127.0.0.1:8080 accepted.")
        .endsWith("(diagnosed in 1.0 ms)")
        .doesNotContain("\n");
  }

  @Test
  @DisplayName("classified again, it keeps its diagnosis's kind whatever its prose says")
  void reclassification() throws Exception {
    Diagnosis d = Diagnosis.of(Endpoint.of("unreachable-db", 5432), FailureKind.UNKNOWN_HOST,
        RefusalCause.DNS_FAILURE, Confidence.HIGH, "unreachable-db does not resolve",
        "Fix the name.", List.of(), Duration.ZERO);

    assertThat(FailureKind.of(new DiagnosedConnectException(d, null)))
        .isEqualTo(FailureKind.UNKNOWN_HOST);
  }
}
