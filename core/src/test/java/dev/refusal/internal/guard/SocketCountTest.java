package dev.refusal.internal.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.refusal.internal.diagnosis.ProcFiles;
import dev.refusal.internal.diagnosis.RealSystemView;
import dev.refusal.testing.FakeSystemView;
import dev.refusal.testing.Loopback;
import java.net.ServerSocket;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Lines captured from /proc/net/sockstat and sockstat6 on Linux 6.18 (x86_64). */
@DisplayName("SocketCount reads the kernel's TCP socket counts")
class SocketCountTest {

  private static final String SOCKSTAT = ""
      + "sockets: used 8\n"
      + "TCP: inuse 3 orphan 0 tw 12 alloc 4 mem 139\n"
      + "UDP: inuse 0 mem 0\n"
      + "UDPLITE: inuse 0\n"
      + "RAW: inuse 0\n"
      + "FRAG: inuse 0 memory 0\n";

  private static final String SOCKSTAT6 = ""
      + "TCP6: inuse 2\n"
      + "UDP6: inuse 0\n"
      + "UDPLITE6: inuse 0\n"
      + "RAW6: inuse 0\n"
      + "FRAG6: inuse 0 memory 0\n";

  @Test
  @DisplayName("packs the IPv4 and IPv6 in-use counts; time-wait sockets are not counted")
  void packsBothFamilies() {
    FakeSystemView system = FakeSystemView.noContainer()
        .file(ProcFiles.SOCKSTAT, SOCKSTAT).file(ProcFiles.SOCKSTAT6, SOCKSTAT6);

    assertThat(SocketCount.read(system)).isEqualTo((3L << 32) | 2L);
  }

  @Test
  @DisplayName("one socket fewer in IPv4 and one more in IPv6 still changes the value")
  void familiesDoNotCancel() {
    FakeSystemView before = FakeSystemView.noContainer()
        .file(ProcFiles.SOCKSTAT, SOCKSTAT).file(ProcFiles.SOCKSTAT6, SOCKSTAT6);
    FakeSystemView after = FakeSystemView.noContainer()
        .file(ProcFiles.SOCKSTAT, SOCKSTAT.replace("inuse 3", "inuse 2"))
        .file(ProcFiles.SOCKSTAT6, SOCKSTAT6.replace("inuse 2", "inuse 3"));

    assertThat(SocketCount.read(after)).isNotEqualTo(SocketCount.read(before));
  }

  @Test
  @DisplayName("a missing file (no IPv6, not Linux) or a line it cannot read gives UNKNOWN")
  void unknownWhenUnreadable() {
    assertThat(SocketCount.read(FakeSystemView.noContainer()
        .file(ProcFiles.SOCKSTAT, SOCKSTAT).file(ProcFiles.SOCKSTAT6, null)))
        .isEqualTo(SocketCount.UNKNOWN);
    assertThat(SocketCount.inuse("TCP: inuse x orphan 0\n", "TCP:")).isEqualTo(-1);
    assertThat(SocketCount.inuse("TCP: inuse 12x orphan 0\n", "TCP:")).isEqualTo(-1);
    assertThat(SocketCount.inuse("TCP: orphan 0\nUDP: inuse 4\n", "TCP:")).isEqualTo(-1);
    assertThat(SocketCount.inuse("TCP: inuse 1234567890123\n", "TCP:")).isEqualTo(-1);
    assertThat(SocketCount.inuse("UDP: inuse 4\n", "TCP:")).isEqualTo(-1);
    assertThat(SocketCount.inuse("", "TCP:")).isEqualTo(-1);
  }

  @Test
  @DisplayName("the last line needs no line break; a count ends at a space or the line's end")
  void lineEnds() {
    assertThat(SocketCount.inuse("TCP6: inuse 7", "TCP6:")).isEqualTo(7);
    assertThat(SocketCount.inuse("TCP: inuse 7 orphan 1", "TCP:")).isEqualTo(7);
    assertThat(SocketCount.inuse("TCP: inuse 0\n", "TCP:")).isZero();
  }

  @Test
  @DisplayName("on this machine, a listener that opens moves the real count and its close moves"
      + " it back")
  void realListenerMovesTheCount() throws Exception {
    long before = SocketCount.read(RealSystemView.INSTANCE);
    assumeTrue(before != SocketCount.UNKNOWN,
        "this machine has no /proc/net/sockstat and sockstat6 (not Linux, or no IPv6)");
    // Other tests in this JVM may open or close sockets meanwhile: a few tries find a quiet one.
    boolean seen = false;
    for (int attempt = 0; attempt < 20 && !seen; attempt++) {
      long quiet = SocketCount.read(RealSystemView.INSTANCE);
      long open;
      try (ServerSocket listener = Loopback.listen(Loopback.V4, 0, 1)) {
        open = SocketCount.read(RealSystemView.INSTANCE);
      }
      long closed = SocketCount.read(RealSystemView.INSTANCE);
      // A JVM socket is an IPv6 one on a dual-stack host, even bound to 127.0.0.1.
      seen = (open == quiet + 1 || open == quiet + (1L << 32)) && closed == quiet;
    }
    assertThat(seen).as("a listener adds one to its family's count while it is open").isTrue();
  }
}
