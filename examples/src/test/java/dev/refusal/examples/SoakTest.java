package dev.refusal.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.UnixOperatingSystemMXBean;
import com.sun.net.httpserver.HttpServer;
import dev.refusal.DiagnosedConnectException;
import dev.refusal.FailureKind;
import dev.refusal.RefusalGuard;
import dev.refusal.jdkhttp.RefusalHttpClient;
import dev.refusal.okhttp.RefusalOkHttp;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A bounded soak: OkHttp and the JDK client, each through the library, against a real HTTP server
 * on 127.0.0.1 that stops and starts every two seconds, under 32 threads. It checks what no unit
 * test can: that under sustained churn every call still ends in a response or a documented
 * exception, and that nothing (descriptors, threads, heap) is left behind once the clients are
 * closed.
 */
@DisplayName("Under a flapping server and 32 threads, both clients through the library")
final class SoakTest {

  // About a minute in CI all told: the soak itself, plus warm-up and the wait for idle pools.
  private static final Duration SOAK = Duration.ofSeconds(
      Long.getLong("refusal.soak.seconds", 42));
  private static final Duration FLAP_PERIOD = Duration.ofSeconds(2);
  private static final int THREADS_PER_CLIENT = 16;
  // A ceiling on calls per worker so no loop can run away, even if every call failed at once.
  private static final int MAX_CALLS_PER_WORKER = 200_000;
  // The library's probe pools let idle threads go after 10 s; give them twice that.
  private static final Duration SETTLE = Duration.ofSeconds(25);

  private static final int DESCRIPTOR_MARGIN = 10;
  private static final int THREAD_MARGIN = 8;
  private static final long HEAP_MARGIN = 32L << 20;

  /**
   * Threads that may outlive the clients, by name prefix, with why. The library's two schedulers
   * (the coarse clock and the recovery prober) are process-wide and live for the JVM; its probe
   * pools expire but may be caught mid-expiry. OkHttp's task runner and Okio's watchdog are
   * process-wide daemons OkHttp offers no way to stop; they let idle threads go after 60 s, longer
   * than this test waits.
   */
  private static final List<String> MAY_SURVIVE =
      List.of("refusal-", "OkHttp TaskRunner", "Okio Watchdog");

