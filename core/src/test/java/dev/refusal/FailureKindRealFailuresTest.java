package dev.refusal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.refusal.testing.ChildJvm;
import dev.refusal.testing.ClosedPort;
import dev.refusal.testing.Dialer;
import dev.refusal.testing.FullAcceptQueue;
import dev.refusal.testing.LocalInterfaces;
import dev.refusal.testing.ResettingServer;
import dev.refusal.testing.SilentServer;
import dev.refusal.testing.ThrowableShape;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link FailureKind#of(Throwable)} on failures this machine really produces, through each way a
 * Java program connects ({@link Dialer}). Every test also pins the exception's exact shape as the
 * running JDK builds it (tested on 17 and 25), because later code reads those shapes too.
 *
 * <p>Traffic goes only to loopback and this host's own interface addresses. Names are resolved
 * only in a child JVM that reads a hosts file, so an unknown name sends no DNS query.
 */
@DisplayName("FailureKind.of on real failures")
class FailureKindRealFailuresTest {

  /**
   * What HttpClient's connect reports for a refusal. {@code send} wraps it once more in a new
   * exception of the same type, to carry the caller's stack; {@code sendAsync} wraps it in a
   * {@code CompletionException} (from {@code join}) or {@code ExecutionException} (from {@code
   * get}) instead.
   */
  private static final String HTTP_CLIENT_REFUSED_CAUSE =
      "java.net.ConnectException: null <- java.nio.channels.ClosedChannelException: null";
  private static final String ASYNC = "java.util.concurrent.CompletionException: ";
  private static final Duration SHORT_TIMEOUT = Duration.ofMillis(300);
  private static final Duration CHILD_TIMEOUT = Duration.ofSeconds(60);

  static Stream<Dialer> dialersWithTimeouts() {
    return Stream.of(Dialer.values()).filter(Dialer::hasTimeouts);
  }

  private static InetSocketAddress closedPortOn(InetAddress address) {
    return new InetSocketAddress(address, ClosedPort.find());
  }

  private static InetAddress literal(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (IOException e) {
      throw new IllegalArgumentException(literal, e);
    }
  }

  private static void assertKind(Throwable failure, FailureKind expected) {
    assertThat(FailureKind.of(failure))
        .as("kind of %s", ThrowableShape.of(failure))
        .isEqualTo(expected);
  }

  @Nested
  @DisplayName("a refused connect is REFUSED, and connect-phase")
  class Refused {

    /** The shape each client gives a refusal; the same on every address. */
    private String refusedShape(Dialer dialer) {
      return switch (dialer) {
        case SOCKET, SOCKET_CHANNEL -> "java.net.ConnectException: Connection refused";
        case HTTP_CLIENT -> "java.net.ConnectException: null <- " + HTTP_CLIENT_REFUSED_CAUSE;
        case HTTP_CLIENT_ASYNC ->
            ASYNC + "java.net.ConnectException <- " + HTTP_CLIENT_REFUSED_CAUSE;
      };
    }

    private void assertRefused(Dialer dialer, InetAddress address) {
      Throwable failure = dialer.failureDialling(closedPortOn(address));

      assertThat(ThrowableShape.of(failure)).isEqualTo(refusedShape(dialer));
      assertKind(failure, FailureKind.REFUSED);
      assertThat(FailureKind.of(failure).isConnectPhase()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Dialer.class)
    @DisplayName("on 127.0.0.1, a port just closed")
    void onIpv4Loopback(Dialer dialer) {
      assertRefused(dialer, literal("127.0.0.1"));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Dialer.class)
    @DisplayName("on ::1, a port just closed")
    void onIpv6Loopback(Dialer dialer) {
      InetAddress ipv6Loopback = literal("::1");
      assumeTrue(LocalInterfaces.canBind(ipv6Loopback), "IPv6 loopback (::1) is not enabled");
      assertRefused(dialer, ipv6Loopback);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Dialer.class)
    @DisplayName("on this host's own non-loopback IPv4 address")
    void onOwnIpv4InterfaceAddress(Dialer dialer) {
      Optional<InetAddress> own = LocalInterfaces.nonLoopbackIpv4();
      assumeTrue(own.isPresent(), "this host has no non-loopback IPv4 address");
      assertRefused(dialer, own.get());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Dialer.class)
    @DisplayName("on this host's own non-loopback IPv6 address")
    void onOwnIpv6InterfaceAddress(Dialer dialer) {
      Optional<InetAddress> own = LocalInterfaces.nonLoopbackIpv6();
      assumeTrue(own.isPresent(), "this host has no global or unique-local IPv6 address");
      assertRefused(dialer, own.get());
    }

    @Test
    @DisplayName("HttpClient.sendAsync(...).get() wraps the same chain in ExecutionException")
    void httpClientFutureGet() throws Exception {
      HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      InetSocketAddress target = closedPortOn(literal("127.0.0.1"));
      HttpRequest request = HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + target.getPort() + "/")).build();

