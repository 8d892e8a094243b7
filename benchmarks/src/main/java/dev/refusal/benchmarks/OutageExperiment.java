package dev.refusal.benchmarks;

import com.sun.net.httpserver.HttpServer;
import dev.refusal.RefusalGuard;
import dev.refusal.jdkhttp.RefusalHttpClient;
import dev.refusal.okhttp.RefusalOkHttp;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.retry.Retry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * The outage experiment: a fixed request rate at a real local HTTP server that stops for a while
 * and comes back, for every client setup, reporting what each setup costs the recovering
 * service and its callers.
 *
 * <p>One run: a fresh client, 200 requests/s from 8 threads; the server runs for 2 s, stops for
 * 5 s, then runs for 3 s more; then the client is closed. Each setup gets five runs (system
 * property {@code outage.rounds}), the setups taking turns. Reported: TCP connects the client
 * made while the server was down (read from the kernel's {@code Tcp: ActiveOpens} counter, so
 * probes and retries count too; exact when run alone in a network namespace, as {@code run.sh}
 * does), requests failed (and of those, requests due after the return), time from the server's
 * return to the first success, and the p50/p99 latency of failed calls. Bounded: every run stops
 * by itself after 10 s of load, the whole experiment after about four minutes.
 * {@code -Doutage.trace=true} prints every request around the return.
 *
 * <p>{@code java -cp benchmarks/target/benchmarks.jar dev.refusal.benchmarks.OutageExperiment
 * OUTPUT_MD [SETUP]}, where SETUP (optional) runs only the setups whose name contains it.
 */
public final class OutageExperiment {

  private static final int RATE_PER_SECOND = 200;
  private static final int THREADS = 8;
  private static final long BEFORE_MILLIS = 2_000;
  private static final long OUTAGE_MILLIS = 5_000;
  private static final long AFTER_MILLIS = 3_000;
  private static final int ROUNDS = Integer.getInteger("outage.rounds", 5);

  /** A client setup: sends one GET and returns, or throws. */
  interface Setup extends AutoCloseable {
    void get(URI uri) throws Exception;

    @Override
    default void close() {}
  }

  /** What one run measured. */
  static final class Result {
    long connectsDuringOutage;
    long failed;
    long failedAfterReturn;
    long total;
    long recoveryMicros = -1;
    List<Double> failureMillis = new ArrayList<>();
  }

  private OutageExperiment() {}

