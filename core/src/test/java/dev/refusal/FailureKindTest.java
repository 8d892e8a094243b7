package dev.refusal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.channels.UnsupportedAddressTypeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link FailureKind#of(Throwable)} and {@link FailureKind#isConnectPhase()} on crafted
 * exceptions: the forms real clients produce (see {@link FailureKindRealFailuresTest} for the
 * real thing), and the hostile ones no client should but some code will.
 */
@DisplayName("FailureKind")
class FailureKindTest {

  private static FailureKind kindOf(Throwable t) {
    return FailureKind.of(t);
  }

  /** A chain built inside out: {@code chain(a, b, c)} is a caused by b caused by c. */
  private static Throwable chain(Throwable... outsideIn) {
    for (int i = outsideIn.length - 2; i >= 0; i--) {
      outsideIn[i].initCause(outsideIn[i + 1]);
    }
    return outsideIn[0];
  }

  private static <T extends Throwable> T withSuppressed(T holder, Throwable... suppressed) {
    for (Throwable s : suppressed) {
      holder.addSuppressed(s);
    }
    return holder;
  }

  @Nested
  @DisplayName("isConnectPhase")
  class ConnectPhase {

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = FailureKind.class, names = {"RESET", "CANCELED", "OTHER"},
        mode = EnumSource.Mode.EXCLUDE)
    @DisplayName("is true where the failure came before a connection existed")
    void trueBeforeAConnectionExisted(FailureKind kind) {
      assertThat(kind.isConnectPhase()).isTrue();
    }

    @Test
    @DisplayName("is false for RESET: request bytes may have reached the server")
    void falseForReset() {
      assertThat(FailureKind.RESET.isConnectPhase()).isFalse();
    }

    @Test
    @DisplayName("is false for CANCELED: nothing says whether the request was sent")
    void falseForCanceled() {
      assertThat(FailureKind.CANCELED.isConnectPhase()).isFalse();
    }

    @Test
    @DisplayName("is false for OTHER: nothing proves the request was not sent")
    void falseForOther() {
      assertThat(FailureKind.OTHER.isConnectPhase()).isFalse();
    }