  private static final byte[] BODY = "ok".getBytes(StandardCharsets.US_ASCII);

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  @DisplayName("end every call in a 200 or a documented exception, and leave no descriptors, "
      + "threads or heap behind")
  void soak() throws Exception {
    int port = Loopback.closedPort();
    FlappingHttpServer server = new FlappingHttpServer(port);
    // Small backoffs and a short open wait keep the run moving through each two-second outage.
    RefusalGuard guard = RefusalGuard.builder()
        .maxAttempts(3)
        .backoff(Duration.ofMillis(10), 2.0, Duration.ofMillis(100))
        .openWait(Duration.ofMillis(500))
        .build();
    URI uri = URI.create("http://127.0.0.1:" + port + "/soak");

    // Warm-up on throwaway clients: loads classes and starts the library's and the JDK's lazy
    // daemons before the baseline, so the baseline is a steady state, not an empty JVM.
    warmUp(server, guard, uri);
    Snapshot before = Snapshot.take();

    Tally tally = new Tally(server);
    AtomicInteger flaps = new AtomicInteger();
    // In a method of its own, so that once it returns nothing here refers to the clients: on
    // JDK 17 the JDK client's selector thread ends only once the client is unreachable.
    runSoak(server, guard, uri, tally, flaps);

    Snapshot after = Snapshot.settle(before);
    Set<Thread> survivors = after.threadsNotIn(before);
    // OkHttp's task runner is one process-wide pool (no keep-alive under 60 s, and no way to shut
    // it down through OkHttp's API) that grows with concurrent connects; its idle threads are
    // OkHttp's, not the library's, so they are left out of the count, but only while idle.
    List<Thread> okHttpIdle = survivors.stream()
        .filter(t -> t.getName().startsWith("OkHttp TaskRunner"))
        .filter(t -> t.getState() == Thread.State.TIMED_WAITING)
        .collect(Collectors.toList());
    System.out.println(String.format("SOAK java=%s seconds=%d calls=%d responses=%d %s flaps=%d"
            + " refused-while-up=%d binds-retried=%d fds=%d->%d threads=%d->%d"
            + " (%d of them idle OkHttp TaskRunner) heapMB=%.1f->%.1f new-threads=%s",
        Runtime.version().feature(), SOAK.toSeconds(), tally.calls.sum(), tally.responses.sum(),
        tally.exceptionCounts(), flaps.get(), tally.refusedWhileUp.sum(),
        server.bindRetries.get(), before.descriptors,
        after.descriptors, before.threadCount, after.threadCount, okHttpIdle.size(),
        before.heap / 1048576.0, after.heap / 1048576.0, names(survivors)));

    tally.refusedWhileUpSamples.forEach(m -> System.out.println("refused while up: " + m));
    assertThat(tally.unexpected).as("calls that ended in an undocumented way").isEmpty();
    assertThat(tally.calls.sum()).as("calls").isPositive();
    assertThat(tally.responses.sum()).as("200 responses").isPositive();
    assertThat(tally.diagnosed.sum()).as("diagnosed refusals while the server was down")
        .isPositive();
    // The recovery prober dials every 250 ms while a circuit is open, so a second after the
    // server is back no call should still be refused: a stuck circuit would show here.
    assertThat(tally.refusedWhileUp.sum()).as("refusals a second or more into an up period")
        .isZero();
    assertThat(flaps.get()).as("outages").isGreaterThanOrEqualTo(5);
    assertThat(after.descriptors).as("open descriptors after, vs %d before", before.descriptors)
        .isLessThanOrEqualTo(before.descriptors + DESCRIPTOR_MARGIN);
    assertThat(after.threadCount - okHttpIdle.size())
        .as("live threads after (less %d idle OkHttp TaskRunner threads), vs %d before",
            okHttpIdle.size(), before.threadCount)
        .isLessThanOrEqualTo(before.threadCount + THREAD_MARGIN);
    assertThat(survivors).as("new threads that outlived the clients")
        .allSatisfy(t -> assertThat(maySurvive(t)).as("%s may survive", t.getName()).isTrue());
    assertThat(after.heap).as("used heap after GC, vs %d before", before.heap)
        .isLessThanOrEqualTo(before.heap + HEAP_MARGIN);
  }

  /** 32 workers on fresh clients against the flapping server, for {@link #SOAK}; then closes. */
  private static void runSoak(FlappingHttpServer server, RefusalGuard guard, URI uri, Tally tally,
      AtomicInteger flaps) throws Exception {
    Clients clients = Clients.open(guard);
    OkHttpClient okHttp = clients.okHttp;
    HttpClient jdk = clients.jdk;
    long deadline = System.nanoTime() + SOAK.toNanos();
    List<Thread> workers = new ArrayList<>();
    CountDownLatch go = new CountDownLatch(1);
    for (int i = 0; i < THREADS_PER_CLIENT; i++) {
      workers.add(worker("soak-okhttp-" + i, go, deadline,
          () -> okHttpCall(okHttp, uri, tally)));
      workers.add(worker("soak-jdk-" + i, go, deadline,
          () -> jdkCall(jdk, uri, tally)));
    }
    server.start();
    workers.forEach(Thread::start);
    go.countDown();
    // The flapper: up for a period, down for a period, until the deadline.
    while (System.nanoTime() < deadline) {
      sleepUntil(Math.min(deadline, System.nanoTime() + FLAP_PERIOD.toNanos()));
      if (server.isUp()) {
        server.stop();
        flaps.incrementAndGet();
      } else if (System.nanoTime() < deadline) {
        server.start();
      }
    }
    for (Thread w : workers) {
      // Each call is bounded by its own timeouts (3 s), so a worker ends soon after the deadline.
      w.join(15_000);
      assertThat(w.isAlive()).as("worker %s still running after the deadline", w.getName())
          .isFalse();
    }
    server.stop();
    clients.close();

  }

  // ---------------------------------------------------------------------------------------------
  // Calls and their classification

  private static void okHttpCall(OkHttpClient client, URI uri, Tally tally) {
    Tally.Start start = tally.start();
    Request request = new Request.Builder().url(uri.toString()).build();
    try (Response response = client.newCall(request).execute()) {
      byte[] body = response.body().bytes();
      tally.response(response.code(), body, "okhttp");
    } catch (Throwable t) {
      tally.failure(t, "okhttp", start);
    }
  }

