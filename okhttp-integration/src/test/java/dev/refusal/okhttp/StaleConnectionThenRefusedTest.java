package dev.refusal.okhttp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.refusal.Diagnosis;
import dev.refusal.FailureKind;
import dev.refusal.RefusalGuard;
import dev.refusal.testing.Loopback;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A POST sent on a pooled keep-alive connection that the server then closes without answering,
 * after the service stopped listening: OkHttp retries on a fresh connection and is refused. The
 * last failure is a refusal, yet the request reached the server once, so the diagnosis must say
 * it may have been sent. The server is a raw loopback socket, so each step happens in order:
 * answer the first request, read the second whole, stop listening, close the connection.
 */
@DisplayName("A POST on a stale keep-alive connection, then refused on OkHttp's retry")
@Timeout(30)
class StaleConnectionThenRefusedTest {

  private final Clients clients = new Clients();
  private final GuardEvents events = new GuardEvents();
  private final RefusalGuard guard = RefusalGuard.builder().listener(events).maxAttempts(3)
      .backoff(Duration.ofMillis(10), 1.0, Duration.ofMillis(10)).build();

  @AfterEach
  void stop() {
    clients.close();
    guard.close();
  }

  @Test
  @DisplayName("is not retried, and its diagnosis says the request may have been sent")
  void requestMayHaveBeenSent() throws Exception {
    try (ServerSocket listener = new ServerSocket()) {
      listener.bind(new InetSocketAddress(Loopback.V4, 0), 10);
      AtomicInteger requests = new AtomicInteger();
      CompletableFuture<Void> served = CompletableFuture.runAsync(() -> serve(listener, requests));
      OkHttpClient client = clients.build(RefusalOkHttp.install(Clients.builder(), guard));
      String url = "http://127.0.0.1:" + listener.getLocalPort() + "/orders";

      assertThat(Clients.body(client, Clients.post(url, "first"))).isEqualTo("ok");
      IOException failure = Clients.failure(client, Clients.post(url, "pay 10 EUR"));
      served.get(10, TimeUnit.SECONDS);

      assertThat(requests).hasValue(2);
      // The failure itself is a refused connect: that is a fact of the failure...
      assertThat(FailureKind.of(failure)).isEqualTo(FailureKind.REFUSED);
      // ...but the call had written the request before: never resend it blindly.
      Diagnosis d = Diagnosis.find(failure).orElseThrow();
      assertThat(d.requestMayHaveBeenSent()).isTrue();
      assertThat(failure).hasMessageContaining("may have reached a server");
      assertThat(events.failedAttempts()).isEqualTo(1);
    }
  }

  @Test
  @DisplayName("a plain refusal says no request was sent")
  void plainRefusalWasNotSent() {
    OkHttpClient client = clients.build(RefusalOkHttp.install(Clients.builder(), guard));
    IOException failure = Clients.failure(client,
        Clients.post("http://127.0.0.1:" + Loopback.closedPort(Loopback.V4) + "/", "x"));

    assertThat(Diagnosis.find(failure).orElseThrow().requestMayHaveBeenSent()).isFalse();
  }

  /** Answers one request keep-alive, reads the next, stops listening, then drops the connection. */
  private static void serve(ServerSocket listener, AtomicInteger requests) {
    try (Socket connection = listener.accept()) {
      connection.setSoTimeout(10_000);
      InputStream in = connection.getInputStream();
      OutputStream out = connection.getOutputStream();
      readRequest(in);
      requests.incrementAndGet();
      out.write(("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      readRequest(in);
      requests.incrementAndGet();
      listener.close();
    } catch (IOException e) {
      throw new IllegalStateException("the test server failed", e);
    }
  }

  /** Reads one request: its headers, then as many body bytes as Content-Length says. */
  private static void readRequest(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("the client closed before a whole request");
      }
      head.write(b);
      matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    int length = 0;
    for (String line : head.toString(StandardCharsets.US_ASCII).split("\r\n")) {
      if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    if (in.readNBytes(length).length != length) {
      throw new IOException("the client closed before the whole body");
    }
  }
}
