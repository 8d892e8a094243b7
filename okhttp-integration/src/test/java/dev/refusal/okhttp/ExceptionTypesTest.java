package dev.refusal.okhttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.refusal.DiagnosedConnectException;
import dev.refusal.Diagnoser;
import dev.refusal.Diagnosis;
import dev.refusal.RefusalGuard;
import dev.refusal.testing.ClosedPort;
import dev.refusal.testing.FullAcceptQueue;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The table in the README, enforced: each failure is made for real against plain OkHttp and
 * against the same client with the guard installed, and the installed client throws the plain
 * client's type (a refusal's as a {@link DiagnosedConnectException}, which is one), with the
 * diagnosis findable. Names resolve only through this test's {@link Names}, never through DNS.
 */
@DisplayName("An installed OkHttp client throws the types plain OkHttp throws")
@Timeout(60)
class ExceptionTypesTest {

  private final Clients clients = new Clients();
  private final Names names = new Names();
  private final RefusalGuard guard = RefusalGuard.builder().maxAttempts(1)
      .diagnoser(Diagnoser.builder().budget(Duration.ofSeconds(10)).resolver(names).build())
      .build();

  @AfterEach
  void close() {
    clients.close();
    guard.close();
  }

  private OkHttpClient.Builder plain() {
    return Clients.builder().dns(names).connectTimeout(Duration.ofMillis(300))
        .retryOnConnectionFailure(false);
  }

  /** What plain OkHttp and the installed client throw for {@code url}, checked pairwise. */
  private IOException[] both(String url) {
    IOException plain = Clients.failure(clients.build(plain()), Clients.get(url));
    IOException installed = Clients.failure(
        clients.build(RefusalOkHttp.install(plain(), guard)), Clients.get(url));
    return new IOException[] {plain, installed};
  }

  @Test
  @DisplayName("refused: ConnectException → DiagnosedConnectException")
  void refused() {
    IOException[] e = both("http://127.0.0.1:" + ClosedPort.find() + "/");

    assertThat(e[0]).isExactlyInstanceOf(ConnectException.class);
    assertThat(e[1]).isExactlyInstanceOf(DiagnosedConnectException.class)
        .hasMessageContaining("NO_LISTENER");
    assertThat(Diagnosis.find(e[1])).isPresent();
  }

  @Test
  @DisplayName("connect timeout: SocketTimeoutException → SocketTimeoutException, diagnosed")
  void connectTimeout() {
    try (FullAcceptQueue queue = FullAcceptQueue.open()) {
      assumeTrue(queue.isFull(), "this kernel queued every connect; none times out");
      IOException[] e = both("http://127.0.0.1:" + queue.address().getPort() + "/");

      assertThat(e[0]).isExactlyInstanceOf(SocketTimeoutException.class);
      assertThat(e[1]).isExactlyInstanceOf(SocketTimeoutException.class)
          .hasMessageStartingWith(e[0].getMessage());
      Diagnosis d = Diagnosis.find(e[1]).orElseThrow();
      assertThat(e[1].getMessage()).contains(d.cause().name());
      assertThat(e[1].getCause()).isExactlyInstanceOf(SocketTimeoutException.class);
    }
  }

  @Test
  @DisplayName("unknown host: UnknownHostException → UnknownHostException, diagnosed")
  void unknownHost() {
    IOException[] e = both("http://orders.internal:8080/");

    assertThat(e[0]).isExactlyInstanceOf(UnknownHostException.class);
    assertThat(e[1]).isExactlyInstanceOf(UnknownHostException.class)
        .hasMessageStartingWith(e[0].getMessage());
    assertThat(Diagnosis.find(e[1]).orElseThrow().cause().name()).isEqualTo("DNS_FAILURE");
  }

  @Test
  @DisplayName("an open circuit: DiagnosedConnectException, a rejection without dialling")
  void rejection() {
    RefusalGuard opens = RefusalGuard.builder().maxAttempts(1).failureThreshold(1)
        .diagnoser(Diagnoser.builder().budget(Duration.ofSeconds(10)).resolver(names).build())
        .build();
    try {
      OkHttpClient client = clients.build(RefusalOkHttp.install(plain(), opens));
      String url = "http://127.0.0.1:" + ClosedPort.find() + "/";
      Clients.failure(client, Clients.get(url));

      IOException rejected = Clients.failure(client, Clients.get(url));

      assertThat(rejected).isExactlyInstanceOf(DiagnosedConnectException.class);
      assertThat(((DiagnosedConnectException) rejected).isRejection()).isTrue();
    } finally {
      opens.close();
    }
  }
}
