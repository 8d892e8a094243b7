package dev.refusal.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.refusal.DiagnosedConnectException;
import dev.refusal.Endpoint;
import dev.refusal.RefusalGuard;
import dev.refusal.testing.Loopback;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("StructuredLoggingExample: the diagnosis as JSON fields in the log")
class StructuredLoggingExampleTest {

  @Test
  @DisplayName("a misconfiguration's WARN line carries endpoint, cause, confidence, attempt and"
      + " state as JSON fields")
  void warnLineAsJson() throws Exception {
    assumeTrue(Loopback.ipv6Available(), "this machine cannot listen on ::1");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    OutputStreamAppender<ILoggingEvent> appender = StructuredLoggingExample.logJsonTo(out);
    try (ServerSocket v6Only = Loopback.listen(Loopback.V6, 0, 50)) {
      int port = v6Only.getLocalPort();
      Throwable thrown = catchThrowable(() -> RefusalGuard.defaults().call(
          Endpoint.of("127.0.0.1", port), () -> {
            try (Socket s = new Socket()) {
              s.connect(new InetSocketAddress(Loopback.V4, port), 1_000);
            }
            return null;
          }));
      assertThat(thrown).isInstanceOf(DiagnosedConnectException.class);
    } finally {
      StructuredLoggingExample.stop(appender);
    }
    JsonNode warn = null;
    for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
      JsonNode event = new ObjectMapper().readTree(line);
      if ("WARN".equals(event.path("level").asText())) {
        warn = event;
      }
    }
    assertThat(warn).as("a WARN event in %s", out).isNotNull();
    assertThat(warn.path("cause").asText()).isEqualTo("ADDRESS_FAMILY_MISMATCH");
    assertThat(warn.path("confidence").asText()).isEqualTo("HIGH");
    assertThat(warn.path("endpoint").asText()).startsWith("127.0.0.1:");
    assertThat(warn.has("attempt")).isTrue();
    assertThat(warn.has("state")).isTrue();
    assertThat(warn.path("message").asText()).contains("Bind the service to both families");
  }
}
