package dev.refusal.benchmarks;

import dev.refusal.CircuitState;
import dev.refusal.DiagnosedConnectException;
import dev.refusal.Diagnoser;
import dev.refusal.Endpoint;
import dev.refusal.RefusalGuard;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.Callable;
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
 * What the guard costs when nothing is wrong, and what it saves when the endpoint is down.
 *
 * <ul>
 *   <li>{@code direct}: the no-op call itself (the floor);
 *   <li>{@code guardSuccess}: the same call through {@link RefusalGuard#call} (target: at most
 *       30 ns and 0 B/op, beside bare resilience4j);
 *   <li>{@code resilience4jDecorated}: the same call through resilience4j's own {@code
 *       CircuitBreaker.decorateCallable} around {@code Retry.decorateCallable}, decorated once;
 *   <li>{@code registryLookup}: the guard's per-endpoint lookup for a known endpoint (target:
 *       under 30 ns, 0 B/op);
 *   <li>{@code openCircuitRejection}: a call to an endpoint whose circuit is open, beside
 *       {@code refusedConnect}, a real refused connect on loopback (target: at most 200 ns, at
 *       least 100x faster).
 * </ul>
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar GuardBenchmark -prof gc}.
 */
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class GuardBenchmark {

  private static final Integer ANSWER = 42;

  private final Callable<Integer> noop = () -> ANSWER;
  private RefusalGuard guard;
  private Endpoint healthy;
  private Endpoint dead;
  private Callable<Integer> decorated;
  private InetSocketAddress closed;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    guard = RefusalGuard.builder().diagnoser(Diagnoser.builder().build())
        .maxAttempts(1).failureThreshold(1).openWait(Duration.ofHours(1)).build();
    healthy = Endpoint.of("orders.internal", 8080);
    guard.call(healthy, noop);

    InetAddress loopback = InetAddress.getByName("127.0.0.1");
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, loopback)) {
      port = s.getLocalPort();
    }
    closed = new InetSocketAddress(loopback, port);
    dead = Endpoint.of("127.0.0.1", port);
    try {
      guard.call(dead, () -> {
        try (Socket s = new Socket()) {
          s.connect(closed, 1_000);
        }
        return ANSWER;
      });
    } catch (DiagnosedConnectException expected) {
      // The circuit is open now: one failure is the threshold.
    }
    if (guard.circuitState(dead) != CircuitState.OPEN) {
      throw new IllegalStateException("the dead endpoint's circuit did not open");
    }

    CircuitBreaker breaker = CircuitBreaker.of("bare", CircuitBreakerConfig.ofDefaults());
    Retry retry = Retry.of("bare", RetryConfig.ofDefaults());
    decorated = CircuitBreaker.decorateCallable(breaker, Retry.decorateCallable(retry, noop));
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    guard.close();
  }

  @Benchmark
  public Integer direct() throws Exception {
    return noop.call();
  }

  @Benchmark
  public Integer guardSuccess() throws Exception {
    return guard.call(healthy, noop);
  }

  @Benchmark
  public Integer resilience4jDecorated() throws Exception {
    return decorated.call();
  }

  @Benchmark
  public CircuitState registryLookup() {
    return guard.circuitState(healthy);
  }

  @Benchmark
  public Object openCircuitRejection() throws Exception {
    try {
      return guard.call(dead, noop);
    } catch (DiagnosedConnectException e) {
      return e;
    }
  }

  @Benchmark
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public Object refusedConnect() {
    try (Socket s = new Socket()) {
      s.connect(closed, 1_000);
      return s;
    } catch (IOException e) {
      return e;
    }
  }
}
