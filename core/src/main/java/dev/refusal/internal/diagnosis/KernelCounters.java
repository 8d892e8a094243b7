package dev.refusal.internal.diagnosis;

/** Small readers for single values under {@code /proc}; each returns -1 when it cannot tell. */
public final class KernelCounters {

  private KernelCounters() {}

  /** {@code TcpExt: ListenOverflows} from {@code /proc/net/netstat}: SYNs dropped, system-wide. */
  public static long listenOverflows(SystemView system) {
    return netstatValue(system.readFile(ProcFiles.NETSTAT), "TcpExt:", "ListenOverflows");
  }

  /** The kernel's cap on every listen backlog. */
  public static long somaxconn(SystemView system) {
    return firstNumber(system.readFile(ProcFiles.SOMAXCONN), 0);
  }

  /** The ephemeral port range as {@code {low, high}}, or null. */
  public static long[] ephemeralRange(SystemView system) {
    String text = system.readFile(ProcFiles.PORT_RANGE);
    if (text == null) {
      return null;
    }
    String[] parts = text.trim().split("\\s+");
    if (parts.length != 2) {
      return null;
    }
    long low = firstNumber(parts[0], 0);
    long high = firstNumber(parts[1], 0);
    return low > 0 && high >= low ? new long[] {low, high} : null;
  }

  /** Reads a named value from the header/value line pairs of {@code /proc/net/netstat}. */
  static long netstatValue(String text, String prefix, String name) {
    if (text == null) {
      return -1;
    }
    String[] lines = text.split("\n");
    for (int i = 0; i + 1 < lines.length; i++) {
      if (!lines[i].startsWith(prefix) || !lines[i + 1].startsWith(prefix)) {
        continue;
      }
      String[] names = lines[i].substring(prefix.length()).trim().split("\\s+");
      String[] values = lines[i + 1].substring(prefix.length()).trim().split("\\s+");
      for (int k = 0; k < names.length && k < values.length; k++) {
        if (names[k].equals(name)) {
          return firstNumber(values[k], 0);
        }
      }
      return -1;
    }
    return -1;
  }

  private static long firstNumber(String text, int from) {
    if (text == null) {
      return -1;
    }
    String t = text.trim();
    long v = 0;
    int digits = 0;
    for (int i = from; i < t.length(); i++) {
      char c = t.charAt(i);
      if (c < '0' || c > '9') {
        break;
      }
      // The kernel's counters are u64: one past Long.MAX_VALUE cannot be told, and reading only
      // its first digits would give a wrong value rather than none.
      if (v > (Long.MAX_VALUE - (c - '0')) / 10) {
        return -1;
      }
      v = v * 10 + (c - '0');
      digits++;
    }
    return digits == 0 ? -1 : v;
  }
}
