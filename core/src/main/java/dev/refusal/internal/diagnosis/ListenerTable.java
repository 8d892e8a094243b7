package dev.refusal.internal.diagnosis;

import dev.refusal.internal.HostSyntax;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The Linux socket table from {@code /proc/net/tcp} and {@code /proc/net/tcp6}.
 *
 * <p>Addresses there are hex in host byte order: {@code 0100007F:1F90} is 127.0.0.1:8080 on
 * x86. A Java listener on 127.0.0.1 shows in {@code tcp6} as {@code ::ffff:127.0.0.1}, because
 * Java opens dual-stack sockets; a v6-only listener on {@code ::} and a dual-stack one look the
 * same. For a LISTEN row, {@code rx_queue} is the number of connections waiting in the accept
 * queue. Malformed lines are skipped and counted, never thrown.
 */
public final class ListenerTable {

  /** TCP states as the kernel numbers them. */
  public static final int ESTABLISHED = 0x01;
  public static final int TIME_WAIT = 0x06;
  public static final int LISTEN = 0x0A;

  /** One row of the table. */
  public static final class Row {
    public final InetAddress local;
    public final int localPort;
    public final InetAddress remote;
    public final int remotePort;
    public final int state;
    public final long rxQueue;
    /** True for an IPv6 socket (a row of {@code tcp6}). */
    public final boolean fromTcp6;
    /**
     * For an IPv6 socket, whether {@code IPV6_V6ONLY} is known: the kernel's sock_diag answer
     * tells it, {@code /proc/net/tcp6} does not.
     */
    public final boolean v6OnlyKnown;
    /** {@code IPV6_V6ONLY}, meaningful only when {@link #v6OnlyKnown}. */
    public final boolean v6Only;

    Row(InetAddress local, int localPort, InetAddress remote, int remotePort, int state,
        long rxQueue, boolean fromTcp6) {
      this(local, localPort, remote, remotePort, state, rxQueue, fromTcp6, false, false);
    }

    private Row(InetAddress local, int localPort, InetAddress remote, int remotePort, int state,
        long rxQueue, boolean fromTcp6, boolean v6OnlyKnown, boolean v6Only) {
      this.local = local;
      this.localPort = localPort;
      this.remote = remote;
      this.remotePort = remotePort;
      this.state = state;
      this.rxQueue = rxQueue;
      this.fromTcp6 = fromTcp6;
      this.v6OnlyKnown = v6OnlyKnown;
      this.v6Only = v6Only;
    }

    /**
     * A LISTEN socket as the kernel's exact lookup reports it; {@code v6OnlyKnown} (the kernel
     * sent {@code INET_DIAG_SKV6ONLY}) and {@code v6Only} are ignored for an IPv4 socket.
     * {@code local} of an IPv4-mapped bind is the IPv4 address, as in the table.
     */
    public static Row listener(InetAddress local, int port, long acceptQueue, boolean ipv6Socket,
        boolean v6OnlyKnown, boolean v6Only) {
      InetAddress any = ipv6Socket ? ANY_V6 : ANY_V4;
      boolean known = ipv6Socket && v6OnlyKnown;
      return new Row(local, port, any, 0, LISTEN, acceptQueue, ipv6Socket, known,
          known && v6Only);
    }

    /** True for an IPv6 wildcard socket known to take IPv4 connects too. */
    public boolean dualStack() {
      return fromTcp6 && v6OnlyKnown && !v6Only && isWildcard();
    }

    /** The bound address as a person writes it; IPv4-mapped rows show as IPv4. */
    public String localText() {
      return HostSyntax.socketText(local, localPort);
    }

    /** True for a wildcard bind: 0.0.0.0 or ::. */
    public boolean isWildcard() {
      return local.isAnyLocalAddress();
    }
  }

  private static final InetAddress ANY_V4 = anyAddress(4);
  private static final InetAddress ANY_V6 = anyAddress(16);

  private final List<Row> rows;
  private final int[] stateCounts;
  private final int sockets;
  private final int malformed;
  private final boolean readable;
  private final boolean complete;

  private ListenerTable(List<Row> rows, int[] stateCounts, int sockets, int malformed,
      boolean readable, boolean complete) {
    this.rows = rows;
    this.stateCounts = stateCounts;
    this.sockets = sockets;
    this.malformed = malformed;
    this.readable = readable;
    this.complete = complete;
  }

