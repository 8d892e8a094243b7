package dev.refusal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.refusal.testing.ClosedPort;
import dev.refusal.testing.FakeSystemView;
import dev.refusal.testing.FullAcceptQueue;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("What the guard throws keeps the type the call threw, with the diagnosis findable")
class ExceptionTypesTest {

  private final RefusalGuard guard = RefusalGuard.builder()
      .diagnoser(Diagnoser.builder().system(FakeSystemView.noContainer())
          .budget(Duration.ofSeconds(10)).build())
      .maxAttempts(1)
      .build();

  @AfterEach
  void close() {
    guard.close();
  }

  private Throwable thrownBy(Endpoint endpoint, Callable<?> call) {
    Throwable thrown = catchThrowable(() -> guard.call(endpoint, call));
    assertThat(thrown).as("the guarded call throws").isNotNull();
    return thrown;
  }

  @Test
  @DisplayName("a refused connect (ConnectException) becomes a DiagnosedConnectException, the"
      + " socket's exception its cause")
  void refusedIsADiagnosedConnectException() {
    int port = ClosedPort.find();
    Endpoint endpoint = Endpoint.of("127.0.0.1", port);

    Throwable thrown = thrownBy(endpoint, () -> {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
      }
      return null;
    });

    assertThat(thrown).isExactlyInstanceOf(DiagnosedConnectException.class)
        .isInstanceOf(ConnectException.class)
        .hasMessageContaining("NO_LISTENER");
    assertThat(thrown.getCause()).isExactlyInstanceOf(ConnectException.class);
    assertThat(Diagnosis.find(thrown)).containsSame(
        ((DiagnosedConnectException) thrown).diagnosis());
  }

  @Test
  @DisplayName("a connect timeout stays a SocketTimeoutException: the socket's message, then the"
      + " diagnosis; the original its cause, its stack the original's")
  void connectTimeoutStaysASocketTimeoutException() {
    try (FullAcceptQueue queue = FullAcceptQueue.open()) {
      assumeTrue(queue.isFull(), "this kernel queued every connect; none times out");
      Endpoint endpoint = Endpoint.of("127.0.0.1", queue.address().getPort());
      SocketTimeoutException[] original = new SocketTimeoutException[1];

      Throwable thrown = thrownBy(endpoint, () -> {
        try (Socket s = new Socket()) {
          s.connect(queue.address(), 150);
        } catch (SocketTimeoutException e) {
          original[0] = e;
          throw e;
        }
        return null;
      });

      assertThat(thrown).isExactlyInstanceOf(SocketTimeoutException.class)
          .hasMessageStartingWith("Connect timed out: 127.0.0.1:" + endpoint.port());
      assertThat(thrown.getCause()).isSameAs(original[0]);
      assertThat(thrown.getStackTrace()).isEqualTo(original[0].getStackTrace());
      Diagnosis d = Diagnosis.find(thrown).orElseThrow();
      assertThat(d.kind()).isEqualTo(FailureKind.CONNECT_TIMEOUT);
      assertThat(thrown.getMessage()).contains(d.cause().name());
      // Still classified as what it is, so callers and the guard agree.
      assertThat(FailureKind.of(thrown)).isEqualTo(FailureKind.CONNECT_TIMEOUT);
    }
  }

  @Test
  @DisplayName("an unknown host stays an UnknownHostException whose message starts with the name")
  void unknownHostStaysAnUnknownHostException() {
    Endpoint endpoint = Endpoint.of("orders.invalid", 8080);

    Throwable thrown = thrownBy(endpoint, () -> {
      throw new UnknownHostException("orders.invalid: Name or service not known");
    });

    assertThat(thrown).isExactlyInstanceOf(UnknownHostException.class)
        .hasMessageStartingWith("orders.invalid: Name or service not known — ")
        .hasMessageContaining("DNS_FAILURE");
    assertThat(Diagnosis.find(thrown).orElseThrow().cause()).isEqualTo(RefusalCause.DNS_FAILURE);
  }

  @Test
  @DisplayName("NoRouteToHostException and BindException keep their types")
  void otherJdkTypesKeepTheirTypes() {
    Endpoint endpoint = Endpoint.of("127.0.0.1", ClosedPort.find());

    Throwable noRoute = thrownBy(endpoint, () -> {
      throw new NoRouteToHostException("No route to host");
    });
    Throwable bind = thrownBy(endpoint, () -> {
      throw new BindException("Cannot assign requested address");
    });

    assertThat(noRoute).isExactlyInstanceOf(NoRouteToHostException.class);
    assertThat(Diagnosis.find(noRoute)).isPresent();
    assertThat(bind).isExactlyInstanceOf(BindException.class);
    assertThat(Diagnosis.find(bind)).isPresent();
  }

  /** A client library's own subclass, as Netty's and HttpClient 5's connect exceptions are. */
  static final class ClientConnectException extends ConnectException {
    ClientConnectException(String message) {
      super(message);
    }
  }

  @Test
  @DisplayName("a client's own subclass is thrown itself, unchanged in type and message, with the"
      + " diagnosis attached")
  void clientSubclassIsThrownItself() {
    Endpoint endpoint = Endpoint.of("127.0.0.1", ClosedPort.find());
    ClientConnectException original =
        new ClientConnectException("Connection refused: /127.0.0.1:" + endpoint.port());

    Throwable thrown = thrownBy(endpoint, () -> {
      throw original;
    });

    assertThat(thrown).isSameAs(original)
        .hasMessage("Connection refused: /127.0.0.1:" + endpoint.port());
    Diagnosis d = Diagnosis.find(thrown).orElseThrow();
    assertThat(d.kind()).isEqualTo(FailureKind.REFUSED);
    // A logged stack trace shows the diagnosis as a suppressed exception.
    assertThat(thrown.getSuppressed()).anySatisfy(s -> assertThat(s).hasMessage(d.headline()));
  }

  @Test
  @DisplayName("a plain IOException or SocketException saying \"Connection refused\" becomes a"
      + " DiagnosedConnectException, which every catch block for them still matches")
  void plainIoAndSocketExceptionsBecomeDiagnosed() {
    Endpoint endpoint = Endpoint.of("127.0.0.1", ClosedPort.find());

    Throwable io = thrownBy(endpoint, () -> {
      throw new IOException("java.net.ConnectException: Connection refused");
    });
    Throwable socket = thrownBy(endpoint, () -> {
      throw new SocketException("Connection refused");
    });

    assertThat(io).isExactlyInstanceOf(DiagnosedConnectException.class);
    assertThat(socket).isExactlyInstanceOf(DiagnosedConnectException.class);
  }

  @Test
  @DisplayName("callAsync completes with the same types as call")
  void asyncKeepsTheTypes() throws Exception {
    Endpoint endpoint = Endpoint.of("orders.invalid", 8080);

    Throwable thrown = catchThrowable(() -> guard.callAsync(endpoint,
        () -> java.util.concurrent.CompletableFuture.failedFuture(
            new UnknownHostException("orders.invalid")), CallOptions.DEFAULTS)
        .get(30, TimeUnit.SECONDS));

    assertThat(thrown).isInstanceOf(java.util.concurrent.ExecutionException.class);
    assertThat(thrown.getCause()).isExactlyInstanceOf(UnknownHostException.class);
    assertThat(Diagnosis.find(thrown)).isPresent();
  }

  @Test
  @DisplayName("Diagnosis.find searches causes and suppressed exceptions, survives cycles, and is"
      + " empty when there is nothing")
  void findIsCycleSafe() {
    Diagnosis d = Diagnoser.builder().system(FakeSystemView.noContainer()).build()
        .diagnose(Endpoint.of("orders.invalid", 8080), new UnknownHostException("orders.invalid"));
    RuntimeException outer = new RuntimeException("outer");
    RuntimeException inner = new RuntimeException("inner", outer);
    outer.initCause(inner);
    assertThat(Diagnosis.find(outer)).isEmpty();
    assertThat(Diagnosis.find(null)).isEmpty();

    inner.addSuppressed(new DiagnosedConnectException(d, new ConnectException()));
    assertThat(Diagnosis.find(outer)).containsSame(d);
  }
}
