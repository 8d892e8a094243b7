package dev.refusal.internal.diagnosis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("HostsFile: which names the hosts file pins")
class HostsFileTest {

  private static final Path FILE = Path.of("/etc/hosts");

  @TempDir
  Path dir;

  private static HostsFile parse(String text) {
    return HostsFile.parse(FILE, false, text);
  }

  private static InetAddress ip(String literal) throws UnknownHostException {
    return InetAddress.getByName(literal.contains(":") ? "[" + literal + "]" : literal);
  }

  @Test
  @DisplayName("comments, blank lines and trailing comments are skipped")
  void comments() throws Exception {
    HostsFile f = parse("# 10.0.0.1 commented.internal\n\n   \n"
        + "10.0.0.2 orders.internal # 10.0.0.3 also.internal\n"
        + "  # indented comment\n"
        + "10.0.0.4#glued.internal\n");

    assertThat(f.pins("commented.internal")).isFalse();
    assertThat(f.pins("also.internal")).isFalse();
    assertThat(f.pins("glued.internal")).isFalse();
    assertThat(f.addresses("orders.internal")).containsExactly(ip("10.0.0.2"));
    assertThat(f.size()).isEqualTo(1);
  }

  @Test
  @DisplayName("several names per line, tabs, CRLF, and a name on several lines")
  void aliases() throws Exception {
    HostsFile f = parse("10.1.0.5\torders.internal  orders\tord.svc\r\n"
        + "10.1.0.6 orders.internal\r\n"
        + "10.1.0.5 orders.internal\n");

    assertThat(f.addresses("orders.internal")).containsExactly(ip("10.1.0.5"), ip("10.1.0.6"));
    assertThat(f.addresses("orders")).containsExactly(ip("10.1.0.5"));
    assertThat(f.addresses("ord.svc")).containsExactly(ip("10.1.0.5"));
    assertThat(f.addresses("orders.internal").get(0).getHostName()).isEqualTo("orders.internal");
  }

  @Test
  @DisplayName("IPv6 literals, IPv4-mapped ones, and zone ids (dropped, as the JDK does)")
  void ipv6() throws Exception {
    HostsFile f = parse("::1 six.internal\n"
        + "fd00:0:0:0::2 six.internal\n"
        + "fe80::1%eth0 link.internal\n"
        + "fe80::2%no-such-interface-here link2.internal\n"
        + "fe80::3%7 link3.internal\n"
        + "::ffff:10.2.0.1 mapped.internal\n"
        + "fe80::1% empty-zone.internal\n");

    assertThat(f.addresses("six.internal")).containsExactly(ip("::1"), ip("fd00::2"));
    assertThat(f.addresses("link.internal")).containsExactly(ip("fe80::1"));
    assertThat(f.addresses("link2.internal")).containsExactly(ip("fe80::2"));
    assertThat(f.addresses("link3.internal")).containsExactly(ip("fe80::3"));
    assertThat(f.addresses("mapped.internal")).containsExactly(ip("10.2.0.1"));
    assertThat(f.addresses("mapped.internal").get(0)).isInstanceOf(Inet4Address.class);
    assertThat(f.pins("empty-zone.internal")).isFalse();
  }

  @Test
  @DisplayName("names match whatever their case, with or without a trailing dot")
  void caseAndTrailingDot() throws Exception {
    HostsFile f = parse("10.3.0.1 Orders.Internal\n10.3.0.2 billing.internal.\n");

    assertThat(f.addresses("orders.internal")).containsExactly(ip("10.3.0.1"));
    assertThat(f.addresses("ORDERS.INTERNAL.")).containsExactly(ip("10.3.0.1"));
    assertThat(f.addresses("billing.internal")).containsExactly(ip("10.3.0.2"));
    assertThat(f.addresses("Billing.Internal.")).containsExactly(ip("10.3.0.2"));
    assertThat(f.pins("orders")).isFalse();
    assertThat(f.pins(null)).isFalse();
    assertThat(f.addresses(null)).isEmpty();
  }

  @Test
  @DisplayName("garbage lines pin nothing and spoil no other line")
  void garbage() throws Exception {
    HostsFile f = parse("notanaddress a.internal\n"
        + "999.1.1.1 b.internal\n"
        + "1.2.3 c.internal\n"
        + "1.2.3.4.5 d.internal\n"
        + "fe80::zz e.internal\n"
        + "1:2:3 f.internal\n"
        + "10.0.0.1%eth0 g.internal\n"
        + "-1.0.0.1 h.internal\n"
        + "10.4.0.1\n"
        + "\u0000\u00ff\ufffd \u0001\n"
        + ":::: i.internal\n"
        + "[::1] j.internal\n"
        + "10.4.0.2 good.internal\n");

    assertThat(f.size()).isEqualTo(1);
    assertThat(f.addresses("good.internal")).containsExactly(ip("10.4.0.2"));
    assertThat(HostsFile.addressBytes("")).isNull();
    assertThat(HostsFile.addressBytes("%eth0")).isNull();
    assertThat(HostsFile.addressBytes("localhost")).isNull();
  }

