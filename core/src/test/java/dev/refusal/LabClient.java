package dev.refusal;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.refusal.testing.FakeSystemView;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The client side of a lab scenario, run in a child JVM inside a lab host. It makes the real
 * failure, diagnoses it, and prints one JSON line: {@code kind}, {@code cause}, {@code
 * confidence}, {@code headline}, {@code failure}.
 *
 * <ul>
 *   <li>{@code dial ADDRESS PORT [TIMEOUT_MS]}: one connect;
 *   <li>{@code exhaust ADDRESS PORT MAX}: holds connections until a connect fails;
 *   <li>{@code queue}: a listener here with backlog 1 that never accepts, hit until a connect
 *       times out;
 *   <li>{@code stale NAME PORT CONTROL_FILE NEW_ADDRESS}: resolves NAME (the JVM caches it), moves
 *       the lab DNS answer to NEW_ADDRESS, then dials the cached address;
 *   <li>{@code guard ADDRESS PORT CALLS}: CALLS calls through a {@link RefusalGuard} (breaker
 *       after 3 failures, 3 attempts per call), reporting dials, rejections, the breaker's state
 *       and the last exception a user sees.
 * </ul>
 */
public final class LabClient {

  private LabClient() {}

  public static void main(String[] args) throws Exception {
    // The lab shares the machine's file system and its container markers; scenarios are about
    // the network, so the markers are left out.
    Diagnoser diagnoser = Diagnoser.builder().system(FakeSystemView.noContainer()).build();
    switch (args[0]) {
      case "dial": {
        InetAddress address = InetAddress.getByName(args[1]);
        int port = Integer.parseInt(args[2]);
        int timeout = args.length > 3 ? Integer.parseInt(args[3]) : 2_000;
        IOException failure = dial(address, port, timeout);
        report(diagnoser, Endpoint.of(args[1], port)
            .withAddress(new InetSocketAddress(address, port)), failure);
        break;
      }
      case "exhaust": {
        InetAddress address = InetAddress.getByName(args[1]);
        int port = Integer.parseInt(args[2]);
        int max = Integer.parseInt(args[3]);
        List<Socket> held = new ArrayList<>();
        IOException failure = null;
        try {
          for (int i = 0; i < max && failure == null; i++) {
            Socket s = new Socket();
            try {
              s.connect(new InetSocketAddress(address, port), 2_000);
              held.add(s);
            } catch (IOException e) {
              s.close();
              failure = e;
            }
          }
          report(diagnoser, Endpoint.of(args[1], port)
              .withAddress(new InetSocketAddress(address, port)), failure);
        } finally {
          for (Socket s : held) {
            s.close();
          }
        }
        break;
      }
      case "queue": {
        List<Socket> held = new ArrayList<>();
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        try (ServerSocket server = new ServerSocket(0, 1, loopback)) {
          IOException failure = null;
          for (int i = 0; i < 16 && failure == null; i++) {
            Socket s = new Socket();
            held.add(s);
            try {
              s.connect(new InetSocketAddress(loopback, server.getLocalPort()), 300);
            } catch (IOException e) {
              failure = e;
            }
          }
          report(diagnoser, Endpoint.of("127.0.0.1", server.getLocalPort()), failure);
        } finally {
          for (Socket s : held) {
            s.close();
          }
        }
        break;
      }
      case "stale": {
        String name = args[1];
        int port = Integer.parseInt(args[2]);
        InetAddress cached = InetAddress.getByName(name);
        Files.writeString(Path.of(args[3]), args[4], StandardCharsets.US_ASCII);
        IOException failure = dial(cached, port, 2_000);
        // The real resolvers: the JVM's (which still caches the old answer) and a fresh query
        // to the lab's DNS server.
        Diagnoser real = Diagnoser.builder().system(FakeSystemView.noContainer())
            .resolver(HostResolver.system()).build();
        report(real, Endpoint.of(name, port).withAddress(new InetSocketAddress(cached, port)),
            failure);
        break;
      }
      case "guard": {
        InetAddress address = InetAddress.getByName(args[1]);
        int port = Integer.parseInt(args[2]);
        int calls = Integer.parseInt(args[3]);
        RefusalGuard guard = RefusalGuard.builder().diagnoser(diagnoser).failureThreshold(3)
            .maxAttempts(3).backoff(java.time.Duration.ofMillis(20), 1.6,
                java.time.Duration.ofMillis(100)).build();
        Endpoint endpoint = Endpoint.of(args[1], port);
        java.util.concurrent.atomic.AtomicInteger dials =
            new java.util.concurrent.atomic.AtomicInteger();
        int rejected = 0;
        Exception last = null;
        for (int i = 0; i < calls; i++) {
          int before = dials.get();
          try {
            guard.call(endpoint, () -> {
              dials.incrementAndGet();
              try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(address, port), 2_000);
              }
              return null;
            });
          } catch (Exception e) {
            last = e;
            if (dials.get() == before) {
              rejected++;
            }
          }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("calls", calls);
        out.put("dials", dials.get());
        out.put("rejected", rejected);
        out.put("state", guard.circuitState(endpoint).name());
        out.put("exception", last == null ? null : last.getClass().getName());
        out.put("message", last == null ? null : last.getMessage());
        System.out.println(new ObjectMapper().writeValueAsString(out));
        break;
      }
      default:
        throw new IllegalArgumentException("unknown scenario " + args[0]);
    }
  }

  private static IOException dial(InetAddress address, int port, int timeoutMillis) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(address, port), timeoutMillis);
      return null;
    } catch (IOException e) {
      return e;
    }
  }

  /** Diagnoses {@code failure} and prints the JSON line. */
  static void report(Diagnoser diagnoser, Endpoint endpoint, Throwable failure)
      throws IOException {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("port", endpoint.port());
    out.put("failure", String.valueOf(failure));
    if (failure != null) {
      Diagnosis d = diagnoser.diagnose(endpoint, failure);
      out.put("kind", d.kind().name());
      out.put("cause", d.cause().name());
      out.put("confidence", d.confidence().name());
      out.put("headline", d.headline());
      out.put("diagnosis", d.toString());
    }
    System.out.println(new ObjectMapper().writeValueAsString(out));
  }
}
