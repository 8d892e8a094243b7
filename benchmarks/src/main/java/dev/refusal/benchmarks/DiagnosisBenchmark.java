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
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.AuxCounters;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * A whole diagnosis on loopback, uncached, beside the cached path, and many threads failing on
 * one endpoint at once.
 *
 * <ul>
 *   <li>{@code cached}: the same failure again within the cache TTL (target: under 1 µs);
 *   <li>{@code deadEndpointFrom32Threads}: 32 threads diagnosing failures of one closed port
 *       with the default diagnoser, in calls/s, and {@code probeRuns}: how many diagnoses
 *       actually probed in that time (the rest shared a running one or its cached answer);
 *   <li>{@code noListenerReadsTable}: a closed port, which needs the listener table (target:
 *       median under 15 ms);
 *   <li>{@code probesProveFamilyMismatch}: a listener on ::1 dialled at 127.0.0.1, proved by
 *       connect probes alone (target: median under 2 ms).
 * </ul>
 *
 * <p>JMH runs them in that (alphabetical) order, on purpose: every accepted probe connect leaves
 * a TIME_WAIT socket for a minute, and {@code probesProveFamilyMismatch} makes tens of thousands,
 * which would swell the table that {@code noListenerReadsTable} reads if it ran first (36 ms
 * instead of 10 ms with 18,000 TIME_WAIT sockets on this machine).
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
  public Diagnosis probesProveFamilyMismatch() {
    return uncached.diagnose(mismatchEndpoint, mismatchFailure);
  }

  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public Diagnosis noListenerReadsTable() {
    return uncached.diagnose(closedEndpoint, closedFailure);
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public Diagnosis cached() {
    return cached.diagnose(closedEndpoint, closedFailure);
  }

  /** The default diagnoser, with a probe that only counts the runs that reach it. */
  @State(Scope.Benchmark)
  public static class SharedEndpoint {
    final AtomicLong runs = new AtomicLong();
    Diagnoser diagnoser;
    Endpoint endpoint;
    IOException failure;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
      diagnoser = Diagnoser.builder().addProbe(new dev.refusal.Probe() {
        @Override
        public String name() {
          return "run-counter";
        }

        @Override
        public dev.refusal.ProbeResult probe(dev.refusal.ProbeContext context) {
          runs.incrementAndGet();
          return dev.refusal.ProbeResult.nothing();
        }
      }).build();
      InetAddress v4 = InetAddress.getByName("127.0.0.1");
      int closed;
      try (ServerSocket s = new ServerSocket(0, 1, v4)) {
        closed = s.getLocalPort();
      }
      endpoint = Endpoint.of("127.0.0.1", closed).withAddress(new InetSocketAddress(v4, closed));
      failure = refusal(v4, closed);
    }
  }

  /** Probe runs per second of the iteration; only the first thread reports, so the sum is right. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class ProbeRuns {
    public long probeRuns;
    private long atStart;
    private boolean reporter;

    @Setup(Level.Iteration)
    public void start(SharedEndpoint shared, ThreadParams thread) {
      reporter = thread.getThreadIndex() == 0;
      atStart = shared.runs.get();
      probeRuns = 0;
    }
  }

  @Benchmark
  @Threads(32)
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public Diagnosis deadEndpointFrom32Threads(SharedEndpoint shared, ProbeRuns counter) {
    Diagnosis d = shared.diagnoser.diagnose(shared.endpoint, shared.failure);
    if (counter.reporter) {
      counter.probeRuns = shared.runs.get() - counter.atStart;
    }
    return d;
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
