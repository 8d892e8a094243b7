package dev.refusal.internal.diagnosis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.refusal.testing.ForAll;
import dev.refusal.testing.Gen;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Properties of {@link ListenerTable#parse}: kernel-formatted tables parse exactly; anything else
 * (random bytes, truncated reads, real lines with random edits) never throws, and every line not
 * returned as a row is counted as skipped.
 */
@DisplayName("ListenerTable.parse properties")
final class ListenerTableProperties {

  // ---------------------------------------------------------------------------------------------
  // The kernel's format (net/ipv4/tcp_ipv4.c and net/ipv6/tcp_ipv6.c, Linux 6.x).

  /** tcp pads every line, header included, to 149 characters (seq_setwidth(TMPSZ - 1)). */
  private static final int TCP_WIDTH = 149;
  private static final String TCP_HEADER = "  sl  local_address rem_address   st tx_queue"
      + " rx_queue tr tm->when retrnsmt   uid  timeout inode";
  private static final String TCP6_HEADER = "  sl  local_address                         "
      + "remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid"
      + "  timeout inode";

  /** Lines captured on Linux 6.x (x86_64); the tcp ones without their padding. */
  private static final List<String> CAPTURED = List.of(
      "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000002 00:00000000 00000000     0"
          + "        0 118 1 00000000e5b43652 100 0 0 10 0",
      "   1: 0100007F:A5E2 0100007F:1F90 06 00000000:00000000 03:00000F3B 00000000     0"
          + "        0 0 3 0000000000000000",
      "   2: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0"
          + "        0 2211 1 0000000000000000 100 0 0 10 0",
      "   0: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0"
          + "        0 118 1 00000000e5b43652 100 0 0 10 0",
      "   0: 0000000000000000FFFF00000100007F:A241 00000000000000000000000000000000:0000 0A"
          + " 00000000:00000000 00:00000000 00000000     0        0 7533 1 00000000de1a9827 100 0"
          + " 0 10 0",
      "   1: 00000000000000000000000001000000:1F91 00000000000000000000000000000000:0000 0A"
          + " 00000000:00000000 00:00000000 00000000     0        0 7534 1 00000000de1a9827 100 0"
          + " 0 10 0",
      "   0: 0000000000000000FFFF00000100007F:E4E5 00000000000000000000000000000000:0000 0A"
          + " 00000000:00000000 00:00000000 00000000     0        0 900484 1 00000000dddacdbf 100"
          + " 0 0 10 0");

  /** One socket as the kernel knows it. */
  record Socket(byte[] local, int localPort, byte[] remote, int remotePort, int state, long tx,
      long rx, int uid, long inode) {

    String format(int sl, boolean tcp6) {
      String line;
      if (tcp6) {
        line = String.format(Locale.ROOT, "%4d: %s:%04X %s:%04X %02X %08X:%08X %02X:%08X %08X"
                + " %5d %8d %d %d %016x %d %d %d %d %d", sl, hex(local), localPort, hex(remote),
            remotePort, state, tx, rx, 0, 0, 0, uid, 0, inode, 1, 0L, 100, 0, 0, 10, 0);
      } else if (state == ListenerTable.TIME_WAIT) {
        // tcp_ipv4.c: get_timewait4_sock, fewer columns and the queues always 0.
        line = String.format(Locale.ROOT, "%4d: %s:%04X %s:%04X %02X %08X:%08X %02X:%08X %08X"
                + " %5d %8d %d %d %016x", sl, hex(local), localPort, hex(remote), remotePort,
            state, 0, 0, 3, 0xF3B, 0, 0, 0, 0, 3, 0L);
      } else {
        line = String.format(Locale.ROOT, "%4d: %s:%04X %s:%04X %02X %08X:%08X %02X:%08X %08X"
                + " %5d %8d %d %d %016x %d %d %d %d %d", sl, hex(local), localPort, hex(remote),
            remotePort, state, tx, rx, 0, 0, 0, uid, 0, inode, 1, 0xe5b43652L, 100, 0, 0, 10, 0);
      }
      return tcp6 ? line : pad(line);
    }

    long expectedRx(boolean tcp6) {
      return !tcp6 && state == ListenerTable.TIME_WAIT ? 0 : rx;
    }

    @Override
    public String toString() {
      return format(0, local.length == 16).strip();
    }
  }

  private static String pad(String line) {
    return line.length() >= TCP_WIDTH ? line : line + " ".repeat(TCP_WIDTH - line.length());
  }

  /**
   * An address as the kernel prints it: each 32-bit word of the network-order bytes read in host
   * order (little-endian on x86 and arm64) and printed as 8 upper-case hex digits.
   */
  static String hex(byte[] address) {
    StringBuilder sb = new StringBuilder(address.length * 2);
    for (int w = 0; w < address.length / 4; w++) {
      long word = (address[4 * w] & 0xffL) | (address[4 * w + 1] & 0xffL) << 8
          | (address[4 * w + 2] & 0xffL) << 16 | (address[4 * w + 3] & 0xffL) << 24;
      sb.append(String.format(Locale.ROOT, "%08X", word));
    }
    return sb.toString();
  }

  private static InetAddress inet(byte[] b) {
    try {
      return InetAddress.getByAddress(b);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Generators.

  private static final Gen<byte[]> V4 = r -> {
    switch (r.nextInt(4)) {
      case 0:
        return new byte[4];
      case 1:
        return new byte[] {127, 0, 0, (byte) r.nextInt(256)};
      default:
        byte[] b = new byte[4];
        r.nextBytes(b);
        return b;
    }
  };

  private static final Gen<byte[]> V6 = r -> {
    byte[] b = new byte[16];
    switch (r.nextInt(4)) {
      case 0:
        return b;
      case 1:
        b[15] = 1;
        return b;
      case 2:
        // ::ffff:a.b.c.d, how a dual-stack Java listener on an IPv4 address shows.
        b[10] = (byte) 0xff;
        b[11] = (byte) 0xff;
        System.arraycopy(V4.next(r), 0, b, 12, 4);
        return b;
      default:
        r.nextBytes(b);
        return b;
    }
  };

  private static final Gen<Long> U32 =
      Gen.oneOf(Gen.elements(0L, 1L, 2L, 0xFFFFFFFFL, 128L, 4096L), r -> r.nextLong(1L << 32));

  private static Gen<Socket> sockets(boolean tcp6) {
    Gen<byte[]> address = tcp6 ? V6 : V4;
    return r -> new Socket(address.next(r), Gen.ints(0, 65_535).next(r), address.next(r),
        Gen.ints(0, 65_535).next(r), Gen.ints(1, 12).next(r), U32.next(r), U32.next(r),
        r.nextInt(70_000), r.nextLong(1L << 32));
  }

  /** A kernel-formatted table: header, rows, and the file's final newline. */
  record Table(boolean tcp6, List<Socket> sockets, String text) {
    @Override
    public String toString() {
      return (tcp6 ? "tcp6 " : "tcp ") + ForAll.quote(text);
    }
  }

  private static final Gen<Table> TABLES = r -> {
    boolean tcp6 = r.nextBoolean();
    int n = r.nextInt(50) == 0 ? Gen.size(r, 0, 5_000) : Gen.size(r, 0, 60);
    List<Socket> sockets = Gen.lists(sockets(tcp6), n, n).next(r);
    StringBuilder sb = new StringBuilder(tcp6 ? TCP6_HEADER : pad(TCP_HEADER)).append('\n');
    for (int i = 0; i < sockets.size(); i++) {
      sb.append(sockets.get(i).format(i, tcp6)).append('\n');
    }
    return new Table(tcp6, sockets, sb.toString());
  };

  /** Characters an edit puts in: the format's own, whitespace of all kinds, look-alike digits. */
  private static final String EDITS = "0123456789ABCDEFabcdefgGxX:: \t\r\u000b\f\u001c\u0000"
      + "\u00a0\u2003\uff10\uff11\uff21\uff41\u0660\u0663\u0967\u1d7b\u00b2-+.";

  /** A line with up to five random edits: insert, delete, replace, cut short. */
  private static String mutate(String line, SplittableRandom r) {
    StringBuilder sb = new StringBuilder(line);
    int edits = r.nextInt(6);
    for (int i = 0; i < edits && sb.length() > 0; i++) {
      int at = r.nextInt(sb.length());
      char c = r.nextInt(4) == 0 ? (char) r.nextInt(0x1_0000)
          : EDITS.charAt(r.nextInt(EDITS.length()));
      switch (r.nextInt(5)) {
        case 0:
          sb.insert(at, c);
          break;
        case 1:
          sb.deleteCharAt(at);
          break;
        case 2:
          sb.setLength(at);
          break;
        default:
          sb.setCharAt(at, c);
      }
    }
    return sb.toString();
  }

  /** A data line: captured or generated, usually edited; never a line break in it. */
  private static Gen<String> lines(boolean tcp6) {
    Gen<String> source = Gen.oneOf(
        Gen.elements(CAPTURED.stream()
            .filter(l -> (l.trim().split("\\s+")[1].indexOf(':') == 32) == tcp6).toList()),
        r -> sockets(tcp6).next(r).format(r.nextInt(10_000), tcp6));
    return r -> {
      String line = source.next(r);
      String mutated = r.nextInt(5) == 0 ? line : mutate(line, r);
      return mutated.replace('\n', ' ');
    };
  }

  private static final Gen<String> RANDOM_TEXT = Gen.oneOf(
      Gen.strings(Gen.oneOf(Gen.ANY_CHAR, Gen.constant('\n'), Gen.charsFrom("0123456789ABCDEF: ")),
          0, 3_000),
      r -> {
        byte[] bytes = new byte[Gen.size(r, 0, 4_096)];
        r.nextBytes(bytes);
        return new String(bytes, r.nextBoolean() ? StandardCharsets.ISO_8859_1
            : StandardCharsets.UTF_8);
      });

  /** Tables damaged as a reader might see them: edited lines, CRLF, blank lines, a short read. */
  private static final Gen<String> DAMAGED_TABLES = r -> {
    boolean tcp6 = r.nextBoolean();
    Table table = TABLES.next(r);
    StringBuilder sb = new StringBuilder();
    String[] lines = table.text().split("\n", -1);
    Gen<String> mutated = lines(tcp6);
    String eol = r.nextInt(4) == 0 ? "\r\n" : "\n";
    for (int i = 0; i < lines.length; i++) {
      switch (r.nextInt(8)) {
        case 0:
          sb.append(mutated.next(r));
          break;
        case 1:
          sb.append(mutate(lines[i], r));
          break;
        case 2:
          sb.append(eol).append("   ");
          break;
        default:
          sb.append(lines[i]);
      }
      if (i < lines.length - 1) {
        sb.append(eol);
      }
    }
    String text = sb.toString();
    // A read cut short leaves half a line at the end.
    return r.nextInt(3) == 0 ? text.substring(0, r.nextInt(text.length() + 1)) : text;
  };

  // ---------------------------------------------------------------------------------------------
  // Properties.

  /** The lines parse() reads as data: split at '\n', trimmed, non-empty, less a leading header. */
  private static int dataLines(String text) {
    String[] lines = text.split("\n", -1);
    int count = 0;
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].trim();
      if (i == 0 && line.startsWith("sl")) {
        continue;
      }
      if (!line.isEmpty()) {
        count++;
      }
    }
    return count;
  }

  private static ListenerTable.Row sentinel() {
    InetAddress any = inet(new byte[4]);
    return new ListenerTable.Row(any, 1, any, 1, 1, 0, false);
  }

  @Test
  @DisplayName("for any text (random bytes, damaged tables, edited real lines) parse() never"
      + " throws, only appends, and returns the number of non-empty data lines it skipped")
  void anyText() {
    Gen<String> text = Gen.oneOf(RANDOM_TEXT, DAMAGED_TABLES, DAMAGED_TABLES);
    ForAll.values(text).tries(1_000).shrink(ForAll::shrinkString).check(t -> {
      for (boolean tcp6 : new boolean[] {false, true}) {
        List<ListenerTable.Row> rows = new ArrayList<>();
        ListenerTable.Row sentinel = sentinel();
        rows.add(sentinel);
        int skipped = ListenerTable.parse(t, tcp6, rows);
        assertThat(rows.get(0)).isSameAs(sentinel);
        assertThat(skipped).isGreaterThanOrEqualTo(0);
        assertThat(skipped + rows.size() - 1).as("skipped + parsed").isEqualTo(dataLines(t));
      }
    });
  }

  @Test
  @DisplayName("a table formatted as the kernel does (tcp and tcp6, any address, port, state and"
      + " queue) parses exactly, row by row, with no line skipped")
  void kernelTables() {
    ForAll.values(TABLES).tries(1_000).check(table -> {
      List<ListenerTable.Row> rows = new ArrayList<>();
      assertThat(ListenerTable.parse(table.text(), table.tcp6(), rows)).isZero();
      assertThat(rows).hasSameSizeAs(table.sockets());
      for (int i = 0; i < rows.size(); i++) {
        Socket s = table.sockets().get(i);
        ListenerTable.Row row = rows.get(i);
        assertThat(row.local).as("local of %s", s).isEqualTo(inet(s.local()));
        assertThat(row.localPort).as("local port of %s", s).isEqualTo(s.localPort());
        assertThat(row.remote).as("remote of %s", s).isEqualTo(inet(s.remote()));
        assertThat(row.remotePort).as("remote port of %s", s).isEqualTo(s.remotePort());
        assertThat(row.state).as("state of %s", s).isEqualTo(s.state());
        assertThat(row.rxQueue).as("rx_queue of %s", s).isEqualTo(s.expectedRx(table.tcp6()));
        assertThat(row.fromTcp6).isEqualTo(table.tcp6());
      }
    });
  }

  // The accepted shape, written out independently of the parser: fields split on ASCII
  // whitespace (Java's \s), "sl:", address:port twice (8 or 32 hex digits, 1 to 4 for the port),
  // a 1 or 2 digit state, tx_queue:rx_queue (rx up to 15 digits), then anything. Hex is ASCII:
  // the kernel never prints anything else, so anything else is damage.
  private static final String WS = "[ \\t\\n\\x0B\\f\\r]+";
  private static final String FIELD = "[^ \\t\\n\\x0B\\f\\r]";
  private static final String HEX = "[0-9A-Fa-f]";

  private static Pattern shape(int addressDigits) {
    String address = "(" + HEX + "{" + addressDigits + "}):(" + HEX + "{1,4})";
    return Pattern.compile(FIELD + "*:" + WS + address + WS + address + WS + "(" + HEX + "{1,2})"
        + WS + "[^ \\t\\n\\x0B\\f\\r:]*:(" + HEX + "{1,15})(?:" + WS + ".*)?", Pattern.DOTALL);
  }

  private static final Pattern TCP_LINE = shape(8);
  private static final Pattern TCP6_LINE = shape(32);

  record Line(String text, boolean tcp6) {
    @Override
    public String toString() {
      return (tcp6 ? "tcp6 " : "tcp ") + ForAll.quote(text);
    }
  }

  @Test
  @DisplayName("an edited line is read as a row exactly when it still has the kernel's shape,"
      + " and then its fields are the ones the line says; otherwise it is skipped and counted")
  void editedLines() {
    AtomicInteger accepted = new AtomicInteger();
    Gen<Line> line = r -> {
      boolean tcp6 = r.nextBoolean();
      return new Line(lines(tcp6).next(r), tcp6);
    };
    ForAll.values(line).tries(1_000)
        .shrink(l -> ForAll.shrinkString(l.text()).stream().map(t -> new Line(t, l.tcp6()))
            .toList())
        .check(l -> {
          List<ListenerTable.Row> rows = new ArrayList<>();
          // Behind a header, so an edited line that starts with "sl" is still a data line.
          int skipped = ListenerTable.parse(TCP_HEADER + "\n" + l.text(), l.tcp6(), rows);
          String trimmed = l.text().trim();
          Matcher m = (l.tcp6() ? TCP6_LINE : TCP_LINE).matcher(trimmed);
          if (!m.matches()) {
            assertThat(rows).as("rows from a line without the kernel's shape").isEmpty();
            assertThat(skipped).isEqualTo(trimmed.isEmpty() ? 0 : 1);
            return;
          }
          accepted.incrementAndGet();
          assertThat(skipped).isZero();
          assertThat(rows).hasSize(1);
          ListenerTable.Row row = rows.get(0);
          assertThat(row.local).isEqualTo(inet(unhex(m.group(1))));
          assertThat(row.localPort).isEqualTo(Integer.parseInt(m.group(2), 16));
          assertThat(row.remote).isEqualTo(inet(unhex(m.group(3))));
          assertThat(row.remotePort).isEqualTo(Integer.parseInt(m.group(4), 16));
          assertThat(row.state).isEqualTo(Integer.parseInt(m.group(5), 16));
          assertThat(row.rxQueue).isEqualTo(Long.parseLong(m.group(6), 16));
        });
    assertThat(accepted.get()).as("edited lines still accepted").isBetween(100, 900);
  }

  @Test
  @DisplayName("the counterexamples these properties found stay fixed")
  void foundCounterexamples() {
    // A full-width hex digit (U+FF41, U+FF26) read as a digit made a damaged line a row.
    for (String line : List.of(
        ": AA87B91DBEB6BD8F594DB0B20BE\uff4163EE:9 00000000000000000000000000000000:0 8 :0",
        "   0: 0100007\uff26:1F90 00000000:0000 0A 00000000:00000000")) {
      List<ListenerTable.Row> rows = new ArrayList<>();
      boolean tcp6 = line.startsWith(": ");
      assertThat(ListenerTable.parse(TCP_HEADER + "\n" + line, tcp6, rows)).as(line).isEqualTo(1);
      assertThat(rows).as(line).isEmpty();
    }
  }

  /** The inverse of {@link #hex}. */
  private static byte[] unhex(String hex) {
    byte[] b = new byte[hex.length() / 2];
    for (int w = 0; w < b.length / 4; w++) {
      long word = Long.parseLong(hex.substring(8 * w, 8 * w + 8), 16);
      for (int i = 0; i < 4; i++) {
        b[4 * w + i] = (byte) (word >>> (8 * i));
      }
    }
    return b;
  }
}