      Throwable failure = null;
      try {
        client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).get(10, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        failure = e;
      } finally {
        if (client instanceof AutoCloseable closeable) {
          closeable.close();
        }
      }

      assertThat(ThrowableShape.of(failure)).isEqualTo(
          "java.util.concurrent.ExecutionException: java.net.ConnectException <- "
              + HTTP_CLIENT_REFUSED_CAUSE);
      assertKind(failure, FailureKind.REFUSED);
    }

    @Test
    @DisplayName("a SOCKS proxy that refuses gives a SocketException, not a ConnectException")
    void socksProxyRefused() throws IOException {
      InetSocketAddress proxy = closedPortOn(literal("127.0.0.1"));
      Throwable failure = null;
      try (Socket socket = new Socket(new Proxy(Proxy.Type.SOCKS, proxy))) {
        // The target is never reached: the proxy itself refuses.
        socket.connect(closedPortOn(literal("127.0.0.1")), 5_000);
      } catch (IOException e) {
        failure = e;
      }

      String jdk17 = "java.net.SocketException: Connection refused";
      String jdk25 = jdk17 + " <- java.net.ConnectException: Connection refused";
      // Observed: JDK 17 drops the underlying ConnectException, JDK 25 keeps it as the cause.
      // Releases in between were not checked, so either shape passes there.
      int feature = Runtime.version().feature();
      String shape = ThrowableShape.of(failure);
      if (feature == 17) {
        assertThat(shape).isEqualTo(jdk17);
      } else if (feature >= 25) {
        assertThat(shape).isEqualTo(jdk25);
      } else {
        assertThat(shape).isIn(jdk17, jdk25);
      }
      assertKind(failure, FailureKind.REFUSED);
    }
  }

  @Nested
  @DisplayName("an unknown host is UNKNOWN_HOST, and connect-phase")
  class UnknownHost {

    private String unknownHostShape(Dialer dialer) {
      String httpClient = "java.net.ConnectException: null <- java.net.ConnectException: null"
          + " <- java.nio.channels.UnresolvedAddressException: null";
      return switch (dialer) {
        case SOCKET -> "java.net.UnknownHostException: " + FailureKindChild.UNKNOWN_HOST;
        case SOCKET_CHANNEL -> "java.nio.channels.UnresolvedAddressException: null";
        case HTTP_CLIENT -> httpClient;
        case HTTP_CLIENT_ASYNC -> ASYNC + "java.net.ConnectException <- "
            + "java.net.ConnectException: null <- java.nio.channels.UnresolvedAddressException: null";
      };
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Dialer.class)
    @DisplayName("a .invalid name, resolved in a child JVM that never asks DNS")
    void invalidName(Dialer dialer) {
      String line = ChildJvm.main(FailureKindChild.class)
          .resolveOnlyLocalhost()
          .timeout(CHILD_TIMEOUT)
          .run("unknown-host", dialer.name())
          .singleLine();

      assertThat(line).isEqualTo(FailureKind.UNKNOWN_HOST + "\t" + unknownHostShape(dialer));
      assertThat(FailureKind.UNKNOWN_HOST.isConnectPhase()).isTrue();
    }
  }

  @Nested
  @DisplayName("running out of file descriptors is LOCAL_FD_EXHAUSTED, and connect-phase")
  class DescriptorsExhausted {

    private String exhaustedShape(Dialer dialer) {
      String emfile = "java.net.SocketException: Too many open files";
      String internalError = "java.lang.InternalError: " + emfile;
      return switch (dialer) {
        case SOCKET, SOCKET_CHANNEL -> emfile;
        case HTTP_CLIENT ->
            "java.io.IOException: " + emfile + " <- " + internalError + " <- " + emfile;
        case HTTP_CLIENT_ASYNC ->
            ASYNC + internalError + " <- " + internalError + " <- " + emfile;
      };
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Dialer.class)
    @DisplayName("in a child JVM under ulimit -n 40, once it has opened files up to the limit")
    void underALowDescriptorLimit(Dialer dialer) {
      String line = ChildJvm.main(FailureKindChild.class)
          .openFileLimit(40)
          .timeout(CHILD_TIMEOUT)
          .run("descriptors-exhausted", dialer.name())
          .singleLine();

      assumeFalse(line.startsWith("SETUP\t"), () -> "could not exhaust descriptors: " + line);
      assertThat(line).isEqualTo(FailureKind.LOCAL_FD_EXHAUSTED + "\t" + exhaustedShape(dialer));
      assertThat(FailureKind.LOCAL_FD_EXHAUSTED.isConnectPhase()).isTrue();
    }
  }

  @Nested
  @DisplayName("a local address the host lacks is LOCAL_ADDRESS_UNAVAILABLE, and connect-phase")
  class LocalAddressUnavailable {

    private String unavailableShape(Dialer dialer) {
      String bind = "java.net.BindException: Cannot assign requested address";
      String connect = "java.net.ConnectException: Cannot assign requested address";
      return switch (dialer) {
        case SOCKET, SOCKET_CHANNEL -> bind;
        case HTTP_CLIENT -> connect + " <- " + connect + " <- " + bind;
        case HTTP_CLIENT_ASYNC -> ASYNC + connect + " <- " + connect + " <- " + bind;
      };
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Dialer.class)
    @DisplayName("binding the client side to a TEST-NET address fails locally (EADDRNOTAVAIL)")
    void bindToAnAddressNotOnThisHost(Dialer dialer) {
      assumeTrue(dialer.canBindLocalAddress(),
          "HttpClient.Builder.localAddress exists from JDK 19; this is JDK "
              + Runtime.version().feature());
      InetAddress notHere = LocalInterfaces.unassignedAddress();
      assumeFalse(LocalInterfaces.canBind(notHere),
          "this host allows binding to addresses it lacks (ip_nonlocal_bind)");

      // The target is loopback, so even a bind that unexpectedly worked would send nothing out.
      Throwable failure = dialer.failureDialling(closedPortOn(literal("127.0.0.1")),
          Dialer.DEFAULT_CONNECT_TIMEOUT, Dialer.DEFAULT_EXCHANGE_TIMEOUT, notHere);

      assertThat(ThrowableShape.of(failure)).isEqualTo(unavailableShape(dialer));
      assertKind(failure, FailureKind.LOCAL_ADDRESS_UNAVAILABLE);
      assertThat(FailureKind.of(failure).isConnectPhase()).isTrue();
    }
  }

  @Nested
  @DisplayName("an address family this JVM cannot use is ADDRESS_FAMILY_UNAVAILABLE, and"
      + " connect-phase")
  class AddressFamilyUnavailable {

    private String unavailableShape(Dialer dialer) {
      // JDK 17 says "Protocol family unavailable", JDK 25 "IPv6 protocol family unavailable".
      String socket = "java.net.SocketException: "
          + (Runtime.version().feature() >= 25 ? "IPv6 p" : "P") + "rotocol family unavailable";
      String unsupported = "java.nio.channels.UnsupportedAddressTypeException: null";
      String httpClient = "java.net.ConnectException: null <- java.net.ConnectException: null"
          + " <- " + unsupported;
      return switch (dialer) {
        case SOCKET -> socket;
        case SOCKET_CHANNEL -> unsupported;
        case HTTP_CLIENT -> httpClient;
        case HTTP_CLIENT_ASYNC -> ASYNC + "java.net.ConnectException <- "
            + "java.net.ConnectException: null <- " + unsupported;
      };
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Dialer.class)
    @DisplayName("dialling [::1] in a child JVM run with -Djava.net.preferIPv4Stack=true, which"
        + " the diagnosis names")
    void ipv6OnAnIpv4OnlyJvm(Dialer dialer) {
      String line = ChildJvm.main(FailureKindChild.class)
          .jvmOption("-Djava.net.preferIPv4Stack=true")
          .timeout(CHILD_TIMEOUT)
          .run("ipv6-on-an-ipv4-stack", dialer.name())
          .singleLine();
      String[] fields = line.split("\t", -1);
      assumeTrue(fields.length == 5 && fields[1].startsWith(unavailableShape(dialer)),
          () -> "this JDK does not refuse an IPv6 dial under preferIPv4Stack as expected: "
              + line);

      assertThat(fields[0]).as(line).isEqualTo(FailureKind.ADDRESS_FAMILY_UNAVAILABLE.name());
      assertThat(fields[1]).isEqualTo(unavailableShape(dialer));
      assertThat(fields[2]).as(line).isEqualTo(RefusalCause.ADDRESS_FAMILY_MISMATCH.name());
      assertThat(fields[3]).as(line).isEqualTo(Confidence.HIGH.name());
      assertThat(fields[4]).as(line).contains("-Djava.net.preferIPv4Stack=true")
          .contains("::1");
      assertThat(FailureKind.ADDRESS_FAMILY_UNAVAILABLE.isConnectPhase()).isTrue();
    }
  }

  @Nested
  @DisplayName("a connect that times out is CONNECT_TIMEOUT, and connect-phase")
  class ConnectTimeout {

    private String timeoutShape(Dialer dialer) {
      String http = "java.net.http.HttpConnectTimeoutException: HTTP connect timed out";
      String httpChain = http + " <- " + http
          + " <- java.net.ConnectException: HTTP connect timed out";
      return switch (dialer) {
        case SOCKET -> "java.net.SocketTimeoutException: Connect timed out";
        case SOCKET_CHANNEL -> throw new IllegalArgumentException("no connect timeout");
        case HTTP_CLIENT -> httpChain;
        case HTTP_CLIENT_ASYNC -> ASYNC + httpChain;
      };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.refusal.FailureKindRealFailuresTest#dialersWithTimeouts")
    @DisplayName("against a loopback listener whose accept queue is full (Linux drops the SYN)")
    void againstAFullAcceptQueue(Dialer dialer) {
      try (FullAcceptQueue queue = FullAcceptQueue.open()) {
        assumeTrue(queue.isFull(), () -> "the accept queue never filled after "
            + queue.queued() + " connections, so connects are not dropped here");

        Throwable failure =
            dialer.failureDialling(queue.address(), SHORT_TIMEOUT, Dialer.DEFAULT_EXCHANGE_TIMEOUT,
                null);

        assertThat(ThrowableShape.of(failure)).isEqualTo(timeoutShape(dialer));
        assertKind(failure, FailureKind.CONNECT_TIMEOUT);
        assertThat(FailureKind.of(failure).isConnectPhase()).isTrue();
      }
    }
  }

  @Nested
  @DisplayName("a reset after the request was sent is RESET, and not connect-phase")
  class ResetAfterConnect {

    private String resetShape(Dialer dialer) {
      String reset = "java.net.SocketException: Connection reset";
      String noBytes = "java.io.IOException: HTTP/1.1 header parser received no bytes";
      return switch (dialer) {
        case SOCKET, SOCKET_CHANNEL -> reset;
        case HTTP_CLIENT -> noBytes + " <- " + noBytes + " <- " + reset;
        case HTTP_CLIENT_ASYNC -> ASYNC + noBytes + " <- " + noBytes + " <- " + reset;
      };
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Dialer.class)
    @DisplayName("by a server that reads the request, then closes with SO_LINGER 0")
    void byAServerThatReadsThenResets(Dialer dialer) {
      try (ResettingServer server = ResettingServer.start()) {
        Throwable failure = dialer.failureDialling(server.address());

        assertThat(server.awaitBytesReceived())
            .as("request bytes that reached the server")
            .isPositive();
        assertThat(ThrowableShape.of(failure)).isEqualTo(resetShape(dialer));
        assertKind(failure, FailureKind.RESET);
        assertThat(FailureKind.of(failure).isConnectPhase()).isFalse();
      }
    }
  }


  @Nested
  @DisplayName("a read timeout after the request was sent is OTHER, and not connect-phase")
  class ReadTimeout {

    private String readTimeoutShape(Dialer dialer) {
      String http = "java.net.http.HttpTimeoutException: request timed out";
      return switch (dialer) {
        case SOCKET -> "java.net.SocketTimeoutException: Read timed out";
        case SOCKET_CHANNEL -> throw new IllegalArgumentException("no read timeout");
        // Unlike other failures, send() rethrows a request timeout as it is, without a re-wrap.
        case HTTP_CLIENT -> http;
        case HTTP_CLIENT_ASYNC -> ASYNC + http + " <- " + http;
      };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.refusal.FailureKindRealFailuresTest#dialersWithTimeouts")
    @DisplayName("from a server that reads the request and never answers")
    void fromAServerThatNeverAnswers(Dialer dialer) {
      try (SilentServer server = SilentServer.start()) {
        Throwable failure = dialer.failureDialling(server.address(),
            Dialer.DEFAULT_CONNECT_TIMEOUT, SHORT_TIMEOUT, null);

        assertThat(server.awaitBytesReceived())
            .as("request bytes that reached the server")
            .isPositive();
        // The client closes the connection when it gives up, and may attach what that close
        // caused ("HTTP/1.1 header parser received no bytes") below the timeout: a race.
        assertThat(ThrowableShape.of(failure)).startsWith(readTimeoutShape(dialer));
        assertKind(failure, FailureKind.OTHER);
        assertThat(FailureKind.of(failure).isConnectPhase()).isFalse();
      }
    }
  }
}
