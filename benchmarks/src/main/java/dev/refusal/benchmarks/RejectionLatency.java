package dev.refusal.benchmarks;

import dev.refusal.CircuitState;
import dev.refusal.DiagnosedConnectException;
import dev.refusal.Diagnosis;
import dev.refusal.Endpoint;
import dev.refusal.RefusalGuard;
import java.io.File;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The latency of single rejections at an open circuit, for a service on this host and for one
 * on another host, measured in one run.
 *
 * <p>Two endpoints: a closed port on 127.0.0.1 (local), and a lab host (remote): 192.0.2.2 in a
 * network namespace this program makes, at the far end of a veth pair, where nothing listens, so
 * its kernel answers every connect with a reset. Run as root, the program makes two namespaces
 * (one for itself, one for the lab host), runs itself again inside the first with {@code ip netns
 * exec}, and deletes both at the end, on failure and on Ctrl-C too; every packet stays on
 * loopback or on that veth. Without root or iproute2 it says so and measures the local endpoint
 * only, in the current namespace.
 *
 * <p>Each endpoint gets its own guard ({@code failureThreshold(1).maxAttempts(1)}, defaults
 * otherwise), opened by one real refused connect; both are warmed up (20,000 untimed
 * rejections), then each is measured twice: 20,000 rejections back to back, and 20,000 spaced by
 * a 50 µs busy spin, so the calls arrive over about a second and the guard's background work
 * runs among them. Every call is timed alone with {@link System#nanoTime()}; percentiles are
 * nearest-rank over the sorted samples. The report (p50, p99, p99.9, max, and local p99.9 over
 * remote p99.9) is printed and written as Markdown.
 *
 * <p>Bounded: at most 1,000,000 calls per series, and the measurement stops after 120 s
 * ({@code -Drejection.timeLimitSeconds}); the child is killed 30 s after that. {@code
 * -Drejection.calls}, {@code -Drejection.warmup} and {@code -Drejection.spacingMicros} change the
 * counts and the spacing; a series that outlasts the guard's 30 s open wait has trial calls let
 * through, and the report says so. Logging defaults to WARN.
 *
 * <p>{@code java -cp benchmarks/target/benchmarks.jar dev.refusal.benchmarks.RejectionLatency
 * [OUTPUT_MD]}, default {@code benchmarks/results/rejection-latency.md}.
 */
public final class RejectionLatency {

  private static final String DEFAULT_OUTPUT = "benchmarks/results/rejection-latency.md";
  private static final String LOG_LEVEL = "org.slf4j.simpleLogger.defaultLogLevel";
  /** The argument that tells the child it runs inside the namespace, and the lab's address. */
  private static final String INSIDE = "--inside-lab=";

  private static final int CALLS = bounded("rejection.calls", 20_000, 100, 1_000_000);
  private static final int WARMUP = bounded("rejection.warmup", 20_000, 0, 1_000_000);
  private static final long SPACING_NANOS =
      TimeUnit.MICROSECONDS.toNanos(bounded("rejection.spacingMicros", 50, 1, 10_000));
  private static final int TIME_LIMIT_SECONDS =
      bounded("rejection.timeLimitSeconds", 120, 10, 600);

  /** The program's own end of the veth, and the lab host at the other end (TEST-NET-1). */
  private static final String SELF_ADDRESS = "192.0.2.1";
  private static final String LAB_ADDRESS = "192.0.2.2";
  private static final int LAB_PORT = 8080;
  private static final int CONNECT_TIMEOUT_MILLIS = 1_000;

  /** Keeps the JIT from dropping the rejections' results. */
  static volatile Object sink;

  private RejectionLatency() {}

  /** One endpoint: its guard, opened by a real refused connect, and how often it was dialled. */
  static final class Target {
    final String label;
    final Endpoint endpoint;
    final RefusalGuard guard;
    final AtomicInteger dials = new AtomicInteger();
    final Callable<Void> call;

    Target(String label, InetSocketAddress address) {
      this.label = label;
      this.endpoint = Endpoint.of(address.getAddress().getHostAddress(), address.getPort());
      this.guard = RefusalGuard.builder().failureThreshold(1).maxAttempts(1).build();
      this.call = () -> {
        dials.incrementAndGet();
        try (Socket s = new Socket()) {
          s.connect(address, CONNECT_TIMEOUT_MILLIS);
        }
        return null;
      };
    }
  }

  /** One series of timed rejections. */
  static final class Series {
    final Target target;
    final long spacingNanos;
    final long[] nanos;
    int count;
    /** Calls that ran the callable (were let through, not rejected), and other outcomes. */
    int dialled;
    int unexpected;
    boolean timeLimit;
    String stateAfter;

    Series(Target target, long spacingNanos, int calls) {
      this.target = target;
      this.spacingNanos = spacingNanos;
      this.nanos = new long[calls];
    }

    long percentile(double p) {
      // Nearest rank: the smallest sample with at least p of all samples at or below it.
      int rank = (int) Math.ceil(p * count);
      return nanos[Math.max(0, Math.min(count - 1, rank - 1))];
    }
  }

  public static void main(String[] args) throws Exception {
    if (System.getProperty(LOG_LEVEL) == null) {
      // slf4j-simple writes INFO lines (a circuit that opens) synchronously; keep them out.
      System.setProperty(LOG_LEVEL, "warn");
    }
    Path out = Path.of(DEFAULT_OUTPUT);
    String inside = null;
    for (String a : args) {
      if (a.startsWith(INSIDE)) {
        inside = a.substring(INSIDE.length());
      } else {
        out = Path.of(a);
      }
    }
    out = out.toAbsolutePath();
    int status;
    if (inside != null) {
      status = measure(out, InetAddress.getByName(inside), null);
    } else {
      String ip = ipCommand();
      String unavailable = unavailableReason(ip);
      if (unavailable == null) {
        status = inNamespace(ip, out);
      } else {
        System.out.println("No lab host: " + unavailable + ". Measuring the local endpoint only.");
        status = measure(out, null, unavailable);
      }
    }
    // The guards' recovery probes keep threads; nothing else is left to do.
    System.exit(status);
  }

  // ------------------------------------------------------------------ the namespaces

  /**
   * Makes the program's namespace and the lab host's, joined by a veth, runs this class inside
   * the first, and deletes both whatever happens. Falls back to the local endpoint alone when the
   * namespaces cannot be made.
   */
  private static int inNamespace(String ip, Path out) throws Exception {
    String self = "refusal-latency-" + ProcessHandle.current().pid();
    String lab = self + "-lab";
    Process[] child = {null};
    AtomicBoolean cleaned = new AtomicBoolean();
    Runnable cleanUp = () -> {
      if (!cleaned.compareAndSet(false, true)) {
        return;
      }
      Process p = child[0];
      if (p != null && p.isAlive()) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        try {
          p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      run(10, ip, "netns", "del", self);
      run(10, ip, "netns", "del", lab);
    };
    Thread hook = new Thread(cleanUp, "rejection-latency-cleanup");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      try {
        must(ip, "netns", "add", self);
        must(ip, "netns", "add", lab);
        must(ip, "-n", self, "link", "set", "lo", "up");
        must(ip, "-n", lab, "link", "set", "lo", "up");
        must(ip, "-n", self, "link", "add", "lat0", "type", "veth", "peer", "name", "lat0",
            "netns", lab);
        must(ip, "-n", self, "addr", "add", SELF_ADDRESS + "/24", "dev", "lat0");
        must(ip, "-n", lab, "addr", "add", LAB_ADDRESS + "/24", "dev", "lat0");
        must(ip, "-n", self, "link", "set", "lat0", "up");
        must(ip, "-n", lab, "link", "set", "lat0", "up");
      } catch (IllegalStateException e) {
        cleanUp.run();
        String why = "the network namespaces could not be made (" + e.getMessage() + ")";
        System.out.println("No lab host: " + why + ". Measuring the local endpoint only.");
        return measure(out, null, why);
      }
      System.out.printf(Locale.ROOT, "Measuring in network namespace %s; lab host %s in %s.%n",
          self, LAB_ADDRESS, lab);
      List<String> command = new ArrayList<>(List.of(ip, "netns", "exec", self,
          Path.of(System.getProperty("java.home"), "bin", "java").toString()));
      for (String name : System.getProperties().stringPropertyNames()) {
        if (name.startsWith("rejection.") || name.startsWith("org.slf4j.")) {
          command.add("-D" + name + "=" + System.getProperty(name));
        }
      }
      command.add("-cp");
      command.add(absoluteClassPath());
      command.add(RejectionLatency.class.getName());
      command.add(out.toString());
      command.add(INSIDE + LAB_ADDRESS);
      Process p = new ProcessBuilder(command).inheritIO().start();
      child[0] = p;
      if (!p.waitFor(TIME_LIMIT_SECONDS + 30L, TimeUnit.SECONDS)) {
        System.out.println("The measurement outlived its time limit; stopped.");
        return 2;
      }
      return p.exitValue();
    } finally {
      cleanUp.run();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // The hook is running or has run.
      }
    }
  }

  private static String ipCommand() {
    for (String dir : new String[] {"/usr/sbin", "/sbin", "/usr/bin", "/bin"}) {
      File f = new File(dir, "ip");
      if (f.canExecute()) {
        return f.getPath();
      }
    }
    return null;
  }

  /** Why the lab host cannot be made here, or null when it can. */
  private static String unavailableReason(String ip) {
    if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
      return "network namespaces need Linux";
    }
    if (ip == null) {
      return "iproute2's ip command is missing";
    }
    long uid = effectiveUid();
    if (uid != 0) {
      return "not running as root (effective uid " + (uid < 0 ? "unknown" : uid) + ")";
    }
    return null;
  }

  /** The effective uid from /proc/self/status; -1 when it cannot be read. */
  private static long effectiveUid() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Uid:")) {
          return Long.parseLong(line.substring(4).trim().split("\\s+")[1]);
        }
      }
    } catch (IOException | RuntimeException e) {
      // Unknown.
    }
    return -1;
  }

  private static String absoluteClassPath() {
    StringBuilder cp = new StringBuilder();
    for (String part : System.getProperty("java.class.path").split(File.pathSeparator)) {
      cp.append(cp.length() == 0 ? "" : File.pathSeparator)
          .append(Path.of(part).toAbsolutePath());
    }
    return cp.toString();
  }

  private static void must(String... command) {
    String[] r = run(30, command);
    if (!"0".equals(r[0])) {
      throw new IllegalStateException(String.join(" ", command) + ": " + r[1].trim());
    }
  }

  /** Runs a command; returns its exit status ("-1" when it failed to run) and its output. */
  private static String[] run(int timeoutSeconds, String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return new String[] {"-1", "timed out after " + timeoutSeconds + " s"};
      }
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return new String[] {String.valueOf(p.exitValue()), output};
    } catch (IOException e) {
      return new String[] {"-1", e.toString()};
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new String[] {"-1", e.toString()};
    }
  }

  // ------------------------------------------------------------------ the measurement

  /**
   * Measures both endpoints ({@code lab} null: the local one only) and writes the report;
   * {@code noLab} says why there is no lab host.
   */
  static int measure(Path out, InetAddress lab, String noLab) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIME_LIMIT_SECONDS);
    InetAddress loopback = InetAddress.getByName("127.0.0.1");
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, loopback)) {
      port = s.getLocalPort();
    }
    List<Target> targets = new ArrayList<>();
    targets.add(new Target("local", new InetSocketAddress(loopback, port)));
    if (lab != null) {
      targets.add(new Target("remote (lab host)", new InetSocketAddress(lab, LAB_PORT)));
    }
    for (Target t : targets) {
      open(t);
    }
    // Both warmed up before either is measured: the compiled code has seen both paths.
    for (Target t : targets) {
      for (int i = 0; i < WARMUP && System.nanoTime() - deadline < 0; i++) {
        try {
          t.guard.call(t.endpoint, t.call);
        } catch (DiagnosedConnectException expected) {
          sink = expected;
        }
      }
    }
    long[] clock = clockFloor();
    List<Series> all = new ArrayList<>();
    for (long spacing : new long[] {0, SPACING_NANOS}) {
      for (Target t : targets) {
        Series s = series(t, spacing, deadline);
        all.add(s);
        System.out.printf(Locale.ROOT, "%s, spacing %s: %d rejections timed%n", t.label,
            spacing(s.spacingNanos), s.count);
      }
    }
    String md = report(all, lab != null, noLab, clock);
    System.out.print(md);
    Path dir = out.getParent();
    if (dir != null) {
      Files.createDirectories(dir);
    }
    Files.writeString(out, md, StandardCharsets.UTF_8);
    System.out.println("Written: " + out);
    return 0;
  }

  /** One real call, refused, opens the circuit (the threshold is one failure). */
  private static void open(Target t) throws Exception {
    try {
      t.guard.call(t.endpoint, t.call);
      throw new IllegalStateException(t.endpoint + " accepted a connection; nothing may listen");
    } catch (DiagnosedConnectException e) {
      Throwable cause = e.getCause();
      if (!(cause instanceof ConnectException) || cause instanceof SocketTimeoutException) {
        throw new IllegalStateException(t.endpoint + " did not refuse the connect: " + cause, e);
      }
      Diagnosis d = e.diagnosis();
      System.out.printf(Locale.ROOT, "%s %s: %s%n", t.label, t.endpoint,
          d == null ? e.getMessage() : d.cause() + ", " + d.headline());
    }
    if (t.guard.circuitState(t.endpoint) != CircuitState.OPEN) {
      throw new IllegalStateException("the circuit for " + t.endpoint + " did not open: "
          + t.guard.circuitState(t.endpoint));
    }
  }

  private static Series series(Target t, long spacingNanos, long deadline) {
    Series s = new Series(t, spacingNanos, CALLS);
    int dialsBefore = t.dials.get();
    Object last = null;
    for (int i = 0; i < CALLS; i++) {
      if (System.nanoTime() - deadline > 0) {
        s.timeLimit = true;
        break;
      }
      long t0 = System.nanoTime();
      try {
        t.guard.call(t.endpoint, t.call);
      } catch (DiagnosedConnectException e) {
        last = e;
      } catch (Exception e) {
        last = e;
        s.unexpected++;
      }
      long t1 = System.nanoTime();
      s.nanos[s.count++] = t1 - t0;
      if (spacingNanos > 0) {
        while (System.nanoTime() - t1 < spacingNanos) {
          Thread.onSpinWait();
        }
      }
    }
    sink = last;
    s.dialled = t.dials.get() - dialsBefore;
    s.stateAfter = t.guard.circuitState(t.endpoint).name();
    Arrays.sort(s.nanos, 0, s.count);
    return s;
  }

  /** Two back-to-back nanoTime reads, as often as a series has calls: p50 and max. */
  private static long[] clockFloor() {
    long[] d = new long[CALLS];
    for (int i = 0; i < d.length; i++) {
      long t0 = System.nanoTime();
      d[i] = System.nanoTime() - t0;
    }
    Arrays.sort(d);
    return new long[] {d[(int) Math.ceil(0.5 * d.length) - 1], d[d.length - 1]};
  }

  // ------------------------------------------------------------------ the report

  static String report(List<Series> all, boolean withLab, String noLab, long[] clock) {
    StringBuilder md = new StringBuilder();
    md.append("## Rejection latency at an open circuit\n\n");
    md.append(String.format(Locale.ROOT, "Machine: %s cores (nproc), %s %s (%s), %s %s; %s.%n%n",
        nproc(), System.getProperty("java.vm.name"), System.getProperty("java.runtime.version"),
        System.getProperty("java.vendor"), System.getProperty("os.name"),
        System.getProperty("os.version"),
        Instant.now().truncatedTo(ChronoUnit.SECONDS)));
    md.append(String.format(Locale.ROOT, "Each endpoint has its own guard,"
        + " `RefusalGuard.builder().failureThreshold(1).maxAttempts(1).build()` (defaults"
        + " otherwise), whose circuit one real refused connect opened. Every guard was warmed up"
        + " with %,d untimed rejections; then every series times %,d rejections of"
        + " `guard.call`, each alone with `System.nanoTime()`. Spacing \"none\" is back to back;"
        + " \"%s\" is a busy spin between calls, so they arrive over about %.1f s and the"
        + " guard's background work runs among them. Percentiles are nearest-rank. Logging at"
        + " %s. Two back-to-back `System.nanoTime()` reads take %s µs (p50), %s µs at most.%n%n",
        WARMUP, CALLS, spacing(SPACING_NANOS), CALLS * SPACING_NANOS / 1e9,
        System.getProperty(LOG_LEVEL, "info").toUpperCase(Locale.ROOT), micros(clock[0]),
        micros(clock[1])));
    if (withLab) {
      md.append("Local is a closed port on 127.0.0.1. Remote is a lab host: " + LAB_ADDRESS
          + ":" + LAB_PORT + " in a network namespace of its own at the far end of a veth pair,"
          + " where nothing listens, so its kernel answers every connect with a reset. Both are"
          + " measured from one JVM in a second fresh namespace (`lo` and that veth only).\n\n");
    } else {
      md.append("Local is a closed port on 127.0.0.1, measured in the current network"
          + " namespace. No remote endpoint: " + noLab + ".\n\n");
    }
    md.append("| endpoint | spacing | rejections timed | p50 µs | p99 µs | p99.9 µs | max µs |\n")
        .append("|---|---|---|---|---|---|---|\n");
    for (Series s : all) {
      md.append(String.format(Locale.ROOT, "| %s `%s` | %s | %,d | %s | %s | %s | %s |%n",
          s.target.label, s.target.endpoint, spacing(s.spacingNanos), s.count,
          micros(s.percentile(0.50)), micros(s.percentile(0.99)), micros(s.percentile(0.999)),
          micros(s.nanos[s.count - 1])));
    }
    md.append('\n');
    if (withLab) {
      md.append("| spacing | local p99.9 / remote p99.9 |\n|---|---|\n");
      for (int i = 0; i + 1 < all.size(); i += 2) {
        Series local = all.get(i);
        Series remote = all.get(i + 1);
        md.append(String.format(Locale.ROOT, "| %s | %.1f |%n", spacing(local.spacingNanos),
            (double) local.percentile(0.999) / Math.max(1, remote.percentile(0.999))));
      }
      md.append('\n');
    }
    StringBuilder notes = new StringBuilder();
    for (Series s : all) {
      String which = s.target.label + ", spacing " + spacing(s.spacingNanos);
      if (s.dialled > 0) {
        notes.append("- ").append(which).append(": ").append(s.dialled)
            .append(" call(s) were let through and dialled, not rejected.\n");
      }
      if (s.unexpected > 0) {
        notes.append("- ").append(which).append(": ").append(s.unexpected)
            .append(" call(s) threw something other than a DiagnosedConnectException.\n");
      }
      if (!"OPEN".equals(s.stateAfter)) {
        notes.append("- ").append(which).append(": the circuit was ").append(s.stateAfter)
            .append(" afterwards.\n");
      }
      if (s.timeLimit) {
        notes.append("- ").append(which).append(": stopped at the time limit (")
            .append(TIME_LIMIT_SECONDS).append(" s).\n");
      }
    }
    md.append(notes.length() == 0
        ? "Every timed call was a rejection, and every circuit was still OPEN afterwards.\n"
        : notes.toString());
    return md.toString();
  }

  private static String nproc() {
    String[] r = run(10, "nproc");
    String n = r[1].trim();
    return "0".equals(r[0]) && n.matches("\\d+") ? n
        : Runtime.getRuntime().availableProcessors() + " (availableProcessors)";
  }

  private static String spacing(long nanos) {
    return nanos == 0 ? "none" : TimeUnit.NANOSECONDS.toMicros(nanos) + " µs";
  }

  private static String micros(long nanos) {
    return String.format(Locale.ROOT, nanos < 10_000 ? "%.2f" : "%.1f", nanos / 1000.0);
  }

  private static int bounded(String property, int fallback, int min, int max) {
    return Math.max(min, Math.min(max, Integer.getInteger(property, fallback)));
  }
}