    @Test
    @DisplayName("partitions the kinds: eight connect-phase, three not")
    void partitionsTheKinds() {
      EnumSet<FailureKind> connectPhase = EnumSet.noneOf(FailureKind.class);
      for (FailureKind kind : FailureKind.values()) {
        if (kind.isConnectPhase()) {
          connectPhase.add(kind);
        }
      }
      assertThat(connectPhase).containsExactlyInAnyOrder(FailureKind.REFUSED,
          FailureKind.CONNECT_TIMEOUT, FailureKind.UNKNOWN_HOST, FailureKind.NO_ROUTE_TO_HOST,
          FailureKind.NETWORK_UNREACHABLE, FailureKind.LOCAL_ADDRESS_UNAVAILABLE,
          FailureKind.LOCAL_FD_EXHAUSTED, FailureKind.ADDRESS_FAMILY_UNAVAILABLE);
    }
  }

  @Nested
  @DisplayName("a single exception")
  class SingleException {

    @Test
    @DisplayName("null is OTHER")
    void nullIsOther() {
      assertThat(kindOf(null)).isEqualTo(FailureKind.OTHER);
    }

    @Test
    @DisplayName("exceptions that say nothing about the network are OTHER")
    void unrelatedExceptionsAreOther() {
      assertThat(kindOf(new IllegalStateException("boom"))).isEqualTo(FailureKind.OTHER);
      assertThat(kindOf(new IOException())).isEqualTo(FailureKind.OTHER);
      assertThat(kindOf(new IOException(""))).isEqualTo(FailureKind.OTHER);
      assertThat(kindOf(new SocketException("Socket closed"))).isEqualTo(FailureKind.OTHER);
      assertThat(kindOf(new ClosedChannelException())).isEqualTo(FailureKind.OTHER);
      assertThat(kindOf(new SSLHandshakeException("PKIX path building failed")))
          .isEqualTo(FailureKind.OTHER);
      assertThat(kindOf(new HttpTimeoutException("request timed out")))
          .isEqualTo(FailureKind.OTHER);
      assertThat(kindOf(new Error())).isEqualTo(FailureKind.OTHER);
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"Connection refused", "Connection refused: connect",
        "Connection refused (Connection refused)", ""})
    @DisplayName("a ConnectException is REFUSED, whatever its message says of the refusal")
    void connectExceptionIsRefused(String message) {
      assertThat(kindOf(new ConnectException(message))).isEqualTo(FailureKind.REFUSED);
    }

    @Test
    @DisplayName("a ConnectException with a null message is REFUSED (the JDK client's form)")
    void connectExceptionWithNullMessageIsRefused() {
      assertThat(kindOf(new ConnectException())).isEqualTo(FailureKind.REFUSED);
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"Connexion refusée", "Verbindungsaufbau abgelehnt",
        "接続を拒否されました", "Отказано в соединении"})
    @DisplayName("a ConnectException with a localized message is still REFUSED, by its type")
    void localizedConnectExceptionIsRefused(String message) {
      assertThat(kindOf(new ConnectException(message))).isEqualTo(FailureKind.REFUSED);
    }

    @Test
    @DisplayName("localized messages do not stop types from deciding")
    void localizedMessagesLeaveTypesInCharge() {
      assertThat(kindOf(new UnknownHostException("Nom ou service inconnu")))
          .isEqualTo(FailureKind.UNKNOWN_HOST);
      assertThat(kindOf(new BindException("Impossible d'assigner l'adresse demandée")))
          .isEqualTo(FailureKind.LOCAL_ADDRESS_UNAVAILABLE);
      assertThat(kindOf(new NoRouteToHostException("Aucun chemin d'accès pour atteindre l'hôte")))
          .isEqualTo(FailureKind.NO_ROUTE_TO_HOST);
    }

    @Test
    @DisplayName("evidence only a message carries is not guessed at in another language")
    void messageOnlyEvidenceIsEnglishOnly() {
      assertThat(kindOf(new SocketException("Trop de fichiers ouverts")))
          .isEqualTo(FailureKind.OTHER);
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"Connection timed out", "connect timed out",
        "HTTP connect timed out", "Connection timed out: connect"})
    @DisplayName("a ConnectException that says it timed out is CONNECT_TIMEOUT (ETIMEDOUT)")
    void connectExceptionThatTimedOut(String message) {
      assertThat(kindOf(new ConnectException(message))).isEqualTo(FailureKind.CONNECT_TIMEOUT);
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"Connect timed out", "connect timed out"})
    @DisplayName("a SocketTimeoutException from connect is CONNECT_TIMEOUT (JDK 13+ and older)")
    void socketTimeoutFromConnect(String message) {
      assertThat(kindOf(new SocketTimeoutException(message)))
          .isEqualTo(FailureKind.CONNECT_TIMEOUT);
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"Read timed out", "timeout", ""})
    @DisplayName("any other SocketTimeoutException is OTHER: a read or write timeout")
    void otherSocketTimeoutIsOther(String message) {
      assertThat(kindOf(new SocketTimeoutException(message))).isEqualTo(FailureKind.OTHER);
      assertThat(kindOf(new SocketTimeoutException())).isEqualTo(FailureKind.OTHER);
    }

    @Test
    @DisplayName("HttpConnectTimeoutException is CONNECT_TIMEOUT; its parent type is OTHER")
    void httpConnectTimeout() {
      assertThat(kindOf(new HttpConnectTimeoutException("HTTP connect timed out")))
          .isEqualTo(FailureKind.CONNECT_TIMEOUT);
      assertThat(kindOf(new HttpTimeoutException("request timed out")))
          .isEqualTo(FailureKind.OTHER);
    }

    @Test
    @DisplayName("a request timeout stays OTHER whatever the close it caused left below it")
    void requestTimeoutOutranksTheCloseItCaused() {
      // Seen from JDK 17's HttpClient.sendAsync under load.
      Throwable timeout = chain(new HttpTimeoutException("request timed out"),
          new IOException("subscription is finished"),
          new IOException("HTTP/1.1 header parser received no bytes"),
          new IOException("connection closed locally"));

      assertThat(kindOf(new CompletionException(timeout)))
          .isEqualTo(FailureKind.OTHER);
    }

    @Test
    @DisplayName("UnknownHostException and UnresolvedAddressException are UNKNOWN_HOST")
    void unknownHost() {
      assertThat(kindOf(new UnknownHostException("nope.invalid")))
          .isEqualTo(FailureKind.UNKNOWN_HOST);
      assertThat(kindOf(new UnknownHostException())).isEqualTo(FailureKind.UNKNOWN_HOST);
      assertThat(kindOf(new UnresolvedAddressException())).isEqualTo(FailureKind.UNKNOWN_HOST);
    }

    @Test
    @DisplayName("EHOSTUNREACH is NO_ROUTE_TO_HOST, by type or by message")
    void noRouteToHost() {
      assertThat(kindOf(new NoRouteToHostException("No route to host")))
          .isEqualTo(FailureKind.NO_ROUTE_TO_HOST);
      assertThat(kindOf(new NoRouteToHostException())).isEqualTo(FailureKind.NO_ROUTE_TO_HOST);
      assertThat(kindOf(new SocketException("Host is unreachable")))
          .isEqualTo(FailureKind.NO_ROUTE_TO_HOST);
    }

    @Test
    @DisplayName("ENETUNREACH is NETWORK_UNREACHABLE")
    void networkUnreachable() {
      assertThat(kindOf(new SocketException("Network is unreachable")))
          .isEqualTo(FailureKind.NETWORK_UNREACHABLE);
      assertThat(kindOf(new ConnectException("Network is unreachable (connect failed)")))
          .isEqualTo(FailureKind.NETWORK_UNREACHABLE);
    }

    @Test
    @DisplayName("a UDP port unreachable is not a network unreachable")
    void portUnreachableIsOther() {
      assertThat(kindOf(new PortUnreachableException("ICMP Port Unreachable")))
          .isEqualTo(FailureKind.OTHER);
    }

    @Test
    @DisplayName("EADDRNOTAVAIL and EADDRINUSE are LOCAL_ADDRESS_UNAVAILABLE")
    void localAddressUnavailable() {
      assertThat(kindOf(new BindException("Cannot assign requested address")))
          .isEqualTo(FailureKind.LOCAL_ADDRESS_UNAVAILABLE);
      assertThat(kindOf(new BindException("Address already in use")))
          .isEqualTo(FailureKind.LOCAL_ADDRESS_UNAVAILABLE);
      assertThat(kindOf(new SocketException("Cannot assign requested address")))
          .isEqualTo(FailureKind.LOCAL_ADDRESS_UNAVAILABLE);
    }

    @Test
    @DisplayName("a ConnectException saying EADDRNOTAVAIL is LOCAL_ADDRESS_UNAVAILABLE on its own")
    void connectExceptionSayingAddressUnavailable() {
      // JDK 19+ HttpClient with localAddress: ConnectException copying the BindException's text.
      assertThat(kindOf(new ConnectException("Cannot assign requested address")))
          .isEqualTo(FailureKind.LOCAL_ADDRESS_UNAVAILABLE);
    }

    @Test
    @DisplayName("EMFILE is LOCAL_FD_EXHAUSTED, whichever IOException carries it")
    void descriptorsExhausted() {
      assertThat(kindOf(new SocketException("Too many open files")))
          .isEqualTo(FailureKind.LOCAL_FD_EXHAUSTED);
      assertThat(kindOf(new IOException("java.net.SocketException: Too many open files")))
          .isEqualTo(FailureKind.LOCAL_FD_EXHAUSTED);
      assertThat(kindOf(new FileNotFoundException("/dev/null (Too many open files)")))
          .isEqualTo(FailureKind.LOCAL_FD_EXHAUSTED);
      assertThat(kindOf(new ConnectException("Too many open files")))
          .isEqualTo(FailureKind.LOCAL_FD_EXHAUSTED);
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"Connection reset", "Connection reset by peer", "Broken pipe",
        "Broken pipe (Write failed)", "Software caused connection abort: recv failed",
        "unexpected end of stream on http://127.0.0.1:8080/...",
        "HTTP/1.1 header parser received no bytes"})
    @DisplayName("a broken established connection is RESET")
    void resetMessages(String message) {
      assertThat(kindOf(new SocketException(message))).isEqualTo(FailureKind.RESET);
      assertThat(kindOf(new IOException(message))).isEqualTo(FailureKind.RESET);
    }

    @Test
    @DisplayName("an EOFException is RESET: the peer closed before answering")
    void eofIsReset() {
      assertThat(kindOf(new EOFException())).isEqualTo(FailureKind.RESET);
    }

    @Test
    @DisplayName("a plain IOException is not trusted with network-only phrases")
    void plainIoExceptionNeedsASocketForNetworkPhrases() {
      // The phrase may be about anything; only a SocketException (or the cause) settles it.
      assertThat(kindOf(new IOException("Network is unreachable")))
          .isEqualTo(FailureKind.OTHER);
      assertThat(kindOf(chain(new IOException("java.net.SocketException: Network is unreachable"),
          new SocketException("Network is unreachable"))))
          .isEqualTo(FailureKind.NETWORK_UNREACHABLE);
    }
  }

  @Nested
  @DisplayName("a cancellation")
  class Cancellation {

    /** What the guard throws for a refused call: its diagnosis, REFUSED. */
    private DiagnosedConnectException diagnosedRefusal() {
      Diagnosis d = Diagnosis.of(Endpoint.of("127.0.0.1", 8080), FailureKind.REFUSED,
          RefusalCause.NO_LISTENER, Confidence.HIGH, "nothing listens on port 8080",
          "Start the service.", List.of(), Duration.ZERO);
      return new DiagnosedConnectException(d, new ConnectException("Connection refused"));
    }

    @Test
    @DisplayName("is CANCELED by type: CancellationException, InterruptedException,"
        + " ClosedByInterruptException, InterruptedIOException")
    void byType() {
      assertThat(kindOf(new CancellationException())).isEqualTo(FailureKind.CANCELED);
      assertThat(kindOf(new InterruptedException())).isEqualTo(FailureKind.CANCELED);
      assertThat(kindOf(new ClosedByInterruptException())).isEqualTo(FailureKind.CANCELED);
      assertThat(kindOf(new InterruptedIOException())).isEqualTo(FailureKind.CANCELED);
      assertThat(kindOf(new InterruptedIOException("interrupted")))
          .isEqualTo(FailureKind.CANCELED);
      // OkHttp's callTimeout cancels the call and reports it so.
      assertThat(kindOf(new InterruptedIOException("timeout"))).isEqualTo(FailureKind.CANCELED);
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"Canceled", "canceled"})
    @DisplayName("is CANCELED from OkHttp's IOException(\"Canceled\") and its DNS's \"canceled\"")
    void okHttpWording(String message) {
      assertThat(kindOf(new IOException(message))).isEqualTo(FailureKind.CANCELED);
    }

    @Test
    @DisplayName("is read from the exact wording only")
    void exactWordingOnly() {
      assertThat(kindOf(new IOException("Canceled by the user"))).isEqualTo(FailureKind.OTHER);
      assertThat(kindOf(new IOException("CANCELED"))).isEqualTo(FailureKind.OTHER);
      assertThat(kindOf(new SocketException("Canceled"))).isEqualTo(FailureKind.OTHER);
    }

    @Test
    @DisplayName("leaves timeouts alone: SocketTimeoutException and the JDK client's timeouts")
    void timeoutsStayTimeouts() {
      assertThat(kindOf(new SocketTimeoutException("timeout"))).isEqualTo(FailureKind.OTHER);
      assertThat(kindOf(new SocketTimeoutException("connect timed out")))
          .isEqualTo(FailureKind.CONNECT_TIMEOUT);
      assertThat(kindOf(new HttpConnectTimeoutException("HTTP connect timed out")))
          .isEqualTo(FailureKind.CONNECT_TIMEOUT);
      assertThat(kindOf(new HttpTimeoutException("request timed out")))
          .isEqualTo(FailureKind.OTHER);
    }

    @Test
    @DisplayName("outranks what it suppressed: the guard's diagnosed refusal under OkHttp's"
        + " IOException(\"Canceled\")")
    void outranksSuppressedDiagnosis() {
      assertThat(kindOf(withSuppressed(new IOException("Canceled"), diagnosedRefusal())))
          .isEqualTo(FailureKind.CANCELED);
      assertThat(kindOf(withSuppressed(new InterruptedIOException("interrupted"),
          diagnosedRefusal()))).isEqualTo(FailureKind.CANCELED);
      assertThat(kindOf(withSuppressed(new IOException("Canceled"),
          new ConnectException("Connection refused")))).isEqualTo(FailureKind.CANCELED);
    }

    @Test
    @DisplayName("outranks a refusal deeper in its chain: the outermost cancellation decides")
    void outranksDeeperRefusal() {
      assertThat(kindOf(chain(new IOException("Canceled"),
          new ConnectException("Connection refused")))).isEqualTo(FailureKind.CANCELED);
      assertThat(kindOf(chain(new InterruptedIOException("interrupted"),
          new ConnectException("Failed to connect to /127.0.0.1:8080"),
          new ConnectException("Connection refused")))).isEqualTo(FailureKind.CANCELED);
      assertThat(kindOf(new CompletionException(new CancellationException())))
          .isEqualTo(FailureKind.CANCELED);
    }

    @Test
    @DisplayName("under a bare ConnectException is CANCELED; under a refusal, the refusal decides")
    void belowConnectExceptions() {
      assertThat(kindOf(chain(new ConnectException(), new ClosedByInterruptException())))
          .isEqualTo(FailureKind.CANCELED);
      assertThat(kindOf(chain(new ConnectException("Connection refused"),
          new InterruptedIOException()))).isEqualTo(FailureKind.REFUSED);
    }

    @Test
    @DisplayName("suppressed under the primary failure does not override it")
    void suppressedCancellationLeavesThePrimary() {
      // The guard's form before an integration reports the cancellation its client's way.
      assertThat(kindOf(withSuppressed(diagnosedRefusal(), new CancellationException())))
          .isEqualTo(FailureKind.REFUSED);
    }
  }

  @Nested
  @DisplayName("an unavailable address family")
  class AddressFamily {

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"Protocol family unavailable", "IPv6 protocol family unavailable",
        "Address family not supported by protocol", "Protocol family not supported"})
    @DisplayName("is ADDRESS_FAMILY_UNAVAILABLE from a SocketException's strerror text")
    void socketException(String message) {
      assertThat(kindOf(new SocketException(message)))
          .isEqualTo(FailureKind.ADDRESS_FAMILY_UNAVAILABLE);
      assertThat(kindOf(new ConnectException(message)))
          .isEqualTo(FailureKind.ADDRESS_FAMILY_UNAVAILABLE);
    }

    @Test
    @DisplayName("is ADDRESS_FAMILY_UNAVAILABLE from UnsupportedAddressTypeException, also under"
        + " the JDK client's message-less ConnectExceptions")
    void unsupportedAddressType() {
      assertThat(kindOf(new UnsupportedAddressTypeException()))
          .isEqualTo(FailureKind.ADDRESS_FAMILY_UNAVAILABLE);
      assertThat(kindOf(chain(new ConnectException(), new ConnectException(),
          new UnsupportedAddressTypeException())))
          .isEqualTo(FailureKind.ADDRESS_FAMILY_UNAVAILABLE);
    }

    @Test
    @DisplayName("is not read from a plain IOException's words")
    void notFromAPlainWrapper() {
      assertThat(kindOf(new IOException("Address family not supported by protocol")))
          .isEqualTo(FailureKind.OTHER);
    }
  }

  @Nested
  @DisplayName("custom subclasses")
  class CustomSubclasses {

    static final class RefusedByMesh extends ConnectException {
      private static final long serialVersionUID = 1L;

      RefusedByMesh() {
        super("upstream connect error or disconnect/reset before headers");
      }
    }

    static final class DnsFailure extends UnknownHostException {
      private static final long serialVersionUID = 1L;

      DnsFailure(String host) {
        super(host + ": SERVFAIL");
      }
    }

    static final class SlowConnect extends SocketTimeoutException {
      private static final long serialVersionUID = 1L;

      SlowConnect() {
        super("Connect timed out after 250 ms");
      }
    }

    @Test
    @DisplayName("are classified as the JDK type they extend")
    void classifiedByTheirJdkType() {
      assertThat(kindOf(new RefusedByMesh())).isEqualTo(FailureKind.REFUSED);
      assertThat(kindOf(new DnsFailure("db"))).isEqualTo(FailureKind.UNKNOWN_HOST);
      assertThat(kindOf(new SlowConnect())).isEqualTo(FailureKind.CONNECT_TIMEOUT);
    }
  }

  @Nested
  @DisplayName("a chain of causes")
  class Chains {

    @Test
    @DisplayName("is searched through wrappers to the evidence")
    void searchedThroughWrappers() {
      Throwable wrapped = new CompletionException(new ExecutionException(
          new UncheckedIOException(new IOException("GET /orders",
              new ConnectException("Connection refused")))));

      assertThat(kindOf(wrapped)).isEqualTo(FailureKind.REFUSED);
    }

    @Test
    @DisplayName("reads the JDK client's message-less refusal as REFUSED")
    void jdkClientRefusal() {
      Throwable sync = chain(new ConnectException(), new ConnectException(),
          new ClosedChannelException());
      Throwable async = new CompletionException(sync.getCause());

      assertThat(kindOf(sync)).isEqualTo(FailureKind.REFUSED);
      assertThat(kindOf(async)).isEqualTo(FailureKind.REFUSED);
    }

    @Test
    @DisplayName("lets specific evidence below a bare ConnectException win")
    void specificEvidenceBelowABareConnectExceptionWins() {
      assertThat(kindOf(chain(new ConnectException(), new ConnectException(),
          new UnresolvedAddressException()))).isEqualTo(FailureKind.UNKNOWN_HOST);
      assertThat(kindOf(chain(new ConnectException("Failed to connect to /10.0.0.1:443"),
          new SocketTimeoutException("Connect timed out"))))
          .isEqualTo(FailureKind.CONNECT_TIMEOUT);
      assertThat(kindOf(chain(new ConnectException(), new BindException("Address in use"))))
          .isEqualTo(FailureKind.LOCAL_ADDRESS_UNAVAILABLE);
    }

    @Test
    @DisplayName("trusts typed evidence anywhere in the chain over a plain wrapper's words")
    void typedEvidenceOutranksWrapperMessages() {
      assertThat(kindOf(chain(new IOException("Connection reset by peer while retrying"),
          new UnknownHostException("db.internal")))).isEqualTo(FailureKind.UNKNOWN_HOST);
      assertThat(kindOf(chain(new IOException("Connection reset by peer while retrying"),
          new IllegalStateException("no evidence here")))).isEqualTo(FailureKind.RESET);
    }

    @Test
    @DisplayName("settles on the outermost strong evidence")
    void outermostStrongEvidenceWins() {
      assertThat(kindOf(chain(new HttpConnectTimeoutException("HTTP connect timed out"),
          new ConnectException("HTTP connect timed out"))))
          .isEqualTo(FailureKind.CONNECT_TIMEOUT);
      assertThat(kindOf(chain(new SocketTimeoutException("timeout"),
          new SocketException("Connection reset")))).isEqualTo(FailureKind.OTHER);
    }

    @ParameterizedTest(name = "host \"{0}\"")
    @ValueSource(strings = {"unreachable.example", "network-unreachable.internal",
        "timed-out.example", "no-route-to-host.example", "refused.example"})
    @DisplayName("is not fooled by a host name in OkHttp's wrapper message")
    void hostNameInWrapperMessage(String host) {
      Throwable okhttp = chain(new ConnectException("Failed to connect to " + host
          + "/10.0.0.1:80"), new ConnectException("Connection refused"));

      assertThat(kindOf(okhttp)).isEqualTo(FailureKind.REFUSED);
    }

    @Test
    @DisplayName("OkHttp's form: the route's OS exception under \"Failed to connect to\"")
    void okhttpForm() {
      assertThat(kindOf(chain(new ConnectException("Failed to connect to /127.0.0.1:8080"),
          new ConnectException("Connection refused")))).isEqualTo(FailureKind.REFUSED);
    }

    @Test
    @DisplayName("a 10,000-deep chain is walked to the evidence at its bottom")
    @Timeout(10)
    void tenThousandDeepWithEvidenceAtTheBottom() {
      Throwable deep = new ConnectException("Connection refused");
      for (int i = 0; i < 10_000; i++) {
        deep = new RuntimeException("layer " + i, deep);
      }
      assertThat(kindOf(deep)).isEqualTo(FailureKind.REFUSED);
    }

    @Test
    @DisplayName("a 10,000-deep chain with only weak evidence at the bottom is REFUSED")
    @Timeout(10)
    void tenThousandDeepWithWeakEvidence() {
      Throwable deep = chain(new ConnectException(), new ClosedChannelException());
      for (int i = 0; i < 10_000; i++) {
        deep = new IllegalStateException("layer " + i, deep);
      }
      assertThat(kindOf(deep)).isEqualTo(FailureKind.REFUSED);
    }

    @Test
    @DisplayName("a 10,000-deep chain with no evidence is OTHER")
    @Timeout(10)
    void tenThousandDeepWithoutEvidence() {
      Throwable deep = new IOException("bottom");
      for (int i = 0; i < 10_000; i++) {
        deep = new IOException("layer " + i, deep);
      }
      assertThat(kindOf(deep)).isEqualTo(FailureKind.OTHER);
    }

    @Test
    @DisplayName("a chain longer than the walk's budget is cut off, not followed to the end")
    @Timeout(10)
    void longerThanTheBudget() {
      Throwable deep = new ConnectException("Connection refused");
      for (int i = 0; i < 40_000; i++) {
        deep = new RuntimeException("layer " + i, deep);
      }
      assertThat(kindOf(deep)).isEqualTo(FailureKind.OTHER);
    }
  }

  @Nested
  @DisplayName("cycles")
  class Cycles {

    /** An exception whose cause can be set to anything, itself included. */
    static final class Loop extends IOException {
      private static final long serialVersionUID = 1L;
      Throwable next;

      Loop(String message) {
        super(message);
      }

      @Override
      public synchronized Throwable getCause() {
        return next;
      }
    }

    @Test
    @DisplayName("an exception that is its own cause is survived")
    @Timeout(5)
    void selfCause() {
      Loop self = new Loop("self");
      self.next = self;
      assertThat(kindOf(self)).isEqualTo(FailureKind.OTHER);

      Loop refused = new Loop("Connection refused");
      refused.next = refused;
      assertThat(kindOf(refused)).isEqualTo(FailureKind.REFUSED);
    }

    @Test
    @DisplayName("a two-exception cycle built with initCause is survived, evidence found")
    @Timeout(5)
    void twoCycleWithInitCause() {
      IOException a = new IOException("a");
      ConnectException b = new ConnectException();
      a.initCause(b);
      b.initCause(a);

      assertThat(kindOf(a)).isEqualTo(FailureKind.REFUSED);
      assertThat(kindOf(b)).isEqualTo(FailureKind.REFUSED);
    }

    @Test
    @DisplayName("a long cycle behind a long tail is survived and its evidence found")
    @Timeout(5)
    void longCycleBehindALongTail() {
      Loop head = new Loop("head");
      Loop node = head;
      for (int i = 0; i < 1_000; i++) {
        node.next = new Loop("tail " + i);
        node = (Loop) node.next;
      }
      Loop cycleStart = node;
      for (int i = 0; i < 1_000; i++) {
        node.next = new Loop("cycle " + i);
        node = (Loop) node.next;
      }
      node.next = cycleStart;
      assertThat(kindOf(head)).isEqualTo(FailureKind.OTHER);

      node.next = new Loop("Connection reset by peer");
      ((Loop) node.next).next = cycleStart;
      assertThat(kindOf(head)).isEqualTo(FailureKind.RESET);
    }

    @Test
    @DisplayName("exceptions suppressing each other are survived")
    @Timeout(5)
    void mutualSuppression() {
      IOException a = new IOException("a");
      IOException b = new IOException("b");
      a.addSuppressed(b);
      b.addSuppressed(a);
      assertThat(kindOf(a)).isEqualTo(FailureKind.OTHER);

      b.addSuppressed(new UnknownHostException("db"));
      assertThat(kindOf(a)).isEqualTo(FailureKind.UNKNOWN_HOST);
    }

    @Test
    @DisplayName("a cycle of causes where every exception suppresses the whole cycle is survived")
    @Timeout(10)
    void cycleOfSuppressingCauses() {
      List<Loop> ring = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        ring.add(new Loop("ring " + i));
      }
      for (int i = 0; i < ring.size(); i++) {
        ring.get(i).next = ring.get((i + 1) % ring.size());
        for (Loop other : ring) {
          if (other != ring.get(i)) {
            ring.get(i).addSuppressed(other);
          }
        }
      }
      assertThat(kindOf(ring.get(0))).isEqualTo(FailureKind.OTHER);
    }

    /** Without a stack trace, so the walk's cost, not the JVM's, is what the test sees. */
    static final class Endless extends RuntimeException {
      private static final long serialVersionUID = 1L;

      Endless() {
        super("endless", null, false, false);
      }

      @Override
      public synchronized Throwable getCause() {
        return new Endless();
      }
    }

    @Test
    @DisplayName("a getCause() that makes a new exception on every call is cut off")
    @Timeout(10)
    void endlessFreshCauses() {
      assertThat(kindOf(new Endless())).isEqualTo(FailureKind.OTHER);
    }
  }

  @Nested
  @DisplayName("suppressed exceptions")
  class Suppressed {

    @Test
    @DisplayName("are searched when the chain holds no evidence")
    void searchedWhenTheChainHasNone() {
      RuntimeException holder = withSuppressed(new RuntimeException("all attempts failed"),
          new IllegalStateException("attempt 1"), new ConnectException("Connection refused"));
      assertThat(kindOf(holder)).isEqualTo(FailureKind.REFUSED);
    }

    @Test
    @DisplayName("are searched on every exception of the chain, and through their own causes")
    void searchedAlongTheChainAndThroughCauses() {
      IOException middle = withSuppressed(new IOException("close failed"),
          new UncheckedIOException(new UnknownHostException("db.internal")));
      Throwable top = chain(new RuntimeException("call failed"), middle);

      assertThat(kindOf(top)).isEqualTo(FailureKind.UNKNOWN_HOST);
    }

    @Test
    @DisplayName("are followed two levels deep, and no deeper")
    void twoLevelsDeep() {
      Throwable evidence = new ConnectException("Connection refused");
      RuntimeException twoLevels = withSuppressed(new RuntimeException("top"),
          withSuppressed(new RuntimeException("level 1"), evidence));
      assertThat(kindOf(twoLevels))
          .as("evidence suppressed in a suppressed exception")
          .isEqualTo(FailureKind.REFUSED);

      RuntimeException threeLevels = withSuppressed(new RuntimeException("top"),
          withSuppressed(new RuntimeException("level 1"),
              withSuppressed(new RuntimeException("level 2"), evidence)));
      assertThat(kindOf(threeLevels))
          .as("evidence three levels of suppression down")
          .isEqualTo(FailureKind.OTHER);
    }

    @Test
    @DisplayName("do not override strong evidence in the chain (OkHttp's other routes)")
    void chainEvidenceWinsOverSuppressed() {
      Throwable firstRoute = chain(new ConnectException("Failed to connect to /[::1]:8080"),
          new ConnectException("Connection refused"));
      firstRoute.addSuppressed(new SocketTimeoutException("Connect timed out"));

      assertThat(kindOf(firstRoute)).isEqualTo(FailureKind.REFUSED);
    }

    @Test
    @DisplayName("do not override even a bare ConnectException in the chain")
    void bareConnectExceptionInTheChainWinsOverSuppressed() {
      // The suppressed exception is another attempt's failure, not this one's explanation.
      ConnectException primary = withSuppressed(new ConnectException(),
          new SocketTimeoutException("Connect timed out"));

      assertThat(kindOf(primary)).isEqualTo(FailureKind.REFUSED);
    }

    @Test
    @DisplayName("that are weak keep the answer weak: REFUSED")
    void suppressedOnlyWeak() {
      RuntimeException holder = withSuppressed(new RuntimeException(), new ConnectException());
      assertThat(kindOf(holder)).isEqualTo(FailureKind.REFUSED);
    }
  }

  @Nested
  @DisplayName("hostile exceptions")
  class Hostile {

    static final class ThrowingMessage extends ConnectException {
      private static final long serialVersionUID = 1L;

      @Override
      public String getMessage() {
        throw new IllegalStateException("getMessage() broke");
      }
    }

    static final class ThrowingSocketMessage extends SocketException {
      private static final long serialVersionUID = 1L;

      @Override
      public String getMessage() {
        throw new StackOverflowError("pretend");
      }
    }

    static final class ThrowingCause extends IOException {
      private static final long serialVersionUID = 1L;

      ThrowingCause(String message) {
        super(message);
      }

      @Override
      public synchronized Throwable getCause() {
        throw new UnsupportedOperationException("getCause() broke");
      }
    }

    @Test
    @DisplayName("a getMessage() that throws leaves the type to decide")
    void throwingGetMessage() {
      assertThatCode(() -> kindOf(new ThrowingMessage())).doesNotThrowAnyException();
      assertThat(kindOf(new ThrowingMessage())).isEqualTo(FailureKind.REFUSED);
      assertThat(kindOf(new ThrowingSocketMessage())).isEqualTo(FailureKind.OTHER);
    }

    @Test
    @DisplayName("a getMessage() that throws does not stop the walk to the cause")
    void throwingGetMessageDoesNotStopTheWalk() {
      Throwable t = chain(new ThrowingSocketMessage(), new UnknownHostException("db"));
      assertThat(kindOf(t)).isEqualTo(FailureKind.UNKNOWN_HOST);
    }

    @Test
    @DisplayName("a getCause() that throws ends the chain there")
    void throwingGetCause() {
      assertThat(kindOf(new ThrowingCause("Connection reset"))).isEqualTo(FailureKind.RESET);
      assertThat(kindOf(new ThrowingCause("wrapper"))).isEqualTo(FailureKind.OTHER);
      assertThat(kindOf(new CompletionException(new ThrowingCause("wrapper"))))
          .isEqualTo(FailureKind.OTHER);
    }

    @Test
    @DisplayName("a huge message is searched in its head only, at no allocation")
    @Timeout(10)
    void hugeMessages() {
      String filler = "x".repeat(10_000_000);
      assertThat(kindOf(new SocketException("Connection reset; " + filler)))
          .isEqualTo(FailureKind.RESET);
      assertThat(kindOf(new SocketException(filler + " Connection reset")))
          .as("evidence past the head")
          .isEqualTo(FailureKind.OTHER);
      assertThat(kindOf(new ConnectException(filler))).isEqualTo(FailureKind.REFUSED);
      assertThat(kindOf(new ConnectException("Connection timed out " + filler)))
          .isEqualTo(FailureKind.CONNECT_TIMEOUT);
    }

    @Test
    @DisplayName("a huge message on every exception of a deep chain stays bounded")
    @Timeout(20)
    void hugeMessagesAllTheWayDown() {
      String filler = "\u2603".repeat(100_000);
      Throwable deep = new IOException(filler);
      for (int i = 0; i < 2_000; i++) {
        deep = new IOException(filler, deep);
      }
      assertThat(kindOf(deep)).isEqualTo(FailureKind.OTHER);
    }

    @Test
    @DisplayName("never throws on 2,000 random graphs of hostile exceptions")
    @Timeout(60)
    void neverThrowsOnRandomGraphs() {
      Random random = new Random(20_240_601L);
      for (int graph = 0; graph < 2_000; graph++) {
        List<Throwable> nodes = new ArrayList<>();
        int size = 1 + random.nextInt(40);
        for (int i = 0; i < size; i++) {
          nodes.add(randomNode(random));
        }
        for (Throwable node : nodes) {
          if (node instanceof Cycles.Loop loop && random.nextInt(3) > 0) {
            loop.next = nodes.get(random.nextInt(size));
          }
          int suppressed = random.nextInt(3);
          for (int s = 0; s < suppressed; s++) {
            Throwable other = nodes.get(random.nextInt(size));
            if (other != node) {
              node.addSuppressed(other);
            }
          }
        }
        Throwable root = nodes.get(random.nextInt(size));
        assertThatCode(() -> assertThat(kindOf(root)).isNotNull())
            .as("graph %d", graph)
            .doesNotThrowAnyException();
      }
    }

    private Throwable randomNode(Random random) {
      List<Supplier<Throwable>> makers = List.of(
          () -> new Cycles.Loop("Connection refused"),
          () -> new Cycles.Loop("Connection reset"),
          () -> new Cycles.Loop(null),
          ThrowingMessage::new,
          ThrowingSocketMessage::new,
          () -> new ThrowingCause("Too many open files"),
          () -> new InterruptedIOException("timeout"),
          () -> new ConnectException(),
          () -> new SocketTimeoutException("Read timed out"),
          () -> new UnknownHostException("h"),
          () -> new IllegalStateException("x"));
      return makers.get(random.nextInt(makers.size())).get();
    }
  }

  @Nested
  @DisplayName("allocation")
  class Allocation {

    @Test
    @DisplayName("classifying the common forms allocates nothing")
    void commonFormsAllocateNothing() {
      java.lang.management.ThreadMXBean plain = ManagementFactory.getThreadMXBean();
      assumeTrue(plain instanceof com.sun.management.ThreadMXBean,
          "this JVM does not report per-thread allocation");
      com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) plain;
      assumeTrue(threads.isThreadAllocatedMemorySupported()
          && threads.isThreadAllocatedMemoryEnabled(), "per-thread allocation is not measured");

      Throwable[] forms = {
          new ConnectException("Connection refused"),
          chain(new ConnectException(), new ConnectException(), new ClosedChannelException()),
          chain(new ConnectException("Failed to connect to /127.0.0.1:8080"),
              new ConnectException("Connection refused")),
          new CompletionException(new UncheckedIOException(
              new IOException("GET /", new ConnectException("Connection refused")))),
          new SocketTimeoutException("Connect timed out"),
          new UnknownHostException("db"),
          new SocketException("Connection reset"),
          new IllegalStateException("not a network failure"),
          new IOException("Canceled"),
          new InterruptedIOException("interrupted"),
          new SocketException("Protocol family unavailable"),
      };
      int calls = 200_000;
      long sink = 0;
      for (int i = 0; i < calls; i++) {
        sink += kindOf(forms[i % forms.length]).ordinal();
      }

      long before = threads.getCurrentThreadAllocatedBytes();
      for (int i = 0; i < calls; i++) {
        sink += kindOf(forms[i % forms.length]).ordinal();
      }
      long allocated = threads.getCurrentThreadAllocatedBytes() - before;

      assertThat(sink).isPositive();
      // One allocated object per call would be several megabytes; the slack covers the
      // measurement itself.
      assertThat(allocated).as("bytes allocated by %d calls", calls).isLessThan(4_096);
    }
  }
}
