package dev.refusal.internal.diagnosis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.refusal.testing.ChildJvm;
import dev.refusal.testing.FullAcceptQueue;
import dev.refusal.testing.Loopback;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The kernel's exact listener lookup against real sockets, beside the {@code /proc} table it
 * stands in for. It exists on Linux with JDK 22+ and native access granted (the test build
 * grants it on JDK 22+); elsewhere the tests that need it skip, saying so.
 */
@DisplayName("ExactListenerLookup")
class ExactListenerLookupTest {

  private static final String NEEDS = "needs the exact lookup: Linux, JDK 22+ and"
      + " --enable-native-access (the test build grants it on JDK 22+)";

  private static ExactListenerLookup lookup() {
    ExactListenerLookup lookup = ExactListenerLookup.system();
    assumeTrue(lookup != null, NEEDS);
    return lookup;
  }

  private static long soon() {
    return System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
  }

  private static List<String> describe(List<ListenerTable.Row> rows) {
    List<String> out = new ArrayList<>();
    for (ListenerTable.Row r : rows) {
      out.add(r.localText() + (r.fromTcp6 ? " ipv6-socket" : " ipv4-socket")
          + (r.v6OnlyKnown ? (r.v6Only ? " v6only" : " dual") : ""));
    }
    return out;
  }

  private static List<String> tableRows(int port) {
    List<String> out = new ArrayList<>();
    for (ListenerTable.Row r : ListenerTable.read(RealSystemView.tableOnly()).listenersOn(port)) {
      out.add(r.localText() + (r.fromTcp6 ? " ipv6-socket" : " ipv4-socket"));
    }
    return out;
  }

  @Nested
  @DisplayName("on this host's sockets")
  class RealSockets {

    @Test
    @DisplayName("a Java listener on 127.0.0.1 is an IPv6 socket bound to the mapped address,"
        + " as /proc/net/tcp6 shows it, and covers 127.0.0.1 only")
    void loopbackV4() throws Exception {
      ExactListenerLookup lookup = lookup();
      try (ServerSocket s = new ServerSocket(0, 50, Loopback.V4)) {
        List<ListenerTable.Row> rows = lookup.listenersOn(s.getLocalPort(), soon());
        assertThat(describe(rows)).containsExactly("127.0.0.1:" + s.getLocalPort()
            + " ipv6-socket dual");
        assertThat(tableRows(s.getLocalPort())).containsExactly("127.0.0.1:" + s.getLocalPort()
            + " ipv6-socket");
        assertThat(ListenerTable.accepts(rows.get(0), Loopback.V4)).isTrue();
        assertThat(ListenerTable.accepts(rows.get(0), Loopback.V6)).isFalse();
      }
    }