  @Test
  @DisplayName("a missing file, a directory, and an empty file pin nothing")
  void unreadable() throws Exception {
    Path missing = dir.resolve("missing");
    Path empty = Files.createFile(dir.resolve("empty"));

    for (Path p : List.of(missing, dir, empty)) {
      HostsFile f = HostsFile.load(p, true);
      assertThat(f.size()).as(p.toString()).isZero();
      assertThat(f.path()).isEqualTo(p);
      assertThat(f.exclusive()).isTrue();
      assertThat(HostsFile.read(p, false).size()).isZero();
    }
  }

  @Test
  @DisplayName("a huge file is read only up to its bounds, in bytes and in lines")
  void huge() throws Exception {
    Path bytes = dir.resolve("bytes");
    StringBuilder sb = new StringBuilder("10.5.0.1 first.internal\n");
    sb.append("#".repeat(HostsFile.MAX_BYTES)).append('\n');
    sb.append("10.5.0.2 beyond.internal\n");
    Files.writeString(bytes, sb, StandardCharsets.US_ASCII);

    HostsFile byBytes = HostsFile.read(bytes, false);
    assertThat(byBytes.pins("first.internal")).isTrue();
    assertThat(byBytes.pins("beyond.internal")).isFalse();

    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < HostsFile.MAX_LINES + 10; i++) {
      lines.append("10.6.").append(i / 250).append('.').append(i % 250 + 1)
          .append(" n").append(i).append(".internal\n");
    }
    HostsFile byLines = parse(lines.toString());
    assertThat(byLines.size()).isEqualTo(HostsFile.MAX_LINES);
    assertThat(byLines.pins("n0.internal")).isTrue();
    assertThat(byLines.pins("n" + (HostsFile.MAX_LINES - 1) + ".internal")).isTrue();
    assertThat(byLines.pins("n" + HostsFile.MAX_LINES + ".internal")).isFalse();
  }

  @Test
  @DisplayName("load caches the parse until the file's size or modification time changes")
  void cache() throws Exception {
    Path hosts = dir.resolve("hosts");
    Files.writeString(hosts, "10.7.0.1 orders.internal\n", StandardCharsets.US_ASCII);
    FileTime t0 = FileTime.fromMillis(1_700_000_000_000L);
    Files.setLastModifiedTime(hosts, t0);

    HostsFile first = HostsFile.load(hosts, false);
    assertThat(HostsFile.load(hosts, false)).isSameAs(first);
    assertThat(HostsFile.load(hosts, true)).isNotSameAs(first);

    Files.writeString(hosts, "10.7.0.22 orders.internal\n", StandardCharsets.US_ASCII);
    Files.setLastModifiedTime(hosts, t0);
    assertThat(HostsFile.load(hosts, false).addresses("orders.internal"))
        .containsExactly(ip("10.7.0.22"));

    Files.writeString(hosts, "10.7.0.33 orders.internal\n", StandardCharsets.US_ASCII);
    Files.setLastModifiedTime(hosts, FileTime.fromMillis(t0.toMillis() + 1_000));
    assertThat(HostsFile.load(hosts, false).addresses("orders.internal"))
        .containsExactly(ip("10.7.0.33"));
  }

  @Test
  @DisplayName("concurrent loads of a changing file each see one whole version of it")
  void concurrentLoads() throws Exception {
    Path hosts = dir.resolve("hosts");
    Files.writeString(hosts, "10.8.0.1 orders.internal\n", StandardCharsets.US_ASCII);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<List<InetAddress>>> answers = new ArrayList<>();
      for (int i = 0; i < 400; i++) {
        answers.add(pool.submit(() -> HostsFile.load(hosts, false).addresses("orders.internal")));
        if (i == 200) {
          Path next = dir.resolve("hosts.next");
          Files.writeString(next, "10.8.0.2 orders.internal other.internal\n",
              StandardCharsets.US_ASCII);
          Files.move(next, hosts, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
              java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
      }
      for (Future<List<InetAddress>> f : answers) {
        assertThat(f.get()).hasSize(1).containsAnyOf(ip("10.8.0.1"), ip("10.8.0.2"));
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(HostsFile.load(hosts, false).addresses("orders.internal"))
        .containsExactly(ip("10.8.0.2"));
  }

  @Test
  @DisplayName("with jdk.net.hosts.file set, the fresh answer is the file's and never DNS")
  void systemResolverUsesTheJdkHostsFile() throws Exception {
    String property = System.getProperty("jdk.net.hosts.file");
    assumeTrue(property != null, "skipped: this test JVM runs without jdk.net.hosts.file");
    HostsFile current = HostsFile.current();
    assertThat(current.exclusive()).isTrue();
    assertThat(current.path()).isEqualTo(Path.of(property));
    assertThat(HostsFile.current()).isSameAs(current);

    // The build's test hosts file pins v6only.refusal.test to ::1 only.
    assumeTrue(current.pins("v6only.refusal.test"), "skipped: the hosts file is not the build's");
    assertThat(SystemHostResolver.INSTANCE.lookupFresh("v6only.refusal.test"))
        .isEqualTo(List.of(InetAddress.getAllByName("v6only.refusal.test")))
        .containsExactly(ip("::1"));
    assertThatThrownBy(() -> SystemHostResolver.INSTANCE.lookupFresh("orders.nowhere.internal"))
        .isInstanceOf(UnknownHostException.class)
        .hasMessageContaining("jdk.net.hosts.file");
  }
}
