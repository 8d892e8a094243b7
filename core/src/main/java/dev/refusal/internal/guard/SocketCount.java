package dev.refusal.internal.guard;

import dev.refusal.internal.diagnosis.ProcFiles;
import dev.refusal.internal.diagnosis.SystemView;

/**
 * How many TCP sockets this network namespace holds, from the kernel's own counters ({@code TCP:
 * inuse} in /proc/net/sockstat and {@code TCP6: inuse} in /proc/net/sockstat6). A listener that
 * comes back changes the count, so an unchanged count proves that no service on this host started
 * listening, without dialling it. Reading both files costs tens of microseconds whatever the
 * number of sockets, where /proc/net/tcp walks the kernel's whole connection table (milliseconds
 * on a large host).
 */
public final class SocketCount {

  /** The value {@link #read} returns when the counters cannot be read (not Linux, no /proc). */
  public static final long UNKNOWN = -1;

  private SocketCount() {}

  /**
   * The IPv4 and IPv6 counts packed in one value (IPv4 in the high half), so a socket that
   * closes in one family while another opens in the other still changes it; {@link #UNKNOWN}
   * when either file is missing or unreadable.
   */
  public static long read(SystemView system) {
    long v4 = inuse(system.readFile(ProcFiles.SOCKSTAT), "TCP:");
    long v6 = inuse(system.readFile(ProcFiles.SOCKSTAT6), "TCP6:");
    if (v4 < 0 || v6 < 0) {
      return UNKNOWN;
    }
    return (v4 << 32) | v6;
  }

  /** The number after "inuse" on the line that starts with {@code prefix}, or -1. */
  static long inuse(String text, String prefix) {
    if (text == null) {
      return -1;
    }
    int line = 0;
    while (line < text.length()) {
      int end = text.indexOf('\n', line);
      if (end < 0) {
        end = text.length();
      }
      if (text.startsWith(prefix, line)) {
        int at = text.indexOf(" inuse ", line);
        if (at < 0 || at >= end) {
          return -1;
        }
        return digits(text, at + " inuse ".length(), end);
      }
      line = end + 1;
    }
    return -1;
  }

  private static long digits(String text, int from, int end) {
    long value = 0;
    int i = from;
    // Nine digits at most: a count that fits 32 bits, so the packed value cannot overflow.
    while (i < end && i - from < 9 && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
      value = value * 10 + (text.charAt(i) - '0');
      i++;
    }
    boolean endsWell = i > from && (i == end || text.charAt(i) == ' ');
    return endsWell ? value : -1;
  }
}
