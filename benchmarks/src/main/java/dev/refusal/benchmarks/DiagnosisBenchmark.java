package dev.refusal.benchmarks;

import dev.refusal.Diagnoser;
import dev.refusal.Diagnosis;
import dev.refusal.Endpoint;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
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
 * A whole diagnosis on loopback, uncached, beside the cached path.
 *
 * <ul>
 *   <li>{@code familyMismatch}: a listener on ::1 dialled at 127.0.0.1, proved by connect probes
 *       alone (target: median under 2 ms);
 *   <li>{@code noListener}: a closed port, which needs the listener table (target: median under
 *       15 ms);
 *   <li>{@code cached}: the same failure again within the cache TTL (target: under 1 µs).
 * </ul>
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar DiagnosisBenchmark -prof gc}. The
 * whole-diagnosis modes report percentiles (SampleTime): read p0.50 and p0.99.
 */
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class DiagnosisBenchmark {

  private final InetAddress v4 = address("127.0.0.1");
  private final InetAddress v6 = address("::1");

  private Diagnoser uncached;
  private Diagnoser cached;
  private ServerSocket v6Listener;
  private Endpoint mismatchEndpoint;
  private IOException mismatchFailure;
  private Endpoint closedEndpoint;
  private IOException closedFailure;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    uncached = Diagnoser.builder().cacheTtl(Duration.ZERO)
        .maxDiagnosesPerSecond(10_000).build();
    cached = Diagnoser.builder().cacheTtl(Duration.ofHours(1)).build();
    v6Listener = new ServerSocket(0, 50, v6);
    // The probes' connects must be accepted, or the queue fills and probes time out.
    Thread acceptor = new Thread(() -> {
      while (!v6Listener.isClosed()) {
        try {
          v6Listener.accept().close();
        } catch (IOException e) {
          // Closed at tear-down.
        }
      }
    }, "acceptor");
    acceptor.setDaemon(true);
    acceptor.start();
    int port = v6Listener.getLocalPort();
    mismatchEndpoint = Endpoint.of("127.0.0.1", port)
        .withAddress(new InetSocketAddress(v4, port));
    mismatchFailure = refusal(v4, port);
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, v4)) {
      closed = s.getLocalPort();
    }
    closedEndpoint = Endpoint.of("127.0.0.1", closed)
        .withAddress(new InetSocketAddress(v4, closed));
    closedFailure = refusal(v4, closed);
    cached.diagnose(closedEndpoint, closedFailure);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    v6Listener.close();
  }

  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public Diagnosis familyMismatch() {
    return uncached.diagnose(mismatchEndpoint, mismatchFailure);
  }

  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public Diagnosis noListener() {
    return uncached.diagnose(closedEndpoint, closedFailure);
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public Diagnosis cached() {
    return cached.diagnose(closedEndpoint, closedFailure);
  }

  private static IOException refusal(InetAddress address, int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(address, port), 1_000);
      throw new IllegalStateException(address + ":" + port + " accepted");
    } catch (IOException e) {
      return e;
    }
  }

  private static InetAddress address(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
