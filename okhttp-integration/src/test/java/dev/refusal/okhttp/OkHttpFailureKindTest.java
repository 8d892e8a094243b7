package dev.refusal.okhttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.refusal.FailureKind;
import dev.refusal.testing.ChildJvm;
import dev.refusal.testing.ClosedPort;
import dev.refusal.testing.FullAcceptQueue;
import dev.refusal.testing.LocalInterfaces;
import dev.refusal.testing.ResettingServer;
import dev.refusal.testing.SilentServer;
import dev.refusal.testing.ThrowableShape;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.net.SocketFactory;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link FailureKind#of(Throwable)} on the exceptions OkHttp 5 really throws. OkHttp wraps a failed
 * connect in {@code ConnectException: Failed to connect to host/ip:port} caused by the OS
 * exception, adds one suppressed exception per other route it tried, and lets every other failure
 * (timeouts, unknown hosts, resets, bind failures) through unwrapped.
 *
 * <p>Traffic goes only to loopback and this host's own interface addresses; the unknown name is
 * resolved in a child JVM that reads a hosts file instead of asking DNS.
 */
@DisplayName("FailureKind.of on OkHttp's real failures")
class OkHttpFailureKindTest {

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration SHORT_TIMEOUT = Duration.ofMillis(300);

  private OkHttpClient client;

  @AfterEach
  void shutDownClient() {
    if (client != null) {
      client.dispatcher().executorService().shutdown();
      client.connectionPool().evictAll();
    }
  }

  private OkHttpClient.Builder clientBuilder() {
    return new OkHttpClient.Builder().connectTimeout(CONNECT_TIMEOUT).readTimeout(CONNECT_TIMEOUT);
  }

  /** Makes one GET and returns what it threw; fails the test if it did not throw. */
  private Throwable failureCalling(OkHttpClient.Builder builder, String host, int port) {
    client = builder.build();
    String authority = host.contains(":") ? "[" + host + "]" : host;
    Request request = new Request.Builder().url("http://" + authority + ":" + port + "/").build();
    try (Response response = client.newCall(request).execute()) {
      throw new AssertionError("calling " + request.url() + " succeeded with " + response.code());
    } catch (IOException e) {
      return e;
    }
  }

  private static InetAddress named(String host, String literal) {
    try {
      // A literal is parsed, never looked up; the name is only attached.
      return InetAddress.getByAddress(host, InetAddress.getByName(literal).getAddress());
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(literal, e);
    }
  }

  private static void assertKind(Throwable failure, FailureKind expected) {
    assertThat(FailureKind.of(failure))
        .as("kind of %s", ThrowableShape.of(failure))
        .isEqualTo(expected);
    assertThat(expected.isConnectPhase())
        .as("%s is connect-phase", expected)
        .isEqualTo(expected != FailureKind.RESET && expected != FailureKind.OTHER);
  }

  @Test
  @DisplayName("a refusal on 127.0.0.1 is REFUSED: the OS exception under OkHttp's wrapper")
  void refusedOnIpv4Loopback() {
    int port = ClosedPort.find();

    Throwable failure = failureCalling(clientBuilder(), "127.0.0.1", port);

    assertThat(ThrowableShape.of(failure)).isEqualTo(
        "java.net.ConnectException: Failed to connect to /127.0.0.1:" + port
            + " <- java.net.ConnectException: Connection refused");
    assertKind(failure, FailureKind.REFUSED);
  }

  @Test
  @DisplayName("a refusal on this host's own non-loopback address is REFUSED")
  void refusedOnOwnInterfaceAddress() {
    Optional<InetAddress> own = LocalInterfaces.nonLoopbackIpv4()
        .or(LocalInterfaces::nonLoopbackIpv6);
    assumeTrue(own.isPresent(), "this host has no non-loopback address");
    int port = ClosedPort.find();
    String literal = own.get().getHostAddress();

    Throwable failure = failureCalling(clientBuilder(), literal, port);

    String shown = own.get() instanceof Inet6Address ? "[" + literal + "]" : literal;
    assertThat(ThrowableShape.of(failure)).isEqualTo(
        "java.net.ConnectException: Failed to connect to /" + shown + ":" + port
            + " <- java.net.ConnectException: Connection refused");
    assertKind(failure, FailureKind.REFUSED);
  }

  @Test
  @DisplayName("localhost refused on ::1 and 127.0.0.1 is REFUSED, the second route suppressed")
  void localhostRefusedOnBothFamilies() {
    assumeTrue(LocalInterfaces.canBind(named("localhost", "::1")),
        "IPv6 loopback (::1) is not enabled");
    int port = ClosedPort.find();
    // What a host whose hosts file maps localhost to both families resolves; this machine's may
    // list only one, and resolution is not what is tested here.
    OkHttpClient.Builder bothFamilies = clientBuilder().dns(host -> List.of(
        named(host, "127.0.0.1"), named(host, "::1")));

    Throwable failure = failureCalling(bothFamilies, "localhost", port);

    // OkHttp tries IPv6 first and reports the first route's failure, the other as suppressed.
    assertThat(ThrowableShape.of(failure)).isEqualTo(
        "java.net.ConnectException: Failed to connect to localhost/[0:0:0:0:0:0:0:1]:" + port
            + " {suppressed: java.net.ConnectException: Failed to connect to localhost/127.0.0.1:"
            + port + " <- java.net.ConnectException: Connection refused}"
            + " <- java.net.ConnectException: Connection refused");
    assertThat(failure.getSuppressed()).hasSize(1);
    assertKind(failure, FailureKind.REFUSED);
  }

