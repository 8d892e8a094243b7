package dev.refusal.jdkhttp;

import dev.refusal.DiagnosedConnectException;
import dev.refusal.RefusalGuard;
import java.net.http.HttpClient;
import java.util.Objects;

/**
 * Adds refusal diagnosis and cause-driven retries to a JDK {@link HttpClient}.
 *
 * <pre>{@code
 * HttpClient client = RefusalHttpClient.wrap(HttpClient.newHttpClient(), RefusalGuard.defaults());
 * }</pre>
 *
 * <p>The client {@link #wrap} returns hands every call to the client it wraps. Only {@code send}
 * and both {@code sendAsync} run under the guard:
 *
 * <ul>
 *   <li><b>Diagnosed failures.</b> The JDK reports a refused connect as a {@link
 *       java.net.ConnectException} with no message and no address. The wrapper throws a {@link
 *       DiagnosedConnectException} instead (still a {@code ConnectException}), whose message names
 *       the endpoint, the address dialled, the cause and the remedy, and whose cause is the JDK's
 *       exception. A connect timeout stays an {@link java.net.http.HttpConnectTimeoutException},
 *       as the JDK documents, its message followed by the diagnosis and its cause the JDK's
 *       exception; it is a timeout, never reported as a refusal. {@link
 *       dev.refusal.Diagnosis#find} finds the diagnosis on either. Failures that are not connect
 *       failures reach the caller untouched.
 *   <li><b>Retries by cause.</b> A failure in the connect phase sent no request byte, so it is
 *       retried for every method, POST included, when the diagnosis says waiting can help (a
 *       service that is down or restarting), and fails at once with the remedy when it is a
 *       misconfiguration. A failure after the request was sent is never retried. A request's
 *       {@linkplain java.net.http.HttpRequest#timeout() timeout}, when it has one, is also the
 *       deadline of the retries: no retry starts once it has passed.
 *   <li><b>Waiting.</b> {@code sendAsync} waits between attempts on a scheduler and never blocks
 *       a thread; cancelling the future it returned ends the wait (no further attempt is made)
 *       and cancels an attempt in flight. {@code send} waits on the calling thread; an interrupt
 *       ends the wait with an {@link InterruptedException} whose cause is the last failure,
 *       diagnosed, and the thread's interrupt flag is left set, so the interrupt is not lost
 *       even where a caller swallows the exception. An interrupt during an attempt is handled
 *       by the JDK, as without the wrapper.
 *   <li><b>Request bodies.</b> Each retry sends the same {@link java.net.http.HttpRequest}
 *       again, so its body publisher is subscribed again. The JDK subscribes to a body publisher
 *       only once the connection is established, so an attempt that failed to connect never
 *       read it, and a publisher that can be subscribed only once (a {@code
 *       BodyPublishers.fromPublisher} over a one-shot stream, a {@code BodyPublishers
 *       .ofInputStream} whose supplier returns the same stream) is read exactly once even when
 *       the connect is retried. Since no request is retried after its body was sent, none is
 *       read twice.
 * </ul>
 *
 * <p><b>The address diagnosed.</b> The JDK does not say which address it dialled. The wrapper
 * resolves the request's host as the JDK client does, taking the first address {@link
 * java.net.InetAddress#getAllByName} returns (through the JVM's address cache), and the diagnosis
 * probes that address. The JDK client dials that one address only: it does not fall back to the
 * host's other addresses and does no Happy Eyeballs. So where another address of the host
 * accepts (a service bound to {@code ::1} while {@code localhost} resolves to {@code 127.0.0.1}
 * first), the diagnosis says so, says that the JDK client does not try it, and names the fix:
 * bind the service to both address families, or prefer the other family with {@code
 * -Djava.net.preferIPv6Addresses=true}. When the client has a proxy selector and it picks an
 * HTTP proxy for the request, the proxy is what the JDK dials, and a refusal is diagnosed as the
 * proxy's. {@code sendAsync} resolves a host name on the client's executor (or on a shared
 * daemon thread when it has none), never on the calling thread.
 *
 * <p><b>The JDK's own connect retry.</b> JDK 17 to 25 retry a refused connect once by
 * themselves, at once and on a channel already closed, which is why their {@code
 * ConnectException} has no message and a {@link java.nio.channels.ClosedChannelException} as its
 * root cause; {@code -Djdk.httpclient.disableRetryConnect=true} turns that off, and some JDK
 * builds drop it. One {@code send} is one attempt for the guard either way: classification,
 * attempt counts and the breaker do not change, only the number of SYNs each attempt sends (two,
 * or one).
 *
 * <p><b>Everything else.</b> Every other method ({@code connectTimeout()}, {@code proxy()},
 * {@code sslContext()}, {@code executor()}, {@code version()}, {@code newWebSocketBuilder()}, …)
 * returns what the wrapped client's does. On JDK 21 and later, {@code close()}, {@code
 * shutdown()}, {@code shutdownNow()}, {@code awaitTermination(Duration)} and {@code
 * isTerminated()} reach the wrapped client too, although this library is built for Java 17:
 * closing the wrapper closes the client it wraps. WebSocket connections do not pass through the
 * guard.
 *
 * <p>This class is not instantiable.
 */
public final class RefusalHttpClient {

  private RefusalHttpClient() {}

  /**
   * Returns a client that sends through {@code client} under {@code guard}. Share one wrapper as
   * you would share the client; it keeps no state of its own beyond the two it was given.
   * Wrapping a client already wrapped with the same guard returns it unchanged; wrapping it with
   * another guard nests the guards, which multiplies their retries.
   *
   * @param client the client every call goes to
   * @param guard the guard that decides retries and keeps each endpoint's circuit
   * @return a thread-safe client
   * @throws NullPointerException if an argument is null
   */
  public static HttpClient wrap(HttpClient client, RefusalGuard guard) {
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(guard, "guard");
    if (client instanceof GuardedHttpClient && ((GuardedHttpClient) client).guard() == guard) {
      return client;
    }
    return new GuardedHttpClient(client, guard);
  }
}