  public static void main(String[] args) throws Exception {
    // The JDK's server writes headers and body apart; with Nagle on, a delayed ACK stalls some
    // responses 40 ms, noise that would swamp the recovery times.
    System.setProperty("sun.net.httpserver.nodelay", "true");
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    URI uri = URI.create("http://127.0.0.1:" + port + "/");
    Map<String, Function<URI, Setup>> setups = new LinkedHashMap<>();
    setups.put("OkHttp, plain", u -> okhttp(new OkHttpClient.Builder()));
    setups.put("OkHttp + resilience4j Retry(3) + CircuitBreaker (defaults)",
        u -> okhttpWithResilience4j());
    setups.put("OkHttp + Refusal (defaults)",
        u -> okhttp(RefusalOkHttp.install(new OkHttpClient.Builder(), RefusalGuard.defaults())));
    setups.put("JDK HttpClient, plain", u -> jdk(HttpClient.newHttpClient()));
    setups.put("JDK HttpClient + Refusal (defaults)",
        u -> jdk(RefusalHttpClient.wrap(HttpClient.newHttpClient(), RefusalGuard.defaults())));

    StringBuilder md = new StringBuilder();
    md.append("## Outage experiment\n\n")
        .append(String.format(Locale.ROOT, "%d requests/s from %d threads at a local HTTP server"
            + " that is up %d s, down %d s, then up %d s; a request's latency counts from when"
            + " it was due, queueing included; requests still queued at the end are not sent."
            + " Connects are the kernel's TCP ActiveOpens while the server was down (%s)."
            + " Logging at %s.%n%n", RATE_PER_SECOND, THREADS,
            BEFORE_MILLIS / 1000, OUTAGE_MILLIS / 1000, AFTER_MILLIS / 1000,
            System.getenv("REFUSAL_OUTAGE_NETNS") != null ? "counted in the experiment's own"
                + " network namespace" : "counted system-wide: other traffic on the machine"
                + " adds to it",
            System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "info").toUpperCase(
                Locale.ROOT)))
        .append(String.format(Locale.ROOT, "Each setup met %d outages, one at a time, the"
            + " setups taking turns. Connects and recovery are the median outage's, with every"
            + " outage's in brackets; failed requests and failing-call latencies are over all"
            + " %d.%n%n", ROUNDS, ROUNDS))
        .append("\"Failed after return\" counts requests due after the server was back that"
            + " failed, every outage together; \"recovery\" is the time from the server's"
            + " return to the first success, so it holds the first response's latency on a"
            + " fresh server (one to several ms on this machine, different each time).\n\n")
        .append("| setup | connects during outage | requests failed / sent |"
            + " failed after return | recovery after return | failing call p50 |"
            + " failing call p99 |\n")
        .append("|---|---|---|---|---|---|---|\n");
    String only = args.length > 1 ? args[1].toLowerCase(Locale.ROOT) : "";
    setups.keySet().removeIf(name -> !name.toLowerCase(Locale.ROOT).contains(only));
    // Rounds outside, setups inside: a drift in the machine's state spreads over every setup
    // instead of landing on one.
    Map<String, List<Result>> results = new LinkedHashMap<>();
    for (int round = 1; round <= ROUNDS; round++) {
      for (Map.Entry<String, Function<URI, Setup>> e : setups.entrySet()) {
        Result r;
        try (Setup setup = e.getValue().apply(uri)) {
          r = run(setup, uri, port);
        }
        System.out.printf(Locale.ROOT, "round %d, %s: %d connects, recovery %s%n", round,
            e.getKey(), r.connectsDuringOutage, recovery(r.recoveryMicros));
        results.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(r);
      }
    }
    for (Map.Entry<String, List<Result>> e : results.entrySet()) {
      String line = row(e.getKey(), e.getValue());
      System.out.println(line);
      md.append(line).append('\n');
    }
    if (args.length > 0) {
      Files.writeString(Path.of(args[0]), md.toString(), StandardCharsets.UTF_8);
    }
  }

  static Result run(Setup setup, URI uri, int port) throws Exception {
    Result result = new Result();
    HttpServer[] server = {startServer(port)};
    long start = System.nanoTime();
    long outageStart = start + TimeUnit.MILLISECONDS.toNanos(BEFORE_MILLIS);
    long outageEnd = outageStart + TimeUnit.MILLISECONDS.toNanos(OUTAGE_MILLIS);
    long end = outageEnd + TimeUnit.MILLISECONDS.toNanos(AFTER_MILLIS);
    List<Double> failureMillis = Collections.synchronizedList(new ArrayList<>());
    AtomicLong firstSuccessAfterReturn = new AtomicLong(-1);
    AtomicLong failed = new AtomicLong();
    AtomicLong failedAfterReturn = new AtomicLong();
    AtomicLong returnedAt = new AtomicLong(Long.MAX_VALUE);
    AtomicLong total = new AtomicLong();
    ExecutorService workers = Executors.newFixedThreadPool(THREADS);
    ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();
    long periodNanos = 1_000_000_000L / RATE_PER_SECOND;
    pacer.scheduleAtFixedRate(() -> {
      if (System.nanoTime() >= end) {
        return;
      }
      // Latency counts from when the request was due, so time queued behind slow calls (a
      // client that retries in place) counts against that client.
      long t0 = System.nanoTime();
      workers.execute(() -> {
        long began = System.nanoTime();
        total.incrementAndGet();
        try {
          setup.get(uri);
          if (t0 >= outageEnd) {
            firstSuccessAfterReturn.compareAndSet(-1, System.nanoTime());
          }
          if (Boolean.getBoolean("outage.trace") && t0 >= outageEnd - 20_000_000L
              && t0 < outageEnd + 40_000_000L) {
            System.out.printf(Locale.ROOT, "due %.3f began %.3f ok at %.3f%n",
                (t0 - start) / 1e6, (began - start) / 1e6, (System.nanoTime() - start) / 1e6);
          }
        } catch (Exception e) {
          if (Boolean.getBoolean("outage.trace") && t0 >= outageEnd - 20_000_000L) {
            System.out.printf(Locale.ROOT, "due %.3f began %.3f failed at %.3f: %s%n",
                (t0 - start) / 1e6, (began - start) / 1e6, (System.nanoTime() - start) / 1e6, e);
          }
          failed.incrementAndGet();
          if (t0 - returnedAt.get() >= 0) {
            failedAfterReturn.incrementAndGet();
          }
          failureMillis.add((System.nanoTime() - t0) / 1e6);
        }
      });
    }, 0, periodNanos, TimeUnit.NANOSECONDS);

    sleepUntil(outageStart);
    stopServer(server[0]);
    long opensBefore = activeOpens();
    sleepUntil(outageEnd);
    long opensAfter = activeOpens();
    long returning = System.nanoTime();
    server[0] = startServer(port);
    long returned = System.nanoTime();
    returnedAt.set(returned);
    if (Boolean.getBoolean("outage.trace")) {
      System.out.printf(Locale.ROOT, "returning at %.3f, returned at %.3f ms%n",
          (returning - start) / 1e6, (returned - start) / 1e6);
    }
    sleepUntil(end);
    pacer.shutdownNow();
    workers.shutdown();
    // In-flight calls may finish; requests still queued at the end are never sent.
    if (!workers.awaitTermination(5, TimeUnit.SECONDS)) {
      workers.shutdownNow();
      workers.awaitTermination(5, TimeUnit.SECONDS);
    }
    stopServer(server[0]);

    result.connectsDuringOutage = opensAfter - opensBefore;
    result.failed = failed.get();
    result.failedAfterReturn = failedAfterReturn.get();
    result.total = total.get();
    long first = firstSuccessAfterReturn.get();
    result.recoveryMicros = first < 0 ? -1 : Math.max(0, (first - returned) / 1_000);
    synchronized (failureMillis) {
      result.failureMillis.addAll(failureMillis);
    }
    return result;
  }

  /** One table row from every round of one setup. */
  static String row(String setup, List<Result> rounds) {
    List<Long> connects = new ArrayList<>();
    List<Long> recoveries = new ArrayList<>();
    List<Double> failures = new ArrayList<>();
    long failed = 0;
    long failedAfterReturn = 0;
    long total = 0;
    for (Result r : rounds) {
      connects.add(r.connectsDuringOutage);
      // An outage never recovered from sorts last.
      recoveries.add(r.recoveryMicros < 0 ? Long.MAX_VALUE : r.recoveryMicros);
      failures.addAll(r.failureMillis);
      failed += r.failed;
      failedAfterReturn += r.failedAfterReturn;
      total += r.total;
    }
    List<Long> sortedConnects = new ArrayList<>(connects);
    Collections.sort(sortedConnects);
    List<Long> sortedRecoveries = new ArrayList<>(recoveries);
    Collections.sort(sortedRecoveries);
    Collections.sort(failures);
    StringBuilder everyRecovery = new StringBuilder();
    for (long r : recoveries) {
      everyRecovery.append(everyRecovery.length() == 0 ? "" : ", ")
          .append(recovery(r == Long.MAX_VALUE ? -1 : r));
    }
    long median = sortedRecoveries.get(sortedRecoveries.size() / 2);
    return String.format(Locale.ROOT,
        "| %s | %d (%s) | %d / %d | %d | %s (%s) | %.1f ms | %.1f ms |",
        setup, sortedConnects.get(sortedConnects.size() / 2),
        connects.toString().replaceAll("[\\[\\]]", ""), failed, total, failedAfterReturn,
        recovery(median == Long.MAX_VALUE ? -1 : median), everyRecovery,
        percentile(failures, 0.50), percentile(failures, 0.99));
  }

  private static String recovery(long micros) {
    return micros < 0 ? "never" : String.format(Locale.ROOT, "%.1f ms", micros / 1000.0);
  }

  private static HttpServer startServer(int port) {
    IOException last = null;
    for (int i = 0; i < 50; i++) {
      try {
        // Bound just before it starts, so "returned" is when it listens and serves alike: a
        // server that listens long before it serves holds early connects in its accept queue.
        HttpServer s = HttpServer.create();
        s.createContext("/", exchange -> {
          byte[] body = "ok".getBytes(StandardCharsets.US_ASCII);
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
        ExecutorService handlers = Executors.newFixedThreadPool(4);
        s.setExecutor(handlers);
        try {
          s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 200);
        } catch (IOException e) {
          handlers.shutdownNow();
          throw e;
        }
        s.start();
        return s;
      } catch (IOException e) {
        last = e;
        try {
          Thread.sleep(20);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    throw new UncheckedIOException("could not listen on port " + port, last);
  }

  private static void stopServer(HttpServer s) {
    s.stop(0);
    // The handler threads are not daemons: left running, they keep the JVM from exiting.
    ((ExecutorService) s.getExecutor()).shutdownNow();
  }

  /** {@code Tcp: ActiveOpens} from /proc/net/snmp: connects this network namespace started. */
  static long activeOpens() throws IOException {
    List<String> lines = Files.readAllLines(Path.of("/proc/net/snmp"));
    for (int i = 0; i + 1 < lines.size(); i++) {
      if (lines.get(i).startsWith("Tcp:") && lines.get(i + 1).startsWith("Tcp:")) {
        String[] names = lines.get(i).split("\\s+");
        String[] values = lines.get(i + 1).split("\\s+");
        for (int k = 0; k < names.length; k++) {
          if (names[k].equals("ActiveOpens")) {
            return Long.parseLong(values[k]);
          }
        }
      }
    }
    return -1;
  }

  private static double percentile(List<Double> sorted, double p) {
    if (sorted.isEmpty()) {
      return 0;
    }
    return sorted.get((int) Math.min(sorted.size() - 1, Math.floor(p * sorted.size())));
  }

  private static void sleepUntil(long nanoTime) throws InterruptedException {
    long left = nanoTime - System.nanoTime();
    if (left > 0) {
      TimeUnit.NANOSECONDS.sleep(left);
    }
  }

  static OkHttpClient.Builder okhttpDefaults(OkHttpClient.Builder b) {
    return b.connectTimeout(Duration.ofSeconds(1)).callTimeout(Duration.ofSeconds(3));
  }

  static Setup okhttp(OkHttpClient.Builder builder) {
    OkHttpClient client = okhttpDefaults(builder).build();
    return new Setup() {
      @Override
      public void get(URI uri) throws IOException {
        try (Response r = client.newCall(new Request.Builder().url(uri.toString()).build())
            .execute()) {
          r.body().string();
        }
      }

      @Override
      public void close() {
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
      }
    };
  }

  static Setup okhttpWithResilience4j() {
    Setup plain = okhttp(new OkHttpClient.Builder());
    CircuitBreaker breaker = CircuitBreaker.ofDefaults("outage");
    Retry retry = Retry.ofDefaults("outage");
    return new Setup() {
      @Override
      public void get(URI uri) throws Exception {
        Callable<Void> call = () -> {
          plain.get(uri);
          return null;
        };
        CircuitBreaker.decorateCallable(breaker, Retry.decorateCallable(retry, call)).call();
      }

      @Override
      public void close() {
        plain.close();
      }
    };
  }

  static Setup jdk(HttpClient client) {
    return new Setup() {
      @Override
      public void get(URI uri) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri)
            .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
          throw new IOException("HTTP " + r.statusCode());
        }
      }
    };
  }
}
