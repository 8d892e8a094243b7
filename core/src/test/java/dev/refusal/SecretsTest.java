package dev.refusal;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.refusal.testing.FakeSystemView;
import dev.refusal.testing.FlappingServer;
import dev.refusal.testing.Loopback;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

@DisplayName("Secrets in a URL never reach a message, a diagnosis or a log line")
class SecretsTest {

  private static final String SECRET = "s3cr3t-7f1c";

  @Test
  @DisplayName("user-info, query and fragment secrets: every log line (TRACE and up) and every"
      + " message of a failing, retried, rejected call is clean")
  void noSecretAnywhere() throws Exception {
    Logger root = (Logger) LoggerFactory.getLogger("dev.refusal");
    Level before = root.getLevel();
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    root.addAppender(appender);
    root.setLevel(Level.TRACE);
    List<String> texts = new ArrayList<>();
    try {
      int port = Loopback.closedPort(Loopback.V4);
      URI uri = URI.create("http://alice:" + SECRET + "@127.0.0.1:" + port + "/orders/" 
          + "?token=" + SECRET + "#" + SECRET);
      Endpoint endpoint = Endpoint.of(uri);
      RefusalGuard guard = RefusalGuard.builder()
          .diagnoser(Diagnoser.builder().system(FakeSystemView.noContainer()).build())
          .failureThreshold(3).maxAttempts(2).backoff(Duration.ZERO, 1.0, Duration.ZERO)
          .warnInterval(Duration.ZERO).build();
      for (int i = 0; i < 5; i++) {
        try {
          guard.call(endpoint, () -> FlappingServer.fetch(Loopback.V4, port));
        } catch (DiagnosedConnectException e) {
          texts.add(e.getMessage());
          texts.add(e.toString());
          texts.add(e.diagnosis().toString());
        }
      }
      texts.add(endpoint.toString());
      for (ILoggingEvent event : appender.list) {
        texts.add(event.getFormattedMessage());
        if (event.getKeyValuePairs() != null) {
          event.getKeyValuePairs().forEach(kv -> texts.add(kv.key + "=" + kv.value));
        }
      }
    } finally {
      root.detachAppender(appender);
      root.setLevel(before);
    }
    assertThat(appender.list).as("log lines were captured").isNotEmpty();
    assertThat(texts).isNotEmpty().allSatisfy(t -> assertThat(t).doesNotContain(SECRET)
        .doesNotContain("alice"));
  }

  @Test
  @DisplayName("a URL whose user-info '@' was mistyped: the error does not quote the authority")
  void mistypedUserInfo() {
    Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(
        () -> Endpoint.parse("tcp://alice:" + SECRET + "127.0.0.1:8080/x"));

    assertThat(thrown).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("more than one ':'");
    assertThat(thrown.getMessage()).doesNotContain(SECRET).doesNotContain("alice");
  }
}