  private static InetAddress anyAddress(int length) {
    try {
      return InetAddress.getByAddress(new byte[length]);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  /**
   * A table of just the LISTEN sockets on one port, from the kernel's exact lookup: complete
   * for that port, and counting no other socket.
   */
  public static ListenerTable ofListeners(List<Row> listeners) {
    int[] counts = new int[256];
    counts[LISTEN] = listeners.size();
    return new ListenerTable(List.copyOf(listeners), counts, listeners.size(), 0, true, true);
  }

  /** A table whose read has not finished: it proves nothing yet. */
  public static ListenerTable notReadYet() {
    return new ListenerTable(Collections.emptyList(), new int[256], 0, 0, true, false);
  }

  /** Reads both files through {@code system}, however long it takes. */
  public static ListenerTable read(SystemView system) {
    return read(system, System.nanoTime() + TimeUnit.DAYS.toNanos(1));
  }

  /**
   * Reads both files through {@code system}, line by line, and stops when {@code deadlineNanos}
   * passes; such a table is not {@link #complete()}. A table that could not be read says so.
   */
  public static ListenerTable read(SystemView system, long deadlineNanos) {
    // A host with a TIME_WAIT pile-up has tens of thousands of rows; only LISTEN rows are ever
    // looked at in detail, so the others are only counted by state, without parsing them.
    Scan scan = new Scan();
    SystemView.Read tcp = system.readLines(ProcFiles.TCP, deadlineNanos, scan.file(false));
    SystemView.Read tcp6 = tcp == SystemView.Read.CUT_SHORT ? SystemView.Read.CUT_SHORT
        : system.readLines(ProcFiles.TCP6, deadlineNanos, scan.file(true));
    boolean readable = tcp != SystemView.Read.UNREADABLE || tcp6 != SystemView.Read.UNREADABLE;
    boolean complete = tcp != SystemView.Read.CUT_SHORT && tcp6 != SystemView.Read.CUT_SHORT;
    if (!readable) {
      return new ListenerTable(Collections.emptyList(), new int[256], 0, 0, false, true);
    }
    return new ListenerTable(Collections.unmodifiableList(scan.listeners), scan.counts,
        scan.sockets, scan.malformed, true, complete);
  }

  /** Counts and LISTEN rows gathered line by line. */
  private static final class Scan {
    final List<Row> listeners = new ArrayList<>();
    final int[] counts = new int[256];
    int sockets;
    int malformed;

    Consumer<String> file(boolean tcp6) {
      boolean[] header = {true};
      return line -> {
        if (header[0]) {
          header[0] = false;
          return;
        }
        int state = stateOf(line, 0, line.length());
        if (state == LISTEN) {
          Row row = parseLine(line.trim(), tcp6);
          if (row == null) {
            malformed++;
          } else {
            listeners.add(row);
            counts[LISTEN]++;
            sockets++;
          }
        } else if (state >= 0) {
          counts[state]++;
          sockets++;
        } else if (!line.isBlank()) {
          malformed++;
        }
      };
    }
  }

  /** The state field (the fourth on the line) read in place, or -1 when there is none. */
  private static int stateOf(String text, int from, int to) {
    int field = 0;
    int i = from;
    while (i < to) {
      while (i < to && text.charAt(i) == ' ') {
        i++;
      }
      if (i >= to) {
        return -1;
      }
      int fieldStart = i;
      while (i < to && text.charAt(i) != ' ') {
        i++;
      }
      if (field == 3) {
        return i - fieldStart == 2 ? hexInt(text.substring(fieldStart, i), 2) : -1;
      }
      field++;
    }
    return -1;
  }

  /** Parses the text of one file; returns the number of malformed lines skipped. */
  public static int parse(String text, boolean tcp6, List<Row> into) {
    if (text == null) {
      return 0;
    }
    int bad = 0;
    int start = 0;
    boolean header = true;
    while (start < text.length()) {
      int end = text.indexOf('\n', start);
      if (end < 0) {
        end = text.length();
      }
      String line = text.substring(start, end).trim();
      start = end + 1;
      if (header) {
        header = false;
        if (line.startsWith("sl")) {
          continue;
        }
      }
      if (line.isEmpty()) {
        continue;
      }
      Row row = parseLine(line, tcp6);
      if (row == null) {
        bad++;
      } else {
        into.add(row);
      }
    }
    return bad;
  }

  /** Parses one data line, or returns null when it is malformed. */
  static Row parseLine(String line, boolean tcp6) {
    String[] f = line.split("\\s+");
    if (f.length < 5 || !f[0].endsWith(":")) {
      return null;
    }
    int lc = f[1].indexOf(':');
    int rc = f[2].indexOf(':');
    int qc = f[4].indexOf(':');
    if (lc < 0 || rc < 0 || qc < 0) {
      return null;
    }
    InetAddress local = address(f[1].substring(0, lc), tcp6);
    InetAddress remote = address(f[2].substring(0, rc), tcp6);
    int localPort = hexInt(f[1].substring(lc + 1), 4);
    int remotePort = hexInt(f[2].substring(rc + 1), 4);
    int state = hexInt(f[3], 2);
    long rx = hexLong(f[4].substring(qc + 1));
    if (local == null || remote == null || localPort < 0 || remotePort < 0 || state < 0
        || rx < 0) {
      return null;
    }
    return new Row(local, localPort, remote, remotePort, state, rx, tcp6);
  }

  private static InetAddress address(String hex, boolean tcp6) {
    int words = tcp6 ? 4 : 1;
    if (hex.length() != words * 8) {
      return null;
    }
    byte[] bytes = new byte[words * 4];
    for (int w = 0; w < words; w++) {
      long word = hexLong(hex.substring(w * 8, w * 8 + 8));
      if (word < 0) {
        return null;
      }
      // Each 32-bit word is printed in host order; Linux on x86 and arm64 is little-endian.
      for (int b = 0; b < 4; b++) {
        bytes[w * 4 + b] = (byte) (word >>> (8 * b));
      }
    }
    try {
      // getByAddress turns ::ffff:a.b.c.d into an Inet4Address: the mapped form reads as IPv4.
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      return null;
    }
  }

  private static int hexInt(String s, int maxDigits) {
    if (s.isEmpty() || s.length() > maxDigits) {
      return -1;
    }
    long v = hexLong(s);
    return v < 0 ? -1 : (int) v;
  }

  private static long hexLong(String s) {
    if (s.isEmpty() || s.length() > 15) {
      return -1;
    }
    long v = 0;
    for (int i = 0; i < s.length(); i++) {
      int d = hexDigit(s.charAt(i));
      if (d < 0) {
        return -1;
      }
      v = (v << 4) | d;
    }
    return v;
  }

  /**
   * ASCII only: {@link Character#digit} would also take full-width and other scripts' digits,
   * which the kernel never prints, and read a damaged line as a row.
   */
  private static int hexDigit(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  /** False when the deadline cut the read short: a port with no row may still have one. */
  public boolean complete() {
    return complete;
  }

  /** False when neither file could be read (not Linux, or /proc hidden). */
  public boolean readable() {
    return readable;
  }

  /** Lines that could not be parsed. */
  public int malformedLines() {
    return malformed;
  }

  /** How many sockets the table lists, in every state. */
  public int sockets() {
    return sockets;
  }

  /** LISTEN rows on {@code port}. */
  public List<Row> listenersOn(int port) {
    List<Row> out = new ArrayList<>(2);
    for (Row r : rows) {
      if (r.state == LISTEN && r.localPort == port) {
        out.add(r);
      }
    }
    return out;
  }

  /** Sockets in {@code state}. */
  public int count(int state) {
    return state >= 0 && state < stateCounts.length ? stateCounts[state] : 0;
  }

  /**
   * True when a LISTEN row would take a connect to {@code target}: bound to it, or to the
   * wildcard of its family, or to {@code ::} known to be dual-stack. A {@code ::} row of
   * {@code /proc/net/tcp6} may be v6-only, so it is not counted for an IPv4 target; the caller
   * decides with what else it knows.
   */
  public static boolean accepts(Row listener, InetAddress target) {
    if (listener.local.equals(target)) {
      return true;
    }
    if (!listener.isWildcard()) {
      return false;
    }
    boolean targetV4 = target instanceof Inet4Address;
    return (listener.local instanceof Inet4Address) == targetV4
        || (targetV4 && listener.dualStack());
  }
}
