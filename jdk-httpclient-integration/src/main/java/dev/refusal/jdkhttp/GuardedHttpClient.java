package dev.refusal.jdkhttp;

import dev.refusal.CallOptions;
import dev.refusal.Endpoint;
import dev.refusal.RefusalGuard;
import java.io.IOException;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.PushPromiseHandler;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * The client {@link RefusalHttpClient#wrap} returns: {@code send} and {@code sendAsync} run under
 * the guard, every other method is the delegate's.
 *
 * <p>Every public method of {@link HttpClient} is declared here, those of JDK 21 and later
 * included (a test checks this against the running JDK): a method inherited instead would run
 * {@code HttpClient}'s default on the wrapper and never reach the delegate.
 */
final class GuardedHttpClient extends HttpClient {

  /** The longest deadline {@link CallOptions#deadline} takes; a longer timeout bounds nothing. */
  private static final Duration MAX_DEADLINE = Duration.ofDays(365);

  private final HttpClient delegate;
  private final RefusalGuard guard;
  /** The delegate's proxy selector, or null when it has none. */
  private final ProxySelector proxySelector;
  /** Where {@code sendAsync} resolves host names. */
  private final Executor resolverExecutor;

  GuardedHttpClient(HttpClient delegate, RefusalGuard guard) {
    this.delegate = delegate;
    this.guard = guard;
    this.proxySelector = delegate.proxy().orElse(null);
    this.resolverExecutor = delegate.executor().orElse(null);
  }

  RefusalGuard guard() {
    return guard;
  }

  // ------------------------------------------------------------------ guarded

  @Override
  public <T> HttpResponse<T> send(HttpRequest request, BodyHandler<T> responseBodyHandler)
      throws IOException, InterruptedException {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(responseBodyHandler, "responseBodyHandler");
    Endpoint target = target(request.uri());
    if (target == null) {
      return delegate.send(request, responseBodyHandler);
    }
    try {
      return guard.call(resolved(target), () -> delegate.send(request, responseBodyHandler),
          options(request));
    } catch (IOException e) {
      if (Failures.interruptedWhileWaiting(e)) {
        throw Failures.interrupted(e);
      }
      throw Failures.translate(e);
    } catch (InterruptedException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      // HttpClient.send declares nothing else; a delegate that throws it anyway keeps it here.
      throw new IOException(e);
    }
  }

  @Override
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request,
      BodyHandler<T> responseBodyHandler) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(responseBodyHandler, "responseBodyHandler");
    Endpoint target = target(request.uri());
    if (target == null) {
      return delegate.sendAsync(request, responseBodyHandler);
    }
    return sendAsync(target, request,
        () -> delegate.sendAsync(request, responseBodyHandler));
  }

  @Override
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request,
      BodyHandler<T> responseBodyHandler, PushPromiseHandler<T> pushPromiseHandler) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(responseBodyHandler, "responseBodyHandler");
    Endpoint target = target(request.uri());
    if (target == null) {
      return delegate.sendAsync(request, responseBodyHandler, pushPromiseHandler);
    }
    return sendAsync(target, request,
        () -> delegate.sendAsync(request, responseBodyHandler, pushPromiseHandler));
  }

  private <T> CompletableFuture<HttpResponse<T>> sendAsync(Endpoint target, HttpRequest request,
      Supplier<CompletableFuture<HttpResponse<T>>> attempt) {
    AsyncCall<T> call = new AsyncCall<>(guard, attempt, options(request));
    if (target.isIpLiteral() || target.proxy().isPresent()) {
      // Nothing to look up: "resolving" a literal only parses it.
      call.start(resolved(target));
      return call.result();
    }
    // A name may need a DNS query, which must not block the caller of an asynchronous method;
    // the JDK client resolves on its executor too.
    Runnable start = () -> call.start(resolved(target));
    try {
      (resolverExecutor != null ? resolverExecutor : Resolvers.POOL).execute(start);
    } catch (RejectedExecutionException e) {
      start.run();
    }
    return call.result();
  }

  /**
   * The endpoint the JDK dials for {@code uri}: the request's host and port, or, when the client's
   * proxy selector picks an HTTP proxy for it, the same with that proxy. Null when the URI names
   * no endpoint this library can parse; such a request goes to the delegate unguarded.
   */
  Endpoint target(URI uri) {
    Endpoint endpoint;
    try {
      endpoint = Endpoint.of(uri);
    } catch (IllegalArgumentException e) {
      return null;
    }
    Proxy proxy = proxyFor(uri);
    return proxy == null ? endpoint : endpoint.withProxy(proxy);
  }

  /** The proxy the JDK client uses for {@code uri}: the selector's first choice, if HTTP. */
  private Proxy proxyFor(URI uri) {
    if (proxySelector == null) {
      return null;
    }
    try {
      List<Proxy> proxies = proxySelector.select(uri);
      Proxy first = proxies == null || proxies.isEmpty() ? null : proxies.get(0);
      return first != null && first.type() == Proxy.Type.HTTP ? first : null;
    } catch (RuntimeException e) {
      // The JDK fails the request itself when its selector throws; the guard sees that.
      return null;
    }
  }

  /**
   * {@code endpoint} with the address the JDK client will dial: the first that {@link
   * InetAddress#getAllByName} gives, which is what {@code new InetSocketAddress(host, port)}
   * takes. Unchanged when the connection goes through a proxy (the proxy is dialled, not the
   * host) or when the name does not resolve (the JDK will then fail with an unresolved address,
   * and the diagnosis says so).
   */
  static Endpoint resolved(Endpoint endpoint) {
    if (endpoint.proxy().isPresent()) {
      return endpoint;
    }
    try {
      InetAddress[] all = InetAddress.getAllByName(endpoint.host());
      return endpoint.withAddress(new InetSocketAddress(all[0], endpoint.port()));
    } catch (UnknownHostException | RuntimeException e) {
      return endpoint;
    }
  }

  /** The guard's options for {@code request}: its timeout, if any, as the retries' deadline. */
  static CallOptions options(HttpRequest request) {
    Optional<Duration> timeout = request.timeout();
    if (timeout.isEmpty() || timeout.get().compareTo(MAX_DEADLINE) > 0) {
      // No timeout, or one so long that no retry wait could outlast it.
      return CallOptions.DEFAULTS;
    }
    return CallOptions.DEFAULTS.deadline(timeout.get());
  }


  // ------------------------------------------------------------------ delegated

  @Override
  public Optional<CookieHandler> cookieHandler() {
    return delegate.cookieHandler();
  }

  @Override
  public Optional<Duration> connectTimeout() {
    return delegate.connectTimeout();
  }

  @Override
  public Redirect followRedirects() {
    return delegate.followRedirects();
  }

  @Override
  public Optional<ProxySelector> proxy() {
    return delegate.proxy();
  }

  @Override
  public SSLContext sslContext() {
    return delegate.sslContext();
  }

  @Override
  public SSLParameters sslParameters() {
    return delegate.sslParameters();
  }

  @Override
  public Optional<Authenticator> authenticator() {
    return delegate.authenticator();
  }

  @Override
  public Version version() {
    return delegate.version();
  }

  @Override
  public Optional<Executor> executor() {
    return delegate.executor();
  }

  @Override
  public WebSocket.Builder newWebSocketBuilder() {
    return delegate.newWebSocketBuilder();
  }

  // JDK 21 added these five to HttpClient. Compiled for Java 17 they cannot say @Override, but on
  // JDK 21 and later they override HttpClient's defaults (which would leave the delegate and its
  // selector thread running) and reach the delegate's own. Before JDK 21 nothing can call them
  // through an HttpClient; called directly, they do what JDK 21's defaults do.

  /** Closes the delegate (JDK 21 and later); see {@code HttpClient.close()}. */
  public void close() {
    TerminationMethods.close(delegate);
  }

  /** Starts an orderly shutdown of the delegate (JDK 21 and later). */
  public void shutdown() {
    TerminationMethods.shutdown(delegate);
  }

  /** Shuts the delegate down at once (JDK 21 and later). */
  public void shutdownNow() {
    TerminationMethods.shutdownNow(delegate);
  }

  /** Waits for the delegate to terminate (JDK 21 and later). */
  public boolean awaitTermination(Duration duration) throws InterruptedException {
    return TerminationMethods.awaitTermination(delegate, duration);
  }

  /** Whether the delegate has terminated (JDK 21 and later). */
  public boolean isTerminated() {
    return TerminationMethods.isTerminated(delegate);
  }

  @Override
  public String toString() {
    return "RefusalHttpClient(" + delegate + ")";
  }
}
