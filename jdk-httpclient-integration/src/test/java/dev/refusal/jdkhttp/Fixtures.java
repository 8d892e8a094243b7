package dev.refusal.jdkhttp;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.refusal.Diagnoser;
import dev.refusal.RefusalGuard;
import dev.refusal.RefusalListener;
import java.lang.reflect.InvocationTargetException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;

/** Guards, servers and requests the tests share. */
final class Fixtures {

  private Fixtures() {}

  /**
   * A guard with its own diagnoser (no diagnosis cached from another test) and waits of at most
   * 5 ms between attempts.
   */
  static RefusalGuard fastGuard(RefusalListener listener, int maxAttempts) {
    // The largest budget: on a loaded machine the default 500 ms can run out on a loopback
    // diagnosis, and tests compare confidences that a spent budget lowers.
    return RefusalGuard.builder()
        .diagnoser(Diagnoser.builder().budget(Duration.ofSeconds(10)).build())
        .listener(listener)
        .maxAttempts(maxAttempts)
        .backoff(Duration.ofMillis(5), 1.0, Duration.ofMillis(5))
        .build();
  }

  /**
   * A guard whose first wait is drawn between 0 and 60 s, long enough to act during it; tests
   * skip in the rare draw under {@link #MIN_USABLE_WAIT}.
   */
  static RefusalGuard slowGuard(RefusalListener listener) {
    return RefusalGuard.builder()
        .diagnoser(Diagnoser.builder().build())
        .listener(listener)
        .maxAttempts(3)
        .backoff(Duration.ofSeconds(60), 1.0, Duration.ofSeconds(60))
        .restartWindow(Duration.ofMinutes(5))
        .build();
  }

  /** The shortest drawn wait in which a test can act reliably. */
  static final Duration MIN_USABLE_WAIT = Duration.ofMillis(300);

  /** A WireMock server on {@code address} and {@code port} (0: any), not started. */
  static WireMockServer wireMock(String address, int port) {
    return new WireMockServer(options().bindAddress(address).port(port)
        .containerThreads(10).jettyAcceptors(1));
  }

  static URI uri(String host, int port, String path) {
    String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    return URI.create("http://" + h + ":" + port + path);
  }

  static HttpRequest get(String host, int port) {
    return HttpRequest.newBuilder(uri(host, port, "/")).build();
  }

  /** Closes a JDK 21+ client (stopping its selector thread); nothing to do on JDK 17. */
  static void closeIfPossible(HttpClient client) {
    try {
      HttpClient.class.getMethod("close").invoke(client);
    } catch (NoSuchMethodException e) {
      // JDK 17: the client stops when it is garbage collected.
    } catch (IllegalAccessException | InvocationTargetException e) {
      throw new AssertionError("close failed", e);
    }
  }
}
