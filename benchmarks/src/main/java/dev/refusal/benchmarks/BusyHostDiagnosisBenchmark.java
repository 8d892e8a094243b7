package dev.refusal.benchmarks;

import dev.refusal.Diagnoser;
import dev.refusal.Diagnosis;
import dev.refusal.Endpoint;
import dev.refusal.internal.diagnosis.ExactListenerLookup;
import dev.refusal.internal.diagnosis.ListenerTable;
import dev.refusal.internal.diagnosis.RealSystemView;
import java.io.IOException;
import java.io.UncheckedIOException;
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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A whole loopback NO_LISTENER diagnosis on an idle host and on a busy one (about 20,000
 * TIME_WAIT sockets), by the kernel's exact listener lookup and by the {@code /proc} table, in
 * one run.
 *
 * <ul>
 *   <li>{@code lookup}: {@code exact} (NETLINK_SOCK_DIAG; needs JDK 22+, the fork grants native
 *       access) or {@code table} ({@code /proc/net/tcp} and {@code tcp6}, streamed within the
 *       budget and reused for a second to show absence);
 *   <li>{@code host}: {@code idle}, or {@code busy}: the trial's setup first makes 20,000
 *       TIME_WAIT sockets on loopback (each connect closed by the server; fewer when an earlier
 *       trial's still wait) and prints the count it sees in the table;
 *   <li>{@code timeBudgetMillis}: the diagnoser's default (500 ms) or 50 ms; read p1.00 of the 50 ms
 *       trials for the worst overrun.
 * </ul>
 *
 * <p>{@code noListenerOnLoopback} is a steady stream of diagnoses; {@code coldDiagnosis} is 200
 * diagnoses each by a new diagnoser, the worst case for the budget.
 *
 * <p>Every diagnosis is uncached (cache TTL zero), so each one looks the listeners up again; the
 * table path's one-second reuse of a table showing absence still applies, as it does in use.
 * A TIME_WAIT socket lives a minute, so the idle trials run first ({@code host} is the first
 * parameter by name) and each method should run alone in a fresh network namespace, as {@code
 * benchmarks/run.sh} runs them: {@code ip netns exec NS java -jar benchmarks.jar
 * BusyHostDiagnosisBenchmark.noListenerOnLoopback -prof gc}, then the same for {@code
 * coldDiagnosis} in another namespace; JDK 22+ for the exact path. Loopback only; the loop of connects is bounded by its
 * count.
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
public class BusyHostDiagnosisBenchmark {

  /** How many TIME_WAIT sockets the busy host gets. */
  static final int TIME_WAIT_SOCKETS = 20_000;
  /** The gap before each diagnosis of the steady stream. */
  static final long PACE_NANOS = TimeUnit.MICROSECONDS.toNanos(120);

  @Param({"idle", "busy"})
  public String host;

  @Param({"exact", "table"})
  public String lookup;

  // JMH nests parameters by name, the first outermost: host, lookup, then timeBudgetMillis, so
  // every idle trial runs before the first busy one.
  @Param({"500", "50"})
  public int timeBudgetMillis;

  private Diagnoser diagnoser;
  private Endpoint endpoint;
  private IOException failure;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    boolean exact = lookup.equals("exact");
    // Read once, when the machine view is first made: set before anything in this fork uses it.
    System.setProperty(ExactListenerLookup.ENABLED_PROPERTY, Boolean.toString(exact));
    if (RealSystemView.INSTANCE.hasExactLookup() != exact) {
      throw new IllegalStateException("lookup=" + lookup + " asked, but this JVM "
          + (exact ? "has no exact lookup (JDK 22+ and Linux needed)" : "has one"));
    }
    InetAddress v4 = InetAddress.getByName("127.0.0.1");
    if (host.equals("busy")) {
      // Sockets of an earlier busy trial still wait (a minute): only the rest are made.
      int waiting = ListenerTable.read(RealSystemView.tableOnly()).count(ListenerTable.TIME_WAIT);
      makeTimeWait(v4, Math.max(0, TIME_WAIT_SOCKETS - waiting));
    }
    ListenerTable table = ListenerTable.read(RealSystemView.tableOnly());
    System.out.println("host=" + host + " lookup=" + lookup + " budget=" + timeBudgetMillis
        + " ms: " + table.sockets()
        + " TCP sockets, " + table.count(ListenerTable.TIME_WAIT) + " in TIME_WAIT");
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, v4)) {
      closed = s.getLocalPort();
    }
    endpoint = Endpoint.of("127.0.0.1", closed).withAddress(new InetSocketAddress(v4, closed));
    failure = refusal(v4, closed);
    diagnoser = Diagnoser.builder().cacheTtl(Duration.ZERO).maxDiagnosesPerSecond(10_000)
        .budget(Duration.ofMillis(timeBudgetMillis)).build();
    Diagnosis first = diagnoser.diagnose(endpoint, failure);
    System.out.println("first diagnosis: " + first.cause() + " " + first.confidence());
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    diagnoser = null;
  }

  /** A diagnoser with nothing cached and no table read yet, for {@link #coldDiagnosis}. */
  @State(Scope.Thread)
  public static class Cold {
    Diagnoser diagnoser;

    @Setup(Level.Iteration)
    public void fresh(BusyHostDiagnosisBenchmark b) {
      diagnoser = Diagnoser.builder().cacheTtl(Duration.ZERO)
          .budget(Duration.ofMillis(b.timeBudgetMillis)).build();
    }
  }

  /**
   * Spaces the steady stream's diagnoses, outside the timed part, so that it stays under the
   * diagnoser's highest rate (10,000 a second): a diagnosis over the rate is not run at all.
   */
  @Setup(Level.Invocation)
  public void pace() {
    long until = System.nanoTime() + PACE_NANOS;
    while (System.nanoTime() - until < 0) {
      Thread.onSpinWait();
    }
  }

  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public Diagnosis noListenerOnLoopback() {
    return diagnoser.diagnose(endpoint, failure);
  }

  /**
   * The same diagnosis by a new diagnoser each time: no table of an earlier diagnosis to use,
   * so on the table path each one reads or waits within its budget. 200 timed one by one; the
   * worst is how far a diagnosis can outrun its budget.
   */
  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  @Warmup(iterations = 10)
  @Measurement(iterations = 200)
  public Diagnosis coldDiagnosis(Cold cold) {
    return cold.diagnoser.diagnose(endpoint, failure);
  }

  /**
   * Connects and closes {@code count} times, the server closing first, so its side of each
   * connection waits. Four listeners share the connects: a new connect from a client port whose
   * earlier connection to the same listener still waits ends that TIME_WAIT socket, and recent
   * kernels give connects only half the ephemeral range (the even ports).
   */
  private static void makeTimeWait(InetAddress address, int count) {
    int listeners = 4;
    ServerSocket[] servers = new ServerSocket[listeners];
    Thread[] acceptors = new Thread[listeners];
    try {
      for (int l = 0; l < listeners; l++) {
        ServerSocket server = new ServerSocket(0, 1024, address);
        servers[l] = server;
        int mine = count / listeners + (l < count % listeners ? 1 : 0);
        acceptors[l] = new Thread(() -> {
          for (int i = 0; i < mine; i++) {
            try {
              server.accept().close();
            } catch (IOException e) {
              return;
            }
          }
        }, "time-wait-acceptor-" + l);
        acceptors[l].start();
      }
      for (int i = 0; i < count; i++) {
        try (Socket s = new Socket()) {
          s.connect(servers[i % listeners].getLocalSocketAddress(), 1_000);
          // The server's close comes first; reading to the end waits for it.
          s.getInputStream().read();
        }
      }
      for (Thread t : acceptors) {
        t.join(TimeUnit.SECONDS.toMillis(30));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } finally {
      for (ServerSocket server : servers) {
        if (server != null) {
          try {
            server.close();
          } catch (IOException e) {
            // Closing a listener of the benchmark's own: nothing to do.
          }
        }
      }
    }
  }

  private static IOException refusal(InetAddress address, int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(address, port), 1_000);
      throw new IllegalStateException(address + ":" + port + " accepted");
    } catch (IOException e) {
      return e;
    }
  }
}