  @Test
  @DisplayName("an unknown host is UNKNOWN_HOST: the resolver's exception, unwrapped")
  void unknownHost() {
    String line = ChildJvm.main(OkHttpFailureKindChild.class)
        .resolveOnlyLocalhost()
        .timeout(Duration.ofSeconds(60))
        .run()
        .singleLine();

    assertThat(line).startsWith(FailureKind.UNKNOWN_HOST + "\tjava.net.UnknownHostException: ")
        .contains(OkHttpFailureKindChild.UNKNOWN_HOST)
        .doesNotContain(" <- ");
    assertThat(FailureKind.UNKNOWN_HOST.isConnectPhase()).isTrue();
  }

  @Test
  @DisplayName("a connect timeout is CONNECT_TIMEOUT: SocketTimeoutException, unwrapped")
  void connectTimeout() {
    try (FullAcceptQueue queue = FullAcceptQueue.open()) {
      assumeTrue(queue.isFull(), "the loopback accept queue never filled, so no SYN is dropped");

      Throwable failure = failureCalling(clientBuilder().connectTimeout(SHORT_TIMEOUT),
          "127.0.0.1", queue.address().getPort());

      assertThat(ThrowableShape.of(failure))
          .isEqualTo("java.net.SocketTimeoutException: Connect timed out");
      assertKind(failure, FailureKind.CONNECT_TIMEOUT);
    }
  }

  @Test
  @DisplayName("::1 refused and 127.0.0.1 timing out is REFUSED: the first route reported decides")
  void refusedOnOneFamilyTimedOutOnTheOther() {
    assumeTrue(LocalInterfaces.canBind(named("localhost", "::1")),
        "IPv6 loopback (::1) is not enabled");
    try (FullAcceptQueue queue = FullAcceptQueue.open()) {
      assumeTrue(queue.isFull(), "the loopback accept queue never filled, so no SYN is dropped");
      int port = queue.address().getPort();
      OkHttpClient.Builder bothFamilies = clientBuilder().connectTimeout(SHORT_TIMEOUT)
          .dns(host -> List.of(named(host, "127.0.0.1"), named(host, "::1")));

      Throwable failure = failureCalling(bothFamilies, "localhost", port);

      assertThat(ThrowableShape.of(failure)).isEqualTo(
          "java.net.ConnectException: Failed to connect to localhost/[0:0:0:0:0:0:0:1]:" + port
              + " {suppressed: java.net.SocketTimeoutException: Connect timed out}"
              + " <- java.net.ConnectException: Connection refused");
      assertKind(failure, FailureKind.REFUSED);
    }
  }

  @Test
  @DisplayName("a reset after the request was sent is RESET, and not connect-phase")
  void resetAfterTheRequestWasSent() {
    try (ResettingServer server = ResettingServer.start()) {
      Throwable failure = failureCalling(clientBuilder(), "127.0.0.1", server.address().getPort());

      assertThat(server.awaitBytesReceived()).as("request bytes that reached the server").isPositive();
      assertThat(ThrowableShape.of(failure))
          .isEqualTo("java.net.SocketException: Connection reset");
      assertKind(failure, FailureKind.RESET);
    }
  }

  @Test
  @DisplayName("a read timeout after the request was sent is OTHER, and not connect-phase")
  void readTimeoutAfterTheRequestWasSent() {
    try (SilentServer server = SilentServer.start()) {
      Throwable failure = failureCalling(clientBuilder().readTimeout(SHORT_TIMEOUT), "127.0.0.1",
          server.address().getPort());

      assertThat(server.awaitBytesReceived()).as("request bytes that reached the server").isPositive();
      // Two shapes race: OkHttp's watchdog closes the socket and reports "timeout", or the
      // socket's own SO_TIMEOUT fires first with the JDK's "Read timed out" (seen on JDK 25).
      assertThat(ThrowableShape.of(failure)).isIn(
          "java.net.SocketTimeoutException: timeout <- java.net.SocketException: Socket closed",
          "java.net.SocketTimeoutException: Read timed out");
      assertKind(failure, FailureKind.OTHER);
    }
  }

  @Test
  @DisplayName("a client bound to an address the host lacks is LOCAL_ADDRESS_UNAVAILABLE")
  void localAddressUnavailable() {
    InetAddress notHere = LocalInterfaces.unassignedAddress();
    assumeFalse(LocalInterfaces.canBind(notHere),
        "this host allows binding to addresses it lacks (ip_nonlocal_bind)");
    OkHttpClient.Builder bound = clientBuilder().socketFactory(new BindingSocketFactory(notHere));

    Throwable failure = failureCalling(bound, "127.0.0.1", ClosedPort.find());

    assertThat(ThrowableShape.of(failure))
        .isEqualTo("java.net.BindException: Cannot assign requested address");
    assertKind(failure, FailureKind.LOCAL_ADDRESS_UNAVAILABLE);
  }

  /** Binds every socket OkHttp asks for to one local address before OkHttp connects it. */
  private static final class BindingSocketFactory extends SocketFactory {
    private final InetAddress local;

    BindingSocketFactory(InetAddress local) {
      this.local = local;
    }

    @Override
    public Socket createSocket() throws IOException {
      Socket socket = new Socket();
      try {
        socket.bind(new InetSocketAddress(local, 0));
        return socket;
      } catch (IOException e) {
        socket.close();
        throw e;
      }
    }

    // OkHttp only calls createSocket(); the connecting variants are not part of this test.

    @Override
    public Socket createSocket(String host, int port) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Socket createSocket(InetAddress host, int port) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Socket createSocket(InetAddress host, int port, InetAddress localAddress,
        int localPort) {
      throw new UnsupportedOperationException();
    }
  }
}
