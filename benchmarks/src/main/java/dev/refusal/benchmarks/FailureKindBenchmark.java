package dev.refusal.benchmarks;

import dev.refusal.FailureKind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What {@link FailureKind#of(Throwable)} costs on the refusals real clients throw, against a plain
 * {@code instanceof ConnectException} as the baseline. Every exception is captured once, in
 * {@code @Setup}, from a real connect to a closed loopback port.
 *
 * <ul>
 *   <li>{@code socket}: {@code Socket.connect}'s {@code ConnectException: Connection refused}.
 *   <li>{@code wrapped}: that exception under three wrappers, as an async call site sees it:
 *       {@code CompletionException <- UncheckedIOException <- IOException("GET ...")}.
 *   <li>{@code okhttp}: OkHttp 5's {@code ConnectException: Failed to connect to /127.0.0.1:port
 *       <- ConnectException: Connection refused}.
 *   <li>{@code jdkHttpClient}: {@code HttpClient.send}'s message-less {@code ConnectException <-
 *       ConnectException <- ClosedChannelException}, which has to be walked to its end, suppressed
 *       exceptions included.
 *   <li>{@code mixed}: the four in turn, so the call site sees every shape.
 * </ul>
 *
 * <p>Run (from the repository root):
 *
 * <pre>
 * ./mvnw -B -q install -DskipTests
 * java -jar benchmarks/target/benchmarks.jar FailureKindBenchmark -f 1 -wi 3 -i 5 -w 1 -r 1 -prof gc
 * </pre>
 *
 * <p>Target: under 50 ns/op and 0 B/op ({@code gc.alloc.rate.norm}) for every shape.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class FailureKindBenchmark {

  @Param({"socket", "wrapped", "okhttp", "jdkHttpClient", "mixed"})
  public String shape;

  private Throwable[] failures;
  private int next;

  @Setup(Level.Trial)
  public void captureRealFailures() throws Exception {
    int port = closedLoopbackPort();
    Throwable socket = socketRefusal(port);
    Throwable wrapped = new CompletionException(new UncheckedIOException(
        new IOException("GET http://127.0.0.1:" + port + "/orders failed", socket)));
    Throwable okhttp = okHttpRefusal(port);
    Throwable jdkHttpClient = httpClientRefusal(port);

    failures = switch (shape) {
      case "socket" -> new Throwable[] {socket};
      case "wrapped" -> new Throwable[] {wrapped};
      case "okhttp" -> new Throwable[] {okhttp};
      case "jdkHttpClient" -> new Throwable[] {jdkHttpClient};
      case "mixed" -> new Throwable[] {socket, wrapped, okhttp, jdkHttpClient};
      default -> throw new IllegalArgumentException("unknown shape " + shape);
    };
    for (Throwable failure : failures) {
      if (FailureKind.of(failure) != FailureKind.REFUSED) {
        throw new IllegalStateException("captured failure is not a refusal: " + failure, failure);
      }
    }
  }

  private Throwable nextFailure() {
    Throwable[] f = failures;
    int i = next;
    next = i + 1 == f.length ? 0 : i + 1;
    return f[i];
  }

  /** The baseline: the check people write by hand, which misses most of these shapes' causes. */
  @Benchmark
  public boolean instanceofBaseline() {
    return nextFailure() instanceof ConnectException;
  }

  @Benchmark
  public FailureKind classify() {
    return FailureKind.of(nextFailure());
  }

  private static int closedLoopbackPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static Throwable socketRefusal(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
    } catch (IOException e) {
      return e;
    }
    throw new IllegalStateException("connect to closed port " + port + " succeeded");
  }

  private static Throwable okHttpRefusal(int port) {
    OkHttpClient client = new OkHttpClient.Builder().connectTimeout(Duration.ofSeconds(5)).build();
    Request request = new Request.Builder().url("http://127.0.0.1:" + port + "/").build();
    try (Response response = client.newCall(request).execute()) {
      throw new IllegalStateException(
          "OkHttp call to closed port " + port + " answered " + response.code());
    } catch (IOException e) {
      return e;
    } finally {
      client.dispatcher().executorService().shutdown();
      client.connectionPool().evictAll();
    }
  }

  private static Throwable httpClientRefusal(int port) throws InterruptedException {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build();
    try {
      client.send(request, HttpResponse.BodyHandlers.discarding());
    } catch (IOException e) {
      return e;
    } finally {
      // HttpClient is AutoCloseable from JDK 21; on 17 its selector thread ends once unreachable.
      if (client instanceof AutoCloseable closeable) {
        try {
          closeable.close();
        } catch (Exception ignored) {
          // The failure is already captured; a client that will not close does not change it.
        }
      }
    }
    throw new IllegalStateException("HttpClient call to closed port " + port + " succeeded");
  }
}