  private static void jdkCall(HttpClient client, URI uri, Tally tally) {
    Tally.Start start = tally.start();
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(3)).build();
    try {
      HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
      tally.response(response.statusCode(), response.body(), "jdk");
    } catch (Throwable t) {
      tally.failure(t, "jdk", start);
    }
  }

  /** Counts outcomes; anything undocumented is kept whole for the failure message. */
  private static final class Tally {
    final LongAdder calls = new LongAdder();
    final LongAdder responses = new LongAdder();
    final LongAdder diagnosed = new LongAdder();
    final Map<String, LongAdder> byType = new ConcurrentHashMap<>();
    final ConcurrentLinkedQueue<String> unexpected = new ConcurrentLinkedQueue<>();
    // Refusals of calls that started with the server listening for a second already and that
    // ended before it stopped: the circuit should have closed by then.
    final LongAdder refusedWhileUp = new LongAdder();
    final ConcurrentLinkedQueue<String> refusedWhileUpSamples = new ConcurrentLinkedQueue<>();
    final FlappingHttpServer server;

    Tally(FlappingHttpServer server) {
      this.server = server;
    }

    /** The server's state when a call started. */
    record Start(long generation, long upSinceNanos, long nanos) {}

    Start start() {
      calls.increment();
      return new Start(server.generation, server.upSinceNanos, System.nanoTime());
    }

    void response(int status, byte[] body, String client) {
      if (status == 200 && Arrays.equals(body, BODY)) {
        responses.increment();
      } else {
        record(client + ": HTTP " + status + " body of " + body.length + " bytes", null);
      }
    }

    void failure(Throwable t, String client, Start start) {
      String kind = documented(t, client);
      if (kind == null) {
        record(client + ": " + t, t);
        return;
      }
      if (t instanceof DiagnosedConnectException) {
        diagnosed.increment();
        if (start.upSinceNanos != 0 && start.nanos - start.upSinceNanos >= 1_000_000_000L
            && server.generation == start.generation) {
          refusedWhileUp.increment();
          if (refusedWhileUpSamples.size() < 3) {
            refusedWhileUpSamples.add(client + ": " + t.getMessage());
          }
        }
      }
      byType.computeIfAbsent(kind, k -> new LongAdder()).increment();
    }

    private void record(String what, Throwable t) {
      // Keep the first few stack traces: enough to see a bug, not enough to flood the log.
      if (unexpected.size() < 20) {
        unexpected.add(what);
        if (t != null) {
          t.printStackTrace(System.out);
        }
      }
    }

    /** The documented outcome {@code t} is, as a label, or null when it is none of them. */
    private static String documented(Throwable t, String client) {
      if (t instanceof DiagnosedConnectException) {
        return client + ":DiagnosedConnectException";
      }
      // JDK: a connect timeout stays HttpConnectTimeoutException (its cause the diagnosis); the
      // request timeout is HttpTimeoutException.
      if (t instanceof HttpConnectTimeoutException) {
        return client + ":HttpConnectTimeoutException";
      }
      if (t instanceof HttpTimeoutException) {
        return client + ":HttpTimeoutException";
      }
      // OkHttp: callTimeout ends a call (backoff waits included) with an InterruptedIOException,
      // and a cancel with IOException("Canceled").
      if ("okhttp".equals(client) && t instanceof InterruptedIOException) {
        return client + ":InterruptedIOException";
      }
      if ("okhttp".equals(client) && t instanceof IOException
          && "Canceled".equals(t.getMessage())) {
        return client + ":Canceled";
      }
      // The server stopping mid-exchange: a reset or an early close after the connect, which the
      // library leaves as the client's own exception. A connect-phase failure that reaches the
      // caller undiagnosed is a library bug, and falls through.
      if (t instanceof IOException) {
        FailureKind kind = FailureKind.of(t);
        if (kind == FailureKind.RESET || kind == FailureKind.OTHER) {
          return client + ":IOException/" + kind;
        }
      }
      return null;
    }

    Map<String, Long> exceptionCounts() {
      Map<String, Long> counts = new TreeMap<>();
      byType.forEach((k, v) -> counts.put(k, v.sum()));
      return counts;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Clients

  /** One shared guarded client of each kind, and what closing them takes. */
  private static final class Clients {
    final OkHttpClient okHttp;
    final HttpClient jdk;
    final ExecutorService jdkExecutor;

    private Clients(OkHttpClient okHttp, HttpClient jdk, ExecutorService jdkExecutor) {
      this.okHttp = okHttp;
      this.jdk = jdk;
      this.jdkExecutor = jdkExecutor;
    }

    static Clients open(RefusalGuard guard) {
      // Timeouts bound each call, so workers stop soon after the deadline whatever happens.
      OkHttpClient okHttp = RefusalOkHttp.install(new OkHttpClient.Builder(), guard)
          .connectTimeout(Duration.ofSeconds(1))
          .readTimeout(Duration.ofSeconds(2))
          .callTimeout(Duration.ofSeconds(3))
          .build();
      // The JDK client's default executor is a cached pool whose idle threads linger 60 s; our
      // own bounded one can be shut down, so a leak of the library's is not hidden by the JDK's.
      AtomicInteger n = new AtomicInteger();
      ThreadPoolExecutor executor = new ThreadPoolExecutor(4, 4, 1, TimeUnit.SECONDS,
          new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "soak-jdk-executor-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
          });
      HttpClient jdk = RefusalHttpClient.wrap(HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(1))
          .executor(executor)
          .build(), guard);
      return new Clients(okHttp, jdk, executor);
    }

    void close() throws Exception {
      okHttp.dispatcher().executorService().shutdown();
      okHttp.connectionPool().evictAll();
      // JDK 21+: HttpClient.close(), which the wrapper passes on; on 17 there is none, and the
      // client's selector thread ends once the client is unreachable (Snapshot.settle GCs).
      closeIfAvailable(jdk);
      jdkExecutor.shutdown();
      jdkExecutor.awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  private static void closeIfAvailable(HttpClient client) throws Exception {
    // HttpClient is AutoCloseable from JDK 21; the wrapper's close() then closes the client it
    // wraps. (The wrapper class itself is package-private, so no reflection on it.)
    if (client instanceof AutoCloseable) {
      ((AutoCloseable) client).close();
    }
  }

  private static void warmUp(FlappingHttpServer server, RefusalGuard guard, URI uri)
      throws Exception {
    Clients warm = Clients.open(guard);
    Tally ignored = new Tally(server);
    server.start();
    for (int i = 0; i < 20; i++) {
      okHttpCall(warm.okHttp, uri, ignored);
      jdkCall(warm.jdk, uri, ignored);
    }
    // A few refusals too, so the diagnosis path and its daemons are warm as well.
    server.stop();
    for (int i = 0; i < 3; i++) {
      okHttpCall(warm.okHttp, uri, ignored);
      jdkCall(warm.jdk, uri, ignored);
    }
    warm.close();
    assertThat(ignored.unexpected).as("warm-up outcomes").isEmpty();
  }

  private static Thread worker(String name, CountDownLatch go, long deadline, Runnable call) {
    Thread t = new Thread(() -> {
      try {
        go.await();
      } catch (InterruptedException e) {
        return;
      }
      for (int i = 0; i < MAX_CALLS_PER_WORKER && System.nanoTime() < deadline; i++) {
        call.run();
        // A breath between calls: the soak is about churn over time, not a CPU benchmark.
        sleepUntil(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2));
      }
    }, name);
    t.setDaemon(true);
    return t;
  }

  // ---------------------------------------------------------------------------------------------
  // The server

  /**
   * An HTTP server on one fixed 127.0.0.1 port, recreated on each start as a restarting service
   * is; stop closes the listener, every connection and its executor.
   */
  private static final class FlappingHttpServer {
    final int port;
    final AtomicInteger bindRetries = new AtomicInteger();
    // Read by workers to tell a refusal during an outage from one while the server listens.
    volatile long generation;
    volatile long upSinceNanos;
    private HttpServer server;
    private ExecutorService executor;

    FlappingHttpServer(int port) {
      this.port = port;
    }

    synchronized boolean isUp() {
      return server != null;
    }

    synchronized void start() throws Exception {
      if (server != null) {
        return;
      }
      HttpServer s = bind();
      s.createContext("/", exchange -> {
        // HttpExchange is AutoCloseable only from JDK 18; this must compile on 17.
        try {
          exchange.getRequestBody().readAllBytes();
          exchange.sendResponseHeaders(200, BODY.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(BODY);
          }
        } finally {
          exchange.close();
        }
      });
      AtomicInteger n = new AtomicInteger();
      executor = new ThreadPoolExecutor(8, 8, 1, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
          r -> {
            Thread t = new Thread(r, "soak-server-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
          });
      s.setExecutor(executor);
      s.start();
      server = s;
      upSinceNanos = System.nanoTime();
      generation++;
    }

    private HttpServer bind() throws Exception {
      // The port was ours a moment ago; a bind can still race the kernel's cleanup of the last
      // listener, so retry briefly rather than fail the soak over it.
      for (int i = 0; ; i++) {
        try {
          return HttpServer.create(new InetSocketAddress(Loopback.V4, port), 256);
        } catch (BindException e) {
          if (i >= 50) {
            throw e;
          }
          bindRetries.incrementAndGet();
          Thread.sleep(20);
        }
      }
    }

    synchronized void stop() throws InterruptedException {
      if (server == null) {
        return;
      }
      generation++;
      upSinceNanos = 0;
      server.stop(0);
      executor.shutdownNow();
      executor.awaitTermination(5, TimeUnit.SECONDS);
      server = null;
      executor = null;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Measurements

  /** Open descriptors, live threads and used heap after GC, at one moment. */
  private static final class Snapshot {
    final long descriptors;
    final int threadCount;
    final Set<Thread> threads;
    final long heap;

    private Snapshot(long descriptors, int threadCount, Set<Thread> threads, long heap) {
      this.descriptors = descriptors;
      this.threadCount = threadCount;
      this.threads = threads;
      this.heap = heap;
    }

    static Snapshot take() {
      long heap = heapAfterGc();
      OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
      long fds = os instanceof UnixOperatingSystemMXBean
          ? ((UnixOperatingSystemMXBean) os).getOpenFileDescriptorCount() : -1;
      Set<Thread> threads = Collections.newSetFromMap(new IdentityHashMap<>());
      threads.addAll(Thread.getAllStackTraces().keySet());
      return new Snapshot(fds, ManagementFactory.getThreadMXBean().getThreadCount(), threads,
          heap);
    }

    /**
     * Waits, up to {@link #SETTLE}, for idle pools to let their threads go: until every thread
     * that was not there before is one allowed to survive and is not a pool thread that expires.
     */
    static Snapshot settle(Snapshot before) throws InterruptedException {
      long end = System.nanoTime() + SETTLE.toNanos();
      Snapshot now = take();
      while (System.nanoTime() < end && !now.threadsNotIn(before).stream()
          .allMatch(SoakTest::longLived)) {
        Thread.sleep(500);
        now = take();
      }
      return now;
    }

    Set<Thread> threadsNotIn(Snapshot other) {
      Set<Thread> fresh = Collections.newSetFromMap(new IdentityHashMap<>());
      for (Thread t : threads) {
        if (t.isAlive() && !other.threads.contains(t)) {
          fresh.add(t);
        }
      }
      return fresh;
    }

    private static long heapAfterGc() {
      // Several collections: one may leave garbage a finalizer or reference queue frees next.
      for (int i = 0; i < 3; i++) {
        System.gc();
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
  }

  /** A thread that is meant to live for the JVM once started (the settle wait stops at these). */
  private static boolean longLived(Thread t) {
    String name = t.getName();
    return name.equals("refusal-coarse-clock") || name.equals("refusal-recovery-probe")
        || name.startsWith("OkHttp TaskRunner") || name.startsWith("Okio Watchdog");
  }

  private static boolean maySurvive(Thread t) {
    return t.isDaemon() && MAY_SURVIVE.stream().anyMatch(p -> t.getName().startsWith(p));
  }

  private static String names(Set<Thread> threads) {
    return threads.stream().map(Thread::getName).sorted().collect(Collectors.toList()).toString();
  }

  private static void sleepUntil(long nanoTime) {
    long left;
    while ((left = nanoTime - System.nanoTime()) > 0) {
      try {
        TimeUnit.NANOSECONDS.sleep(left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
