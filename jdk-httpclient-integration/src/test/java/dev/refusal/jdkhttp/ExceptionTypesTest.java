package dev.refusal.jdkhttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.refusal.DiagnosedConnectException;
import dev.refusal.Diagnosis;
import dev.refusal.RefusalGuard;
import dev.refusal.testing.ClosedPort;
import dev.refusal.testing.FullAcceptQueue;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The table in the README, enforced: each failure is made for real against the plain JDK client
 * and against the wrapped one, by {@code send} and by {@code sendAsync}, and the wrapped client
 * throws the plain client's type (a refusal's {@code ConnectException} as a {@link
 * DiagnosedConnectException}, which is one), with the diagnosis findable. The test JVM resolves
 * names from a hosts file only, so the unknown name never reaches a DNS server.
 */
@DisplayName("A wrapped JDK HttpClient throws the types the plain client throws")
@Timeout(60)
class ExceptionTypesTest {

  private final RecordingListener listener = new RecordingListener();
  private final RefusalGuard guard = Fixtures.fastGuard(listener, 1);
  private final HttpClient plain =
      HttpClient.newBuilder().connectTimeout(Duration.ofMillis(300)).build();
  private final HttpClient wrapped = RefusalHttpClient.wrap(plain, guard);

  @AfterEach
  void close() {
    guard.close();
    Fixtures.closeIfPossible(plain);
  }

  /** What {@code send} and {@code sendAsync} of plain and wrapped throw: four failures. */
  private Throwable[] all(String host, int port) {
    return new Throwable[] {
        sent(plain, host, port), sent(wrapped, host, port),
        sentAsync(plain, host, port), sentAsync(wrapped, host, port)};
  }

  private static Throwable sent(HttpClient client, String host, int port) {
    try {
      client.send(Fixtures.get(host, port), BodyHandlers.discarding());
    } catch (Exception e) {
      return e;
    }
    throw new AssertionError(host + ":" + port + " answered");
  }

  private static Throwable sentAsync(HttpClient client, String host, int port) {
    try {
      client.sendAsync(Fixtures.get(host, port), BodyHandlers.discarding())
          .get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError(host + ":" + port + " answered");
  }

  @Test
  @DisplayName("refused: ConnectException → DiagnosedConnectException")
  void refused() {
    Throwable[] e = all("127.0.0.1", ClosedPort.find());

    for (int plainAt : new int[] {0, 2}) {
      assertThat(e[plainAt]).isExactlyInstanceOf(ConnectException.class);
      assertThat(e[plainAt + 1]).isExactlyInstanceOf(DiagnosedConnectException.class)
          .hasMessageContaining("NO_LISTENER");
    }
  }

  @Test
  @DisplayName("connect timeout: HttpConnectTimeoutException → HttpConnectTimeoutException,"
      + " diagnosed")
  void connectTimeout() {
    try (FullAcceptQueue queue = FullAcceptQueue.open()) {
      assumeTrue(queue.isFull(), "this kernel queued every connect; none times out");
      Throwable[] e = all("127.0.0.1", queue.address().getPort());

      for (int plainAt : new int[] {0, 2}) {
        assertThat(e[plainAt]).isExactlyInstanceOf(HttpConnectTimeoutException.class);
        assertThat(e[plainAt + 1]).isExactlyInstanceOf(HttpConnectTimeoutException.class)
            .hasMessageStartingWith(e[plainAt].getMessage());
        Diagnosis d = Diagnosis.find(e[plainAt + 1]).orElseThrow();
        assertThat(e[plainAt + 1].getMessage()).contains(d.cause().name());
      }
    }
  }

  @Test
  @DisplayName("unknown host: ConnectException → DiagnosedConnectException (the JDK reports an"
      + " unresolved name as a ConnectException)")
  void unknownHost() {
    Throwable[] e = all("orders.invalid", 8080);

    for (int plainAt : new int[] {0, 2}) {
      assertThat(e[plainAt]).isExactlyInstanceOf(ConnectException.class);
      assertThat(e[plainAt + 1]).isExactlyInstanceOf(DiagnosedConnectException.class);
      assertThat(Diagnosis.find(e[plainAt + 1]).orElseThrow().cause().name())
          .isEqualTo("DNS_FAILURE");
    }
  }
}
