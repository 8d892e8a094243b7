package dev.refusal.benchmarks;

import dev.refusal.RefusalGuard;
import dev.refusal.okhttp.RefusalOkHttp;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ServerSocketFactory;
import javax.net.SocketFactory;
import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.X509TrustManager;
import kotlin.jvm.functions.Function0;
import kotlin.reflect.KClass;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Authenticator;
import okhttp3.Cache;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.CertificatePinner;
import okhttp3.Connection;
import okhttp3.ConnectionPool;
import okhttp3.CookieJar;
import okhttp3.Dns;
import okhttp3.EventListener;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okio.Timeout;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What {@link RefusalOkHttp#install} costs an OkHttp client when nothing is wrong.
 *
 * <ul>
 *   <li>{@code plainGet} and {@code installedGet}: a keep-alive GET of a small body from a local
 *       MockWebServer on 127.0.0.1, with a plain client and with an installed one, in one run
 *       (target: installed throughput at least 0.97 of plain). Server and client share the
 *       machine's cores, so run nothing else beside it.
 *   <li>{@code sideBySide}: the same two GETs at the same time in one JVM, one thread each
 *       ({@code sideBySide:plain}, {@code sideBySide:installed}), so both meet the same load from
 *       whatever else the machine runs and the same JIT state; on a shared machine, where
 *       separate runs swing by 30% from one iteration to the next, this ratio is the one to
 *       read.
 *   <li>{@code stubChain} and {@code interceptorOnStubChain}: the interceptor's own work, around
 *       a stub chain whose {@code proceed} returns a prebuilt response, beside the stub chain
 *       alone (target: under 100 ns and 0 B/op). The stub call is reset before each operation,
 *       as a new call would be, so the per-call trace is attached every time; it keeps the tag and
 *       the listener as OkHttp's own call does, in a field.
 * </ul>
 *
 * <p>The GET benchmarks warm up for 4 s per iteration: OkHttp's and MockWebServer's code paths
 * take that long to settle under the JIT.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar OkHttpBenchmark -prof gc -f 1 -wi 3
 * -i 5}.
 */
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class OkHttpBenchmark {

  /** A MockWebServer that answers every request the same, and a plain and an installed client. */
  @State(Scope.Benchmark)
  public static class Http {
    MockWebServer server;
    OkHttpClient plain;
    OkHttpClient installed;
    Request request;

    @Setup(Level.Trial)
    public void start() throws IOException {
      server = new MockWebServer();
      server.setServerSocketFactory(new NoDelayServerSocketFactory());
      MockResponse answer = new MockResponse.Builder().body("{\"stock\":12}").build();
      server.setDispatcher(new Dispatcher() {
        @Override
        public MockResponse dispatch(RecordedRequest request) {
          return answer;
        }
      });
      server.start(InetAddress.getByName("127.0.0.1"), 0);
      request = new Request.Builder().url(server.url("/stock").newBuilder().host("127.0.0.1")
          .build()).build();
      plain = new OkHttpClient.Builder().build();
      installed = RefusalOkHttp.install(new OkHttpClient.Builder(), RefusalGuard.defaults())
          .build();
    }

    /** MockWebServer keeps every request it saw; let go of them between iterations. */
    @TearDown(Level.Iteration)
    public void forgetRequests() throws InterruptedException {
      while (server.takeRequest(0, TimeUnit.MILLISECONDS) != null) {
        // drained
      }
    }

    @TearDown(Level.Trial)
    public void stop() {
      for (OkHttpClient c : new OkHttpClient[] {plain, installed}) {
        c.dispatcher().executorService().shutdown();
        c.connectionPool().evictAll();
      }
      server.close();
    }

    static String get(OkHttpClient client, Request request) throws IOException {
      try (Response response = client.newCall(request).execute()) {
        return response.body().string();
      }
    }
  }

  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  @Warmup(iterations = 3, time = 4)
  @Measurement(iterations = 5, time = 2)
  public String plainGet(Http http) throws IOException {
    return Http.get(http.plain, http.request);
  }

  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  @Warmup(iterations = 3, time = 4)
  @Measurement(iterations = 5, time = 2)
  public String installedGet(Http http) throws IOException {
    return Http.get(http.installed, http.request);
  }

  @Benchmark
  @Group("sideBySide")
  @GroupThreads(1)
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  @Warmup(iterations = 3, time = 4)
  @Measurement(iterations = 5, time = 2)
  public String plain(Http http) throws IOException {
    return Http.get(http.plain, http.request);
  }

  @Benchmark
  @Group("sideBySide")
  @GroupThreads(1)
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  @Warmup(iterations = 3, time = 4)
  @Measurement(iterations = 5, time = 2)
  public String installed(Http http) throws IOException {
    return Http.get(http.installed, http.request);
  }

  /** The installed interceptor and a stub chain, one per thread. */
  @State(Scope.Thread)
  public static class Stub {
    Interceptor interceptor;
    StubCall call;
    StubChain chain;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
      List<Interceptor> interceptors = RefusalOkHttp.install(new OkHttpClient.Builder(),
          RefusalGuard.defaults()).interceptors();
      interceptor = interceptors.get(interceptors.size() - 1);
      Request request = new Request.Builder().url("http://orders.internal:8080/stock").build();
      Response response = new Response.Builder().request(request).protocol(Protocol.HTTP_1_1)
          .code(200).message("OK").build();
      call = new StubCall(request);
      chain = new StubChain(call, request, response);
      interceptor.intercept(chain);
    }
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public Response stubChain(Stub stub) throws IOException {
    stub.call.reset();
    return stub.chain.proceed(stub.chain.request());
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public Response interceptorOnStubChain(Stub stub) throws IOException {
    stub.call.reset();
    return stub.interceptor.intercept(stub.chain);
  }

  /**
   * Server sockets whose connections send at once (TCP_NODELAY). MockWebServer writes a
   * response's headers and body separately; with Nagle's algorithm on, the body then waits for
   * the client's delayed ACK, about 40 ms on Linux, and a benchmark would measure that wait.
   */
  static final class NoDelayServerSocketFactory extends ServerSocketFactory {
    @Override
    public ServerSocket createServerSocket() throws IOException {
      return new ServerSocket() {
        @Override
        public Socket accept() throws IOException {
          Socket socket = super.accept();
          socket.setTcpNoDelay(true);
          return socket;
        }
      };
    }

    @Override
    public ServerSocket createServerSocket(int port) throws IOException {
      throw new UnsupportedOperationException("MockWebServer binds an unbound socket");
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog) throws IOException {
      throw new UnsupportedOperationException("MockWebServer binds an unbound socket");
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog, InetAddress address)
        throws IOException {
      throw new UnsupportedOperationException("MockWebServer binds an unbound socket");
    }
  }

  /** A call that keeps one tag and one added listener in fields, as OkHttp's keeps them. */
  static final class StubCall implements Call {
    private final Request request;
    private final Timeout timeout = new Timeout();
    private Object tag;
    private EventListener listener;

    StubCall(Request request) {
      this.request = request;
    }

    /** Forgets the tag and listener, as a new call would not have them. */
    void reset() {
      tag = null;
      listener = null;
    }

    @Override
    public Request request() {
      return request;
    }

    @Override
    public Response execute() {
      throw new UnsupportedOperationException();
    }

    @Override
    public void enqueue(Callback callback) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void cancel() {}

    @Override
    public boolean isExecuted() {
      return true;
    }

    @Override
    public boolean isCanceled() {
      return false;
    }

    @Override
    public Timeout timeout() {
      return timeout;
    }

    @Override
    public void addEventListener(EventListener eventListener) {
      this.listener = eventListener;
    }

    @Override
    public <T> T tag(KClass<T> type) {
      throw new UnsupportedOperationException();
    }

    @Override
    public <T> T tag(Class<? extends T> type) {
      return null;
    }

    @Override
    public <T> T tag(KClass<T> type, Function0<? extends T> computeIfAbsent) {
      throw new UnsupportedOperationException();
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T tag(Class<T> type, Function0<? extends T> computeIfAbsent) {
      if (tag == null) {
        tag = computeIfAbsent.invoke();
      }
      return (T) tag;
    }

    @Override
    public Call clone() {
      throw new UnsupportedOperationException();
    }
  }

  /** A chain whose proceed returns a prebuilt response; everything else is OkHttp's default. */
  static final class StubChain implements Interceptor.Chain {
    private final Call call;
    private final Request request;
    private final Response response;

    StubChain(Call call, Request request, Response response) {
      this.call = call;
      this.request = request;
      this.response = response;
    }

    @Override
    public Request request() {
      return request;
    }

    @Override
    public Response proceed(Request request) {
      return response;
    }

    @Override
    public Connection connection() {
      return null;
    }

    @Override
    public Call call() {
      return call;
    }

    @Override
    public int connectTimeoutMillis() {
      return 10_000;
    }

    @Override
    public Interceptor.Chain withConnectTimeout(int timeout, TimeUnit unit) {
      return this;
    }

    @Override
    public int readTimeoutMillis() {
      return 10_000;
    }

    @Override
    public Interceptor.Chain withReadTimeout(int timeout, TimeUnit unit) {
      return this;
    }

    @Override
    public int writeTimeoutMillis() {
      return 10_000;
    }

    @Override
    public Interceptor.Chain withWriteTimeout(int timeout, TimeUnit unit) {
      return this;
    }

    @Override
    public boolean getFollowSslRedirects() {
      return true;
    }

    @Override
    public boolean getFollowRedirects() {
      return true;
    }

    @Override
    public Dns getDns() {
      return Dns.SYSTEM;
    }

    @Override
    public Interceptor.Chain withDns(Dns dns) {
      return this;
    }

    @Override
    public SocketFactory getSocketFactory() {
      return SocketFactory.getDefault();
    }

    @Override
    public Interceptor.Chain withSocketFactory(SocketFactory socketFactory) {
      return this;
    }

    @Override
    public boolean getRetryOnConnectionFailure() {
      return true;
    }

    @Override
    public Interceptor.Chain withRetryOnConnectionFailure(boolean retry) {
      return this;
    }

    @Override
    public Authenticator getAuthenticator() {
      return Authenticator.NONE;
    }

    @Override
    public Interceptor.Chain withAuthenticator(Authenticator authenticator) {
      return this;
    }

    @Override
    public CookieJar getCookieJar() {
      return CookieJar.NO_COOKIES;
    }

    @Override
    public Interceptor.Chain withCookieJar(CookieJar cookieJar) {
      return this;
    }

    @Override
    public Cache getCache() {
      return null;
    }

    @Override
    public Interceptor.Chain withCache(Cache cache) {
      return this;
    }

    @Override
    public Proxy getProxy() {
      return null;
    }

    @Override
    public Interceptor.Chain withProxy(Proxy proxy) {
      return this;
    }

    @Override
    public ProxySelector getProxySelector() {
      return ProxySelector.getDefault();
    }

    @Override
    public Interceptor.Chain withProxySelector(ProxySelector proxySelector) {
      return this;
    }

    @Override
    public Authenticator getProxyAuthenticator() {
      return Authenticator.NONE;
    }

    @Override
    public Interceptor.Chain withProxyAuthenticator(Authenticator authenticator) {
      return this;
    }

    @Override
    public SSLSocketFactory getSslSocketFactoryOrNull() {
      return null;
    }

    @Override
    public Interceptor.Chain withSslSocketFactory(SSLSocketFactory factory,
        X509TrustManager trustManager) {
      return this;
    }

    @Override
    public X509TrustManager getX509TrustManagerOrNull() {
      return null;
    }

    @Override
    public HostnameVerifier getHostnameVerifier() {
      return null;
    }

    @Override
    public Interceptor.Chain withHostnameVerifier(HostnameVerifier verifier) {
      return this;
    }

    @Override
    public CertificatePinner getCertificatePinner() {
      return CertificatePinner.DEFAULT;
    }

    @Override
    public Interceptor.Chain withCertificatePinner(CertificatePinner pinner) {
      return this;
    }

    @Override
    public ConnectionPool getConnectionPool() {
      return null;
    }

    @Override
    public Interceptor.Chain withConnectionPool(ConnectionPool pool) {
      return this;
    }

    @Override
    public EventListener getEventListener() {
      return EventListener.NONE;
    }
  }
}
