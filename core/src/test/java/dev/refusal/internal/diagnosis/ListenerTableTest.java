package dev.refusal.internal.diagnosis;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Lines captured from /proc/net/tcp and tcp6 on Linux 6.x (x86_64). */
@DisplayName("ListenerTable parses /proc/net/tcp and tcp6")
class ListenerTableTest {

  private static final String TCP = ""
      + "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid"
      + "  timeout inode\n"
      + "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000002 00:00000000 00000000     0"
      + "        0 118 1 00000000e5b43652 100 0 0 10 0\n"
      + "   1: 0100007F:A5E2 0100007F:1F90 06 00000000:00000000 03:00000F3B 00000000     0"
      + "        0 0 3 0000000000000000\n"
      + "   2: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0"
      + "        0 2211 1 0000000000000000 100 0 0 10 0\n";

  private static final String TCP6 = ""
      + "  sl  local_address                         remote_address                        st"
      + " tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
      + "   0: 0000000000000000FFFF00000100007F:A241 00000000000000000000000000000000:0000 0A"
      + " 00000000:00000000 00:00000000 00000000     0        0 7533 1 00000000de1a9827 100 0"
      + " 0 10 0\n"
      + "   1: 00000000000000000000000001000000:1F91 00000000000000000000000000000000:0000 0A"
      + " 00000000:00000000 00:00000000 00000000     0        0 7534 1 00000000de1a9827 100 0"
      + " 0 10 0\n"
      + "   2: 00000000000000000000000000000000:1F92 00000000000000000000000000000000:0000 0A"
      + " 00000000:00000001 00:00000000 00000000     0        0 7535 1 00000000de1a9827 100 0"
      + " 0 10 0\n";

  private static List<ListenerTable.Row> parse(String text, boolean tcp6) {
    List<ListenerTable.Row> rows = new ArrayList<>();
    assertThat(ListenerTable.parse(text, tcp6, rows)).isZero();
    return rows;
  }

  @Test
  @DisplayName("IPv4 rows: host-order hex address, port, state and accept-queue depth")
  void ipv4Rows() throws Exception {
    List<ListenerTable.Row> rows = parse(TCP, false);

    assertThat(rows).hasSize(3);
    ListenerTable.Row listener = rows.get(0);
    assertThat(listener.local).isEqualTo(InetAddress.getByName("127.0.0.1"));
    assertThat(listener.localPort).isEqualTo(8080);
    assertThat(listener.state).isEqualTo(ListenerTable.LISTEN);
    assertThat(listener.rxQueue).isEqualTo(2);
    assertThat(listener.localText()).isEqualTo("127.0.0.1:8080");
    assertThat(rows.get(1).state).isEqualTo(ListenerTable.TIME_WAIT);
    assertThat(rows.get(1).remotePort).isEqualTo(8080);
    assertThat(rows.get(2).isWildcard()).isTrue();
  }

  @Test
  @DisplayName("a Java listener on 127.0.0.1 shows in tcp6 as ::ffff:127.0.0.1 and reads as IPv4")
  void ipv4MappedRowsReadAsIpv4() throws Exception {
    ListenerTable.Row mapped = parse(TCP6, true).get(0);

    assertThat(mapped.local).isEqualTo(InetAddress.getByName("127.0.0.1"));
    assertThat(mapped.localPort).isEqualTo(0xA241);
    assertThat(mapped.fromTcp6).isTrue();
    assertThat(ListenerTable.accepts(mapped, InetAddress.getByName("127.0.0.1"))).isTrue();
  }

  @Test
  @DisplayName("::1 and :: rows; a :: row is not taken to cover an IPv4 target")
  void ipv6Rows() throws Exception {
    List<ListenerTable.Row> rows = parse(TCP6, true);

    assertThat(rows.get(1).local).isEqualTo(InetAddress.getByName("::1"));
    assertThat(rows.get(1).localText()).isEqualTo("[::1]:8081");
    assertThat(rows.get(2).isWildcard()).isTrue();
    assertThat(rows.get(2).rxQueue).isEqualTo(1);
    assertThat(ListenerTable.accepts(rows.get(2), InetAddress.getByName("::1"))).isTrue();
    assertThat(ListenerTable.accepts(rows.get(2), InetAddress.getByName("127.0.0.1"))).isFalse();
  }

  @Test
  @DisplayName("malformed and truncated lines are skipped and counted, never thrown")
  void malformedLines() {
    String text = TCP
        + "   3: 0100007F:1F90\n"
        + "   4: ZZ00007F:1F90 00000000:0000 0A 00000000:00000000\n"
        + "   5: 0100007F:1F90 00000000:0000 0A 00000000\n"
        + "garbage\n"
        + "   6: 0100007F:FFFFF 00000000:0000 0A 00000000:00000000\n"
        + "   7: 0100007F:1F90 00000000:0000 0A 00000000:FFFFFFFFFFFFFFFFFFFF\n";
    List<ListenerTable.Row> rows = new ArrayList<>();

    assertThat(ListenerTable.parse(text, false, rows)).isEqualTo(6);
    assertThat(rows).hasSize(3);
  }

  @Test
  @DisplayName("the table of this machine, when readable, lists a listener the test opens")
  void realTable() throws Exception {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1,
        InetAddress.getByName("127.0.0.1"))) {
      ListenerTable table = ListenerTable.read(RealSystemView.INSTANCE);
      org.junit.jupiter.api.Assumptions.assumeTrue(table.readable(),
          "no /proc/net/tcp on this machine");

      assertThat(table.listenersOn(s.getLocalPort()))
          .extracting(r -> r.local.getHostAddress()).containsExactly("127.0.0.1");
    }
  }

  @Test
  @DisplayName("ListenOverflows, somaxconn and the port range from their /proc files")
  void kernelCounters() {
    String netstat = "TcpExt: SyncookiesSent ListenOverflows ListenDrops\n"
        + "TcpExt: 0 17 17\n"
        + "IpExt: InNoRoutes\n"
        + "IpExt: 0\n";
    assertThat(KernelCounters.netstatValue(netstat, "TcpExt:", "ListenOverflows")).isEqualTo(17);
    assertThat(KernelCounters.netstatValue("TcpExt: A\n", "TcpExt:", "ListenOverflows"))
        .isEqualTo(-1);
    assertThat(KernelCounters.netstatValue(null, "TcpExt:", "ListenOverflows")).isEqualTo(-1);
  }
}
