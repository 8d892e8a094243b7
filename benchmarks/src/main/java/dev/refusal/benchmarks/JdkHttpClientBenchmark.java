package dev.refusal.benchmarks;

import com.sun.net.httpserver.HttpServer;
import dev.refusal.RefusalGuard;
import dev.refusal.jdkhttp.RefusalHttpClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
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
 * A GET against a local server (the JDK's {@code com.sun.net.httpserver} on 127.0.0.1, answering
 * two bytes over a kept-alive HTTP/1.1 connection, with TCP_NODELAY), through a plain JDK {@link HttpClient} and
 * through the same client wrapped by {@link RefusalHttpClient}, side by side in one run.
 *
 * <ul>
 *   <li>{@code plainSend} / {@code wrappedSend}: {@code send}, each in its own JVM, one after the
 *       other. Target: wrapped throughput at least 0.97 of plain.
 *   <li>{@code sideBySide}: the same two {@code send}s at the same time in one JVM, one thread
 *       each ({@code sideBySide:plain}, {@code sideBySide:wrapped}), so both meet the same load
 *       from whatever else the machine runs; on a shared machine this ratio is the one to read.
 *   <li>{@code asyncPlain} / {@code asyncWrapped}: {@code sendAsync(...).join()}. On a
 *       machine with two cores the JDK hands each completed exchange to a new thread (the common
 *       pool has one worker, so {@code CompletableFuture} starts a thread per task), which
 *       costs more than the exchange itself; plain and wrapped pay it alike.
 *   <li>{@code stubSend} / {@code stubWrapped}: {@code send} on a client that answers at once
 *       without a socket, alone and wrapped: the wrapper's own cost per call, in time and bytes.
 * </ul>
 *
 * <p>{@code benchmarks/run.sh}'s report pairs the one {@code plain*} method with the one {@code
 * wrapped*} method for its 0.97 check: {@code plainSend} and {@code wrappedSend}.
 *
 * <p>Warm-up is long (3 × 10 s) because each benchmark runs in a fresh JVM and the JDK client's
 * code takes that long to reach steady state.
 *
 * <p>The wrapper adds, per call, the endpoint parsed from the URI, its address resolved as the
 * JDK resolves it (a literal: parsed only), and the guard's breaker permission and success
 * bookkeeping; nothing else until a connect fails.
 *
 * <p>Run: {@code ./mvnw -B -q install -DskipTests && java -jar benchmarks/target/benchmarks.jar
 * JdkHttpClientBenchmark -prof gc -f 1 -wi 3 -i 5}.
 */
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 3, time = 10)
@Measurement(iterations = 5, time = 5)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class JdkHttpClientBenchmark {

  private static final byte[] BODY = "ok".getBytes(StandardCharsets.US_ASCII);

  private HttpServer server;
  private ExecutorService serverThreads;
  private HttpClient plain;
  private HttpClient wrapped;
  private HttpRequest request;
  private HttpClient stub;
  private HttpClient wrappedStub;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    // Without TCP_NODELAY the server's separate header and body writes meet the client's delayed
    // ACK, and every exchange waits 40 ms. Read once, when the server classes load.
    System.setProperty("sun.net.httpserver.nodelay", "true");
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 100);
    server.createContext("/", exchange -> {
      try (InputStream in = exchange.getRequestBody()) {
        in.readAllBytes();
      }
      exchange.sendResponseHeaders(200, BODY.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(BODY);
      }
    });
    serverThreads = Executors.newFixedThreadPool(2);
    server.setExecutor(serverThreads);
    server.start();
    // One client behind both: the same connection pool, so only the wrapper differs.
    plain = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    wrapped = RefusalHttpClient.wrap(plain, RefusalGuard.defaults());
    stub = new StubHttpClient();
    wrappedStub = RefusalHttpClient.wrap(stub, RefusalGuard.defaults());
    request = HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/orders")).build();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    server.stop(0);
    serverThreads.shutdownNow();
  }

  @Benchmark
  public String plainSend() throws IOException, InterruptedException {
    return plain.send(request, HttpResponse.BodyHandlers.ofString()).body();
  }

  @Benchmark
  public String wrappedSend() throws IOException, InterruptedException {
    return wrapped.send(request, HttpResponse.BodyHandlers.ofString()).body();
  }

  @Benchmark
  @Group("sideBySide")
  @GroupThreads(1)
  public String plain() throws IOException, InterruptedException {
    return plain.send(request, HttpResponse.BodyHandlers.ofString()).body();
  }

  @Benchmark
  @Group("sideBySide")
  @GroupThreads(1)
  public String wrapped() throws IOException, InterruptedException {
    return wrapped.send(request, HttpResponse.BodyHandlers.ofString()).body();
  }

  @Benchmark
  public String asyncPlain() {
    return plain.sendAsync(request, HttpResponse.BodyHandlers.ofString()).join().body();
  }

  @Benchmark
  public String asyncWrapped() {
    return wrapped.sendAsync(request, HttpResponse.BodyHandlers.ofString()).join().body();
  }

  @Benchmark
  public Object stubSend() throws IOException, InterruptedException {
    return stub.send(request, HttpResponse.BodyHandlers.discarding());
  }

  @Benchmark
  public Object stubWrapped() throws IOException, InterruptedException {
    return wrappedStub.send(request, HttpResponse.BodyHandlers.discarding());
  }
}
