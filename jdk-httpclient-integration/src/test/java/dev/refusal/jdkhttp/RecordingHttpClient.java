package dev.refusal.jdkhttp;

import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.CookieManager;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;

/**
 * An {@link HttpClient} that records each call with its arguments and answers with values of its
 * own (none of them a default), so a test can tell that a call reached it and that its answer
 * came back. It declares every public method of {@code HttpClient} up to JDK 25; the JDK 21 ones
 * without {@code @Override}, since tests compile for Java 17 too.
 */
class RecordingHttpClient extends HttpClient {

  /** One call: the method's name and its arguments. */
  record Call(String method, List<Object> arguments) {
    @Override
    public String toString() {
      return method + arguments;
    }
  }

  private final List<Call> calls = new ArrayList<>();
  private Object lastAnswer;

  final CookieHandler cookieHandler = new CookieManager();
  final Duration connectTimeout = Duration.ofMillis(4321);
  final ProxySelector proxySelector = ProxySelector.of(new InetSocketAddress("127.0.0.1", 9));
  final SSLContext sslContext = newSslContext();
  final SSLParameters sslParameters = new SSLParameters(new String[] {"TLS_AES_128_GCM_SHA256"});
  final Authenticator authenticator = new Authenticator() {};
  final Executor executor = Runnable::run;
  final WebSocket.Builder webSocketBuilder = (WebSocket.Builder) java.lang.reflect.Proxy
      .newProxyInstance(getClass().getClassLoader(), new Class<?>[] {WebSocket.Builder.class},
          (proxy, method, args) -> {
            switch (method.getName()) {
              case "equals":
                return proxy == args[0];
              case "hashCode":
                return System.identityHashCode(proxy);
              case "toString":
                return "a stand-in WebSocket.Builder";
              default:
                throw new UnsupportedOperationException("a stand-in");
            }
          });
  final HttpResponse<Object> response = new StubResponse();

  synchronized List<Call> calls() {
    return List.copyOf(calls);
  }

  synchronized Object lastAnswer() {
    return lastAnswer;
  }

  synchronized void forget() {
    calls.clear();
    lastAnswer = null;
  }

  private synchronized <T> T record(T answer, String method, Object... arguments) {
    calls.add(new Call(method, Arrays.asList(arguments)));
    lastAnswer = answer;
    return answer;
  }

  @Override
  public Optional<CookieHandler> cookieHandler() {
    return record(Optional.of(cookieHandler), "cookieHandler");
  }

  @Override
  public Optional<Duration> connectTimeout() {
    return record(Optional.of(connectTimeout), "connectTimeout");
  }

  @Override
  public Redirect followRedirects() {
    return record(Redirect.ALWAYS, "followRedirects");
  }

  @Override
  public Optional<ProxySelector> proxy() {
    return record(Optional.of(proxySelector), "proxy");
  }

  @Override
  public SSLContext sslContext() {
    return record(sslContext, "sslContext");
  }

  @Override
  public SSLParameters sslParameters() {
    return record(sslParameters, "sslParameters");
  }

  @Override
  public Optional<Authenticator> authenticator() {
    return record(Optional.of(authenticator), "authenticator");
  }

  @Override
  public Version version() {
    return record(Version.HTTP_1_1, "version");
  }

  @Override
  public Optional<Executor> executor() {
    return record(Optional.of(executor), "executor");
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> HttpResponse<T> send(HttpRequest request,
      HttpResponse.BodyHandler<T> responseBodyHandler) {
    return record((HttpResponse<T>) response, "send", request, responseBodyHandler);
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request,
      HttpResponse.BodyHandler<T> responseBodyHandler) {
    return record(CompletableFuture.completedFuture((HttpResponse<T>) response), "sendAsync",
        request, responseBodyHandler);
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request,
      HttpResponse.BodyHandler<T> responseBodyHandler,
      HttpResponse.PushPromiseHandler<T> pushPromiseHandler) {
    return record(CompletableFuture.completedFuture((HttpResponse<T>) response), "sendAsync",
        request, responseBodyHandler, pushPromiseHandler);
  }

  @Override
  public WebSocket.Builder newWebSocketBuilder() {
    return record(webSocketBuilder, "newWebSocketBuilder");
  }

  // JDK 21's methods.

  public void close() {
    record(null, "close");
  }

  public void shutdown() {
    record(null, "shutdown");
  }

  public void shutdownNow() {
    record(null, "shutdownNow");
  }

  public boolean awaitTermination(Duration duration) {
    // Not HttpClient's default (true): an answer only the delegate gives.
    return record(Boolean.FALSE, "awaitTermination", duration);
  }

  public boolean isTerminated() {
    return record(Boolean.TRUE, "isTerminated");
  }

  private static SSLContext newSslContext() {
    try {
      return SSLContext.getInstance("TLSv1.3");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  /** A response that no real exchange made. */
  private static final class StubResponse implements HttpResponse<Object> {
    @Override
    public int statusCode() {
      return 299;
    }

    @Override
    public HttpRequest request() {
      return HttpRequest.newBuilder(URI.create("http://127.0.0.1:9/")).build();
    }

    @Override
    public Optional<HttpResponse<Object>> previousResponse() {
      return Optional.empty();
    }

    @Override
    public HttpHeaders headers() {
      return HttpHeaders.of(Map.of(), (name, value) -> true);
    }

    @Override
    public Object body() {
      return "stub";
    }

    @Override
    public Optional<SSLSession> sslSession() {
      return Optional.empty();
    }

    @Override
    public URI uri() {
      return URI.create("http://127.0.0.1:9/");
    }

    @Override
    public HttpClient.Version version() {
      return HttpClient.Version.HTTP_1_1;
    }
  }
}
