package dev.refusal;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.refusal.testing.FakeSystemView;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Run in a child JVM with a low {@code ulimit -n}: uses up every descriptor, dials a closed
 * loopback port, diagnoses the real failure while still exhausted, then prints one JSON line.
 */
public final class FdExhaustionScenario {

  private FdExhaustionScenario() {}

  public static void main(String[] args) throws Exception {
    InetAddress loopback = InetAddress.getByName("127.0.0.1");
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, loopback)) {
      port = s.getLocalPort();
    }
    Diagnoser diagnoser = Diagnoser.builder().system(FakeSystemView.noContainer()).build();
    ObjectMapper json = new ObjectMapper();
    // Load every class the diagnosis and the report need while descriptors remain: class
    // loading opens files.
    diagnoser.diagnose(Endpoint.of("127.0.0.1", 1), new SocketException("Too many open files"))
        .toString();
    json.writeValueAsString(Map.of("warm", List.of(1)));

    List<InputStream> hoard = new ArrayList<>();
    Map<String, Object> out = new LinkedHashMap<>();
    try {
      IOException failure = null;
      // A descriptor can come free between filling and dialling (a cleaner thread closing a
      // stale stream): fill again and redial, a bounded number of times.
      for (int round = 0; round < 20; round++) {
        while (hoard.size() < 100_000) {
          try {
            hoard.add(new FileInputStream("/dev/null"));
          } catch (IOException e) {
            break;
          }
        }
        try (Socket socket = new Socket()) {
          socket.connect(new InetSocketAddress(loopback, port), 1_000);
        } catch (IOException e) {
          failure = e;
        }
        if (failure != null && FailureKind.of(failure) == FailureKind.LOCAL_FD_EXHAUSTED) {
          break;
        }
      }
      Diagnosis d = diagnoser.diagnose(Endpoint.of("127.0.0.1", port), failure);
      out.put("failure", String.valueOf(failure));
      out.put("kind", d.kind().name());
      out.put("cause", d.cause().name());
      out.put("confidence", d.confidence().name());
      out.put("diagnosis", d.toString());
    } finally {
      for (InputStream in : hoard) {
        in.close();
      }
    }
    out.put("held", hoard.size());
    System.out.println(json.writeValueAsString(out));
  }
}
