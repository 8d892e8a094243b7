package dev.refusal.internal;

import java.net.IDN;
import java.util.Locale;

/**
 * Validates and normalizes host names and IP literals without any lookup: parsing an endpoint
 * must never touch DNS or the host's interfaces.
 */
public final class HostSyntax {

  private static final int MAX_NAME_LENGTH = 253;
  private static final int MAX_LABEL_LENGTH = 63;
  private static final int MAX_SHOWN = 80;

  private HostSyntax() {}

  /**
   * Returns the host in its stored form, or throws {@link IllegalArgumentException} naming what
   * is wrong with it.
   */
  public static String normalize(String host) {
    if (host.isEmpty()) {
      throw new IllegalArgumentException("host is empty");
    }
    if (host.isBlank()) {
      throw new IllegalArgumentException("host is blank");
    }
    rejectControlCharacters(host, "host");
    String h = host;
    boolean bracketed = false;
    if (h.length() > 2 && h.charAt(0) == '[' && h.charAt(h.length() - 1) == ']') {
      h = h.substring(1, h.length() - 1);
      bracketed = true;
    }
    if (h.indexOf(':') >= 0) {
      return normalizeIpv6(h, bracketed);
    }
    if (bracketed) {
      // Brackets mark an IPv6 literal only; accepting [name] would let two spellings of one
      // endpoint compare unequal.
      throw new IllegalArgumentException(
          "host has brackets around '" + printable(h) + "', which is not an IPv6 address");
    }
    if (looksNumeric(h)) {
      if (!isIpv4Literal(h)) {
        throw new IllegalArgumentException(
            "host '" + printable(h) + "' is not a valid IPv4 address");
      }
      return h;
    }
    return normalizeName(h);
  }

  private static String normalizeName(String name) {
    String ascii = toAscii(name);
    if (ascii.endsWith(".") && ascii.length() > 1) {
      ascii = ascii.substring(0, ascii.length() - 1);
    }
    if (ascii.length() > MAX_NAME_LENGTH) {
      throw new IllegalArgumentException("host name is " + ascii.length()
          + " characters long (at most " + MAX_NAME_LENGTH + ")");
    }
    int labelStart = 0;
    for (int i = 0; i <= ascii.length(); i++) {
      char c = i < ascii.length() ? ascii.charAt(i) : '.';
      if (c == '.') {
        int length = i - labelStart;
        if (length == 0) {
          throw new IllegalArgumentException(
              "host '" + printable(ascii) + "' has an empty label (two dots in a row, or a"
                  + " leading dot)");
        }
        if (length > MAX_LABEL_LENGTH) {
          throw new IllegalArgumentException("host label '"
              + printable(ascii.substring(labelStart, i)) + "' is " + length
              + " characters long (at most " + MAX_LABEL_LENGTH + ")");
        }
        if (ascii.charAt(labelStart) == '-' || ascii.charAt(i - 1) == '-') {
          throw new IllegalArgumentException("host label '"
              + printable(ascii.substring(labelStart, i)) + "' starts or ends with '-'");
        }
        labelStart = i + 1;
      } else if (!isNameChar(c)) {
        throw new IllegalArgumentException(
            "host '" + printable(ascii) + "' contains '" + printable(String.valueOf(c))
                + "' at index " + i + " (a host name has letters, digits, '-', '_' and '.')");
      }
    }
    return ascii.toLowerCase(Locale.ROOT);
  }

  /**
   * Converts label by label rather than handing the whole name to {@link IDN}, which rejects a
   * name outright when any label is too long; this way every name gets the same length checks
   * and messages, and an error names the label at fault.
   */
  private static String toAscii(String name) {
    if (isAscii(name)) {
      return name;
    }
    StringBuilder sb = new StringBuilder(name.length() + 16);
    int labelStart = 0;
    for (int i = 0; i <= name.length(); i++) {
      if (i < name.length() && !isLabelSeparator(name.charAt(i))) {
        continue;
      }
      String label = name.substring(labelStart, i);
      if (isAscii(label)) {
        sb.append(label);
      } else {
        try {
          sb.append(IDN.toASCII(label, IDN.ALLOW_UNASSIGNED));
        } catch (RuntimeException e) {
          // Not only IllegalArgumentException: from JDK 25 on, IDN throws a bare
          // RuntimeException ("input too long: 1001 UTF-16 code units") for a label over 1,000
          // code units. IDN's message may also end with the whole label after nameprep, however
          // long and whatever it holds; it is quoted through printable() and not chained, so
          // neither the message nor a logged stack trace carries more than a short, escaped
          // head of it. Its IllegalArgumentException wraps a java.text.ParseException, whose
          // class name means nothing to a user: the reason is the wrapped message.
          Throwable why = e.getCause() != null ? e.getCause() : e;
          String reason = printable(String.valueOf(why.getMessage()));
          throw new IllegalArgumentException("host label '" + printable(label)
              + "' is not a valid internationalized name (" + reason + ")");
        }
      }
      if (i < name.length()) {
        sb.append('.');
      }
      labelStart = i + 1;
    }
    return sb.toString();
  }