    @Test
    @DisplayName("a dual-stack listener on :: is known to take IPv4 connects, which the table"
        + " cannot tell")
    void dualStackWildcard() throws Exception {
      ExactListenerLookup lookup = lookup();
      assumeTrue(Loopback.ipv6Available(), "needs IPv6 on loopback");
      try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.INET6)) {
        s.bind(new InetSocketAddress(InetAddress.getByName("::"), 0));
        int port = ((InetSocketAddress) s.getLocalAddress()).getPort();
        List<ListenerTable.Row> rows = lookup.listenersOn(port, soon());
        assertThat(describe(rows)).containsExactly("[::]:" + port + " ipv6-socket dual");
        assertThat(ListenerTable.accepts(rows.get(0), Loopback.V4)).isTrue();
        ListenerTable.Row fromTable = ListenerTable.read(RealSystemView.tableOnly())
            .listenersOn(port).get(0);
        assertThat(ListenerTable.accepts(fromTable, Loopback.V4))
            .as("the table's :: row may be v6-only, so it is not counted for IPv4").isFalse();
      }
    }

    @Test
    @DisplayName("a listener on ::1 is v6-only and covers ::1 only")
    void loopbackV6() throws Exception {
      ExactListenerLookup lookup = lookup();
      assumeTrue(Loopback.ipv6Available(), "needs IPv6 on loopback");
      try (ServerSocket s = new ServerSocket(0, 50, Loopback.V6)) {
        List<ListenerTable.Row> rows = lookup.listenersOn(s.getLocalPort(), soon());
        assertThat(describe(rows)).containsExactly("[::1]:" + s.getLocalPort()
            + " ipv6-socket v6only");
        assertThat(ListenerTable.accepts(rows.get(0), Loopback.V4)).isFalse();
        assertThat(ListenerTable.accepts(rows.get(0), Loopback.V6)).isTrue();
      }
    }

    @Test
    @DisplayName("two listeners on one port (127.0.0.1 and ::1) are both listed; a closed port"
        + " and a listener that stopped list none")
    void severalAndNone() throws Exception {
      ExactListenerLookup lookup = lookup();
      assumeTrue(Loopback.ipv6Available(), "needs IPv6 on loopback");
      int port;
      try (ServerSocket v4 = new ServerSocket(0, 50, Loopback.V4)) {
        port = v4.getLocalPort();
        try (ServerSocket v6 = new ServerSocket(port, 50, Loopback.V6)) {
          assertThat(describe(lookup.listenersOn(port, soon()))).containsExactlyInAnyOrder(
              "127.0.0.1:" + port + " ipv6-socket dual", "[::1]:" + port + " ipv6-socket v6only");
        }
      }
      assertThat(lookup.listenersOn(port, soon())).isEmpty();
      assertThat(lookup.listenersOn(Loopback.closedPort(Loopback.V4), soon())).isEmpty();
    }

    @Test
    @DisplayName("the accept queue of a LISTEN socket is its waiting connections, as in the table")
    void acceptQueue() {
      ExactListenerLookup lookup = lookup();
      try (FullAcceptQueue full = FullAcceptQueue.open()) {
        assumeTrue(full.isFull(), "the accept queue could not be filled here");
        int port = full.address().getPort();
        List<ListenerTable.Row> rows = lookup.listenersOn(port, soon());
        assertThat(rows).hasSize(1);
        long fromTable = ListenerTable.read(RealSystemView.tableOnly()).listenersOn(port).get(0)
            .rxQueue;
        assertThat(rows.get(0).rxQueue).isEqualTo(fromTable).isGreaterThan(0);
      }
    }

    @Test
    @DisplayName("a deadline already past gets no answer, so the caller reads the table")
    void deadlinePassed() {
      ExactListenerLookup lookup = lookup();
      assertThat(lookup.listenersOn(80, System.nanoTime() - 1)).isNull();
    }

    @Test
    @DisplayName("a port out of range gets no answer, nor port 0 (to the kernel: every port)")
    void badPort() {
      ExactListenerLookup lookup = lookup();
      assertThat(lookup.listenersOn(0, soon())).isNull();
      assertThat(lookup.listenersOn(65_536, soon())).isNull();
      assertThat(lookup.listenersOn(-1, soon())).isNull();
    }

    @Test
    @DisplayName("a v6-only listener on :: is known to be v6-only, so it does not cover an IPv4"
        + " address")
    void v6OnlyWildcard() throws Exception {
      ExactListenerLookup lookup = lookup();
      assumeTrue(Loopback.ipv6Available(), "needs IPv6 on loopback");
      // The JDK clears IPV6_V6ONLY on every IPv6 socket it opens, so another program listens.
      Path python = Path.of("/usr/bin/python3");
      assumeTrue(Files.isExecutable(python),
          "needs /usr/bin/python3 to open a v6-only listener (the JDK cannot)");
      Process p = new ProcessBuilder(python.toString(), "-c", String.join("\n",
          "import socket, sys",
          "s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)",
          "s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)",
          "s.bind(('::', 0))",
          "s.listen(5)",
          "print(s.getsockname()[1], flush=True)",
          "sys.stdin.read()")).redirectErrorStream(true).start();
      try {
        String line = new BufferedReader(new InputStreamReader(p.getInputStream(),
            StandardCharsets.US_ASCII)).readLine();
        assertThat(line).as("the listener's port").matches("[0-9]+");
        int port = Integer.parseInt(line);
        List<ListenerTable.Row> rows = lookup.listenersOn(port, soon());
        assertThat(describe(rows)).containsExactly("[::]:" + port + " ipv6-socket v6only");
        assertThat(ListenerTable.accepts(rows.get(0), Loopback.V4)).isFalse();
        assertThat(ListenerTable.accepts(rows.get(0), Loopback.V6)).isTrue();
      } finally {
        p.getOutputStream().close();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      }
    }
  }

  /** Run in a child JVM: prints whether the lookup exists, then a listener's rows. */
  public static final class Probe {
    public static void main(String[] args) throws Exception {
      ExactListenerLookup lookup = ExactListenerLookup.system();
      if (lookup == null) {
        System.out.println("lookup none");
        return;
      }
      try (ServerSocket s = new ServerSocket()) {
        // The wildcard of the JDK's default (IPv6, dual-stack unless the host says otherwise).
        s.bind(new InetSocketAddress(0));
        System.out.println("lookup " + String.join(",",
            describe(lookup.listenersOn(s.getLocalPort(), soon())))
            .replace(":" + s.getLocalPort(), ":PORT"));
      }
    }
  }

  @Nested
  @DisplayName("in a JVM of its own")
  class ChildJvms {

    @Test
    @DisplayName("without --enable-native-access there is no lookup and the JVM prints no"
        + " warning, on every JDK")
    void noGrantNoLookupNoWarning() {
      ChildJvm.Result r = ChildJvm.main(Probe.class).run();
      assertThat(r.exitCode()).as("%s", r).isZero();
      assertThat(r.stdout()).containsExactly("lookup none");
      assertThat(String.join("\n", r.stderr())).doesNotContain("WARNING");
    }

    @Test
    @DisplayName("with native access granted on JDK 22+ there is a lookup, and no warning")
    void grantedLookupNoWarning() {
      assumeTrue(Runtime.version().feature() >= 22, "the lookup needs JDK 22+");
      assumeTrue(ExactListenerLookup.system() != null, NEEDS);
      ChildJvm.Result r = ChildJvm.main(Probe.class)
          .jvmOption("--enable-native-access=ALL-UNNAMED").run();
      assertThat(r.exitCode()).as("%s", r).isZero();
      assertThat(r.stdout()).containsExactly("lookup [::]:PORT ipv6-socket dual");
      assertThat(String.join("\n", r.stderr())).doesNotContain("WARNING");
    }

    @Test
    @DisplayName("-Drefusal.sockdiag=false turns the lookup off")
    void turnedOff() {
      assumeTrue(Runtime.version().feature() >= 22, "the lookup needs JDK 22+");
      ChildJvm.Result r = ChildJvm.main(Probe.class)
          .jvmOption("--enable-native-access=ALL-UNNAMED")
          .jvmOption("-D" + ExactListenerLookup.ENABLED_PROPERTY + "=false").run();
      assertThat(r.exitCode()).as("%s", r).isZero();
      assertThat(r.stdout()).containsExactly("lookup none");
    }
  }
}
