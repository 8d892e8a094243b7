package dev.refusal.examples;

import com.sun.net.httpserver.HttpServer;
import dev.refusal.DiagnosedConnectException;
import dev.refusal.Diagnoser;
import dev.refusal.Diagnosis;
import dev.refusal.Endpoint;
import dev.refusal.FailureKind;
import dev.refusal.GiveUpReason;
import dev.refusal.HostResolver;
import dev.refusal.RefusalGuard;
import dev.refusal.RefusalGuardConfig;
import dev.refusal.RefusalListener;
import dev.refusal.jdkhttp.RefusalHttpClient;
import dev.refusal.okhttp.RefusalDns;
import dev.refusal.okhttp.RefusalOkHttp;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.Dns;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help.Ansi;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code refusal demo}: five real failures made on this machine, each shown twice: what the
 * plain client says, and what the same client says and does with Refusal installed.
 *
 * <ol>
 *   <li>a service that is down (OkHttp): one call makes 7 attempts, a second call's failures
 *       open the circuit, later calls fail fast;
 *   <li>a service bound to 127.0.0.1, dialled at this host's interface address (OkHttp);
 *   <li>a service listening on IPv6 only, dialled over IPv4 (the JDK HttpClient);
 *   <li>a service that restarts while a POST is sent (OkHttp): the body arrives once;
 *   <li>a DNS answer cached after the service moved (OkHttp with {@link RefusalDns}).
 * </ol>
 *
 * <p>Every guard runs with the default settings ({@link RefusalGuardConfig#ofDefaults()}), and
 * the demo prints what the scenario relies on; the one guard with its own diagnoser says so.
 * Every server is on this machine; nothing beyond it is dialled. A scenario this machine
 * cannot make (no interface address, no IPv6) says so and the demo goes on. Colour only when the
 * output is a terminal.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    versionProvider = RefusalCli.Version.class,
    description = {"Makes five real connect failures on this machine and shows, for each, the"
        + " plain client beside the same client with Refusal."})
public final class DemoCommand implements Callable<Integer> {

  /** How long the restarting service of scenario 4 is down: inside the defaults' 2 s. */
  private static final long RESTART_MILLIS = 1_500;

  @Spec
  private CommandSpec spec;

  @Option(names = "--skip", split = ",", paramLabel = "N",
      description = "Scenarios to leave out, e.g. --skip 2,3.")
  private Set<Integer> skip = Set.of();

  private PrintWriter out;
  private final List<String> skipped = new ArrayList<>();
  private int shown;

  @Override
  public Integer call() throws Exception {
    out = spec.commandLine().getOut();
    long start = System.nanoTime();
    out.println(Ansi.AUTO.string("@|bold Refusal demo|@: each scenario is a real failure on"
        + " this machine, first through the plain client, then with Refusal."));
    run(1, "A service that is down", this::serviceDown);
    run(2, "A service bound to loopback, dialled at this host's interface address",
        this::loopbackOnlyBind);
    run(3, "A service on IPv6 only, dialled over IPv4", this::ipv6Only);
    run(4, "A service that restarts while a POST is sent", this::restart);
    run(5, "A DNS answer cached after the service moved", this::staleDns);
    out.println();
    out.printf(Locale.ROOT, "%s %d scenarios shown, %d skipped%s, in %.1f s.%n",
        Ansi.AUTO.string("@|bold Summary:|@"), shown, skipped.size(),
        skipped.isEmpty() ? "" : " (" + String.join("; ", skipped) + ")",
        (System.nanoTime() - start) / 1e9);
    out.flush();
    return RefusalCli.EXIT_CONNECTED;
  }

  /** One scenario's body; returns null when shown, or why it could not be made here. */
  private interface Scenario {
    String show() throws Exception;
  }

  private void run(int number, String title, Scenario scenario) {
    if (skip.contains(number)) {
      skipped.add(number + ": left out with --skip");
      return;
    }
    out.println();
    out.println(Ansi.AUTO.string("@|bold,cyan " + number + ". " + title + "|@"));
    String why;
    try {
      why = scenario.show();
    } catch (Exception e) {
      why = "it failed to run here: " + e;
    }
    if (why == null) {
      shown++;
    } else {
      line("skipped", why);
      skipped.add(number + ": " + why);
    }
    out.flush();
  }

  // ----------------------------------------------------------------------------- scenarios

  private String serviceDown() throws Exception {
    int port = closedPort(InetAddress.getByName("127.0.0.1"));
    String url = "http://127.0.0.1:" + port + "/orders";
    line("plain OkHttp", failureOf(() -> okGet(plainOkHttp(), url)));

    Attempts attempts = new Attempts();
    try (RefusalGuard guard = RefusalGuard.builder().listener(attempts).build()) {
      line("guard", "the defaults: " + defaultsInBrief(guard.config()));
      OkHttpClient client = RefusalOkHttp.install(new OkHttpClient.Builder(), guard).build();
      Diagnosis shownDiagnosis = null;
      for (int call = 1; call <= 4; call++) {
        attempts.reset();
        long t0 = System.nanoTime();
        Exception e = failureOf(() -> okGet(client, url));
        double ms = (System.nanoTime() - t0) / 1e6;
        String what;
        if (e instanceof DiagnosedConnectException
            && ((DiagnosedConnectException) e).isRejection()) {
          what = "rejected at once: the circuit is OPEN, nothing was dialled";
        } else if (e instanceof DiagnosedConnectException) {
          Diagnosis d = ((DiagnosedConnectException) e).diagnosis();
          shownDiagnosis = d;
          what = attempts.failed() + " attempt(s), then " + d.cause() + " (" + d.confidence()
              + "); " + givenUp(attempts.reason(), guard.config());
        } else {
          what = String.valueOf(e);
        }
        line(String.format(Locale.ROOT, "call %d %8.1f ms", call, ms), what);
      }
      if (shownDiagnosis != null) {
        diagnosis(shownDiagnosis);
      }
      shutdown(client);
    }
    return null;
  }

  /** The defaults this scenario shows, read from the guard so the line cannot go stale. */
  private static String defaultsInBrief(RefusalGuardConfig c) {
    return String.format(Locale.ROOT, "%d attempts per call in a %d s restart window, waits"
        + " from %d ms x%s (half to all of each ceiling); %d connect failures in a row open the"
        + " circuit", c.maxAttempts(), c.restartWindow().toSeconds(),
        c.initialBackoff().toMillis(), c.backoffMultiplier(), c.failureThreshold());
  }

  /** Why the call stopped, in the demo's words. */
  private static String givenUp(GiveUpReason reason, RefusalGuardConfig c) {
    if (reason == GiveUpReason.ATTEMPTS_USED_UP) {
      return "all " + c.maxAttempts() + " attempts used (" + reason + ")";
    }
    if (reason == GiveUpReason.CIRCUIT_OPEN) {
      return "failure " + c.failureThreshold() + " in a row opened the circuit; the call kept"
          + " waiting within its own limits (" + reason + ")";
    }
    return String.valueOf(reason);
  }

  private String loopbackOnlyBind() throws Exception {
    InetAddress iface = interfaceAddress();
    if (iface == null) {
      return "this machine has no non-loopback IPv4 interface address";
    }
    HttpServer server = server(InetAddress.getByName("127.0.0.1"), 0, null);
    try {
      int port = server.getAddress().getPort();
      String url = "http://" + iface.getHostAddress() + ":" + port + "/orders";
      line("server", "listens on 127.0.0.1:" + port + " only");
      line("plain OkHttp", failureOf(() -> okGet(plainOkHttp(), url)));
      Attempts attempts = new Attempts();
      try (RefusalGuard guard = RefusalGuard.builder().listener(attempts).build()) {
        OkHttpClient client = RefusalOkHttp.install(new OkHttpClient.Builder(), guard).build();
        Exception e = failureOf(() -> okGet(client, url));
        line("with Refusal", attempts.failed() + " attempt, no retry: a misconfiguration");
        diagnosisOf(e);
        shutdown(client);
      }
      return null;
    } finally {
      server.stop(0);
    }
  }

  private String ipv6Only() throws Exception {
    InetAddress v6 = InetAddress.getByName("::1");
    HttpServer server;
    try {
      server = server(v6, 0, null);
    } catch (IOException e) {
      return "this machine cannot listen on ::1 (no IPv6)";
    }
    try {
      int port = server.getAddress().getPort();
      URI uri = URI.create("http://127.0.0.1:" + port + "/orders");
      line("server", "listens on [::1]:" + port + " only");
      HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build();
      HttpClient plain = HttpClient.newHttpClient();
      line("plain JDK client", failureOf(() -> plain.send(request,
          HttpResponse.BodyHandlers.discarding())));
      try (RefusalGuard guard = RefusalGuard.defaults()) {
        HttpClient wrapped = RefusalHttpClient.wrap(HttpClient.newHttpClient(), guard);
        Exception e = failureOf(() -> wrapped.send(request,
            HttpResponse.BodyHandlers.discarding()));
        line("with Refusal", "one attempt, no retry: a misconfiguration");
        diagnosisOf(e);
      }
      return null;
    } finally {
      server.stop(0);
    }
  }

  private String restart() throws Exception {
    InetAddress loopback = InetAddress.getByName("127.0.0.1");
    int port = closedPort(loopback);
    String url = "http://127.0.0.1:" + port + "/orders";
    List<String> bodies = Collections.synchronizedList(new ArrayList<>());
    line("server", "down now; starts on port " + port + " in " + RESTART_MILLIS + " ms");
    line("plain OkHttp POST", failureOf(() -> okPost(plainOkHttp(), url, "{\"order\":42}")));

    CompletableFuture<HttpServer> restarted = CompletableFuture.supplyAsync(() -> {
      try {
        return server(loopback, port, bodies);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }, CompletableFuture.delayedExecutor(RESTART_MILLIS, TimeUnit.MILLISECONDS));
    Attempts attempts = new Attempts();
    OkHttpClient client = null;
    try (RefusalGuard guard = RefusalGuard.builder().listener(attempts).build()) {
      line("guard", "the defaults: a call rides out a restart of up to 2 s");
      client = RefusalOkHttp.install(new OkHttpClient.Builder(), guard).build();
      long t0 = System.nanoTime();
      String answer = okPost(client, url, "{\"order\":42}");
      line("with Refusal", String.format(Locale.ROOT,
          "%s after %d refused attempt(s) and %.0f ms of backoff", answer, attempts.failed(),
          (System.nanoTime() - t0) / 1e6));
      line("server received", bodies.size() + " POST body(ies): " + bodies
          + " (a refused connect sent no byte, so the retry was safe)");
    } finally {
      restarted.get(10, TimeUnit.SECONDS).stop(0);
      if (client != null) {
        shutdown(client);
      }
    }
    return null;
  }

  private String staleDns() throws Exception {
    InetAddress live = InetAddress.getByName("127.0.0.1");
    InetAddress stale = InetAddress.getByName("127.0.0.3");
    HttpServer server = server(live, 0, null);
    try {
      int port = server.getAddress().getPort();
      String url = "http://orders.demo:" + port + "/orders";
      // The JVM's cache (and this Dns) still hand out the old address; a fresh query has moved.
      Dns cached = hostname -> List.of(stale);
      HostResolver resolver = new HostResolver() {
        @Override
        public List<InetAddress> lookup(String host) {
          return List.of(stale);
        }

        @Override
        public List<InetAddress> lookupFresh(String host) {
          return List.of(live);
        }
      };
      line("DNS", "orders.demo: cached answer 127.0.0.3 (nothing there), fresh answer"
          + " 127.0.0.1 (the service)");
      OkHttpClient plain = plainOkHttp().newBuilder().dns(cached).build();
      line("plain OkHttp, 1st", failureOf(() -> okGet(plain, url)));
      line("plain OkHttp, 2nd", failureOf(() -> okGet(plain, url)));

      // Default settings; only the diagnoser is this scenario's, so it sees the DNS above.
      try (RefusalGuard guard = RefusalGuard.builder()
          .diagnoser(Diagnoser.builder().resolver(resolver).build()).build()) {
        line("guard", "the default settings; its diagnoser asks the DNS above");
        OkHttpClient client = RefusalOkHttp.install(new OkHttpClient.Builder()
            .dns(RefusalDns.of(cached, resolver)), guard).build();
        Exception first = failureOf(() -> okGet(client, url));
        line("with Refusal, 1st", first instanceof DiagnosedConnectException
            ? ((DiagnosedConnectException) first).diagnosis().cause() + ": the cached address is"
                + " dropped" : String.valueOf(first));
        String second;
        try {
          second = okGet(client, url) + " from the fresh address";
        } catch (IOException e) {
          second = String.valueOf(e);
        }
        line("with Refusal, 2nd", second);
        diagnosisOf(first);
        shutdown(client);
      }
      return null;
    } finally {
      server.stop(0);
    }
  }

  // ----------------------------------------------------------------------------- helpers

  /** Counts the guard's failed attempts per call, and hears why the call gave up. */
  private static final class Attempts extends RefusalListener {
    private final AtomicInteger failed = new AtomicInteger();
    private volatile GiveUpReason reason;

    @Override
    public void attemptFailed(Endpoint endpoint, int attempt, FailureKind kind,
        Throwable failure) {
      failed.incrementAndGet();
    }

    @Override
    public void callGaveUp(Endpoint endpoint, int attempts, Throwable thrown,
        GiveUpReason reason) {
      this.reason = reason;
    }

    void reset() {
      failed.set(0);
      reason = null;
    }

    int failed() {
      return failed.get();
    }

    GiveUpReason reason() {
      return reason;
    }
  }

  private interface Call {
    Object run() throws Exception;
  }

  private static Exception failureOf(Call call) {
    try {
      Object result = call.run();
      throw new IllegalStateException("expected a failure, got " + result);
    } catch (Exception e) {
      return e;
    }
  }

  private void diagnosisOf(Exception e) {
    if (e instanceof DiagnosedConnectException) {
      diagnosis(((DiagnosedConnectException) e).diagnosis());
    } else if (e.getCause() instanceof DiagnosedConnectException) {
      diagnosis(((DiagnosedConnectException) e.getCause()).diagnosis());
    } else {
      line("with Refusal", String.valueOf(e));
    }
  }

  private void diagnosis(Diagnosis d) {
    line("cause", Ansi.AUTO.string("@|bold,yellow " + d.cause() + "|@") + " (" + d.confidence()
        + " confidence)");
    line("found", d.summary());
    line("remedy", Ansi.AUTO.string("@|green " + d.remedy() + "|@"));
  }

  private void line(String label, Object text) {
    String shownText = text instanceof Exception ? plainMessage((Exception) text)
        : String.valueOf(text);
    out.printf(Locale.ROOT, "   %-20s %s%n", label, shownText);
  }

  /** What a plain client's exception says: its type and message, as a log line shows it. */
  private static String plainMessage(Exception e) {
    return Ansi.AUTO.string("@|red " + e.getClass().getName() + ": " + e.getMessage() + "|@");
  }

  private static OkHttpClient plainOkHttp() {
    return new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(10)).build();
  }

  private static String okGet(OkHttpClient client, String url) throws IOException {
    try (Response r = client.newCall(new Request.Builder().url(url).build()).execute()) {
      return "HTTP " + r.code();
    }
  }

  private static String okPost(OkHttpClient client, String url, String json)
      throws IOException {
    RequestBody body = RequestBody.create(json, MediaType.get("application/json"));
    try (Response r = client.newCall(new Request.Builder().url(url).post(body).build())
        .execute()) {
      return "HTTP " + r.code();
    }
  }

  private static void shutdown(OkHttpClient client) {
    client.dispatcher().executorService().shutdown();
    client.connectionPool().evictAll();
  }

  private static int closedPort(InetAddress address) throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, address)) {
      return s.getLocalPort();
    }
  }

  /** A small HTTP server answering 200; it records POST bodies when {@code bodies} is given. */
  private static HttpServer server(InetAddress address, int port, List<String> bodies)
      throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(address, port), 50);
    ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "demo-server");
      t.setDaemon(true);
      return t;
    });
    server.createContext("/", exchange -> {
      try (InputStream in = exchange.getRequestBody()) {
        String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        if (bodies != null && !body.isEmpty()) {
          bodies.add(body);
        }
      }
      byte[] answer = "ok".getBytes(StandardCharsets.US_ASCII);
      exchange.sendResponseHeaders(200, answer.length);
      try (OutputStream o = exchange.getResponseBody()) {
        o.write(answer);
      }
    });
    server.setExecutor(executor);
    server.start();
    return server;
  }

  /** This host's first non-loopback IPv4 interface address, or null. */
  private static InetAddress interfaceAddress() throws IOException {
    List<NetworkInterface> all = Collections.list(NetworkInterface.getNetworkInterfaces());
    for (NetworkInterface nif : all) {
      if (!nif.isUp() || nif.isLoopback()) {
        continue;
      }
      for (InterfaceAddress a : nif.getInterfaceAddresses()) {
        if (a.getAddress() instanceof Inet4Address && !a.getAddress().isLinkLocalAddress()) {
          return a.getAddress();
        }
      }
    }
    return null;
  }
}