  /** The full stop and the ideographic and full-width dots IDNA treats as label separators. */
  private static boolean isLabelSeparator(char c) {
    return c == '.' || c == '\u3002' || c == '\uFF0E' || c == '\uFF61';
  }

  private static boolean isAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) >= 0x80) {
        return false;
      }
    }
    return true;
  }

  private static boolean isNameChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || c == '-' || c == '_';
  }

  private static boolean looksNumeric(String h) {
    for (int i = 0; i < h.length(); i++) {
      char c = h.charAt(i);
      if ((c < '0' || c > '9') && c != '.') {
        return false;
      }
    }
    return true;
  }

  /** True for a dotted-quad IPv4 literal such as {@code 127.0.0.1}. */
  public static boolean isIpv4Literal(String h) {
    return parseIpv4(h, 0, h.length(), null, 0);
  }

  private static boolean parseIpv4(String s, int from, int to, byte[] out, int offset) {
    int part = 0;
    int value = -1;
    int digits = 0;
    for (int i = from; i <= to; i++) {
      char c = i < to ? s.charAt(i) : '.';
      if (c == '.') {
        if (value < 0 || part > 3) {
          return false;
        }
        if (out != null) {
          out[offset + part] = (byte) value;
        }
        part++;
        value = -1;
        digits = 0;
      } else if (c >= '0' && c <= '9') {
        if (digits == 3) {
          return false;
        }
        value = (value < 0 ? 0 : value * 10) + (c - '0');
        digits++;
        if (value > 255) {
          return false;
        }
      } else {
        return false;
      }
    }
    return part == 4;
  }

  private static String normalizeIpv6(String text, boolean bracketed) {
    int percent = text.indexOf('%');
    String address = percent < 0 ? text : text.substring(0, percent);
    String zone = percent < 0 ? null : text.substring(percent + 1);
    if (zone != null) {
      if (zone.isEmpty()) {
        throw new IllegalArgumentException(
            "IPv6 address '" + printable(text) + "' has an empty zone id after '%'");
      }
      for (int i = 0; i < zone.length(); i++) {
        char c = zone.charAt(i);
        if (!isNameChar(c) && c != '.') {
          throw new IllegalArgumentException(
              "IPv6 zone id '" + printable(zone) + "' contains '" + printable(String.valueOf(c))
                  + "'");
        }
      }
    }
    byte[] bytes = parseIpv6(address);
    if (bytes == null && !bracketed && text.indexOf(':') == text.lastIndexOf(':')) {
      throw new IllegalArgumentException("host '" + printable(text)
          + "' contains ':', which only IPv6 literals may (give the port separately)");
    }
    if (bytes == null) {
      throw new IllegalArgumentException(
          "host '" + printable(text) + "' is not a valid IPv6 address");
    }
    String canonical = formatIpv6(bytes);
    return zone == null ? canonical : canonical + "%" + zone;
  }

  /** Parses an IPv6 literal (no brackets, no zone) into 16 bytes, or returns null. */
  public static byte[] parseIpv6(String s) {
    if (s.isEmpty() || s.length() > 45) {
      return null;
    }
    byte[] out = new byte[16];
    int gap = s.indexOf("::");
    if (gap >= 0 && s.indexOf("::", gap + 1) >= 0) {
      return null;
    }
    int[] groups = new int[8];
    int count = 0;
    int gapAt = -1;
    int i = 0;
    int n = s.length();
    if (gap == 0) {
      gapAt = 0;
      i = 2;
    }
    while (i < n) {
      int end = s.indexOf(':', i);
      if (end < 0) {
        end = n;
      }
      String group = s.substring(i, end);
      if (group.indexOf('.') >= 0) {
        if (end != n || count > 6) {
          return null;
        }
        byte[] v4 = new byte[4];
        if (!parseIpv4(group, 0, group.length(), v4, 0)) {
          return null;
        }
        groups[count++] = ((v4[0] & 0xff) << 8) | (v4[1] & 0xff);
        groups[count++] = ((v4[2] & 0xff) << 8) | (v4[3] & 0xff);
        i = n;
        break;
      }
      if (group.isEmpty() || group.length() > 4 || count == 8) {
        return null;
      }
      int value = 0;
      for (int k = 0; k < group.length(); k++) {
        int d = hexDigit(group.charAt(k));
        if (d < 0) {
          return null;
        }
        value = value * 16 + d;
      }
      groups[count++] = value;
      if (end == n) {
        i = n;
      } else if (end + 1 < n && s.charAt(end + 1) == ':') {
        if (gapAt >= 0) {
          return null;
        }
        gapAt = count;
        i = end + 2;
      } else if (end + 1 == n) {
        return null;
      } else {
        i = end + 1;
      }
    }
    if (gapAt < 0 && count != 8) {
      return null;
    }
    if (gapAt >= 0 && count > 7) {
      return null;
    }
    int[] full = new int[8];
    if (gapAt < 0) {
      System.arraycopy(groups, 0, full, 0, 8);
    } else {
      System.arraycopy(groups, 0, full, 0, gapAt);
      int tail = count - gapAt;
      System.arraycopy(groups, gapAt, full, 8 - tail, tail);
    }
    for (int g = 0; g < 8; g++) {
      out[2 * g] = (byte) (full[g] >>> 8);
      out[2 * g + 1] = (byte) full[g];
    }
    return out;
  }

  /** ASCII only: {@link Character#digit} would also accept Arabic-Indic or full-width digits. */
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

  /**
   * Formats 16 bytes in the RFC 5952 text form ({@code ::1}, {@code 2001:db8::7}), writing an
   * IPv4-mapped address in the mixed form its section 5 recommends ({@code ::ffff:192.0.2.1}).
   */
  public static String formatIpv6(byte[] b) {
    int[] g = new int[8];
    for (int i = 0; i < 8; i++) {
      g[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
    }
    if (g[0] == 0 && g[1] == 0 && g[2] == 0 && g[3] == 0 && g[4] == 0 && g[5] == 0xffff) {
      return "::ffff:" + (b[12] & 0xff) + "." + (b[13] & 0xff) + "." + (b[14] & 0xff) + "."
          + (b[15] & 0xff);
    }
    int bestStart = -1;
    int bestLength = 1;
    for (int i = 0; i < 8; ) {
      if (g[i] != 0) {
        i++;
        continue;
      }
      int j = i;
      while (j < 8 && g[j] == 0) {
        j++;
      }
      if (j - i > bestLength) {
        bestStart = i;
        bestLength = j - i;
      }
      i = j;
    }
    StringBuilder sb = new StringBuilder(39);
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        sb.append("::");
        i += bestLength - 1;
        continue;
      }
      if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
        sb.append(':');
      }
      sb.append(Integer.toHexString(g[i]));
    }
    return sb.toString();
  }

  /** An address as a person writes it: {@code 127.0.0.1}, {@code ::1} (RFC 5952), no scope. */
  public static String addressText(java.net.InetAddress address) {
    return address instanceof java.net.Inet6Address ? formatIpv6(address.getAddress())
        : address.getHostAddress();
  }

  /** An address and port: {@code 127.0.0.1:80}, {@code [::1]:80}. */
  public static String socketText(java.net.InetAddress address, int port) {
    return address instanceof java.net.Inet6Address
        ? "[" + formatIpv6(address.getAddress()) + "]:" + port
        : address.getHostAddress() + ":" + port;
  }

  /** Throws when {@code text} holds an ISO control character, naming it and its index. */
  public static void rejectControlCharacters(String text, String what) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isISOControl(c)) {
        throw new IllegalArgumentException(String.format(Locale.ROOT,
            "%s contains the control character U+%04X at index %d", what, (int) c, i));
      }
    }
  }

  /**
   * Returns text fit to quote in an error message: control characters and line separators
   * escaped and long input cut short, so a message stays one readable line.
   */
  public static String printable(String text) {
    StringBuilder sb = new StringBuilder(Math.min(text.length(), MAX_SHOWN) + 8);
    for (int i = 0; i < text.length(); i++) {
      if (sb.length() >= MAX_SHOWN) {
        sb.append("…(").append(text.length()).append(" chars)");
        break;
      }
      char c = text.charAt(i);
      // U+2028 and U+2029 are not ISO controls, but many viewers break the line at them.
      if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }
}
