package dev.refusal.internal.diagnosis;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The hosts file the JVM resolves names from, parsed: which names it pins to which addresses.
 *
 * <p>The file is {@code jdk.net.hosts.file} when that system property is set (the JDK then
 * resolves from that file only and never asks DNS; see {@link #exclusive()}), else
 * {@code /etc/hosts}, which glibc reads before DNS under nsswitch's usual {@code files dns}.
 *
 * <p>A line is an address and one or more names (canonical name and aliases) separated by
 * blanks; {@code #} starts a comment. Names match case-insensitively and without a trailing dot.
 * The address is an IPv4 dotted quad or an IPv6 literal; an IPv6 zone id ({@code fe80::1%eth0})
 * is dropped, as the JDK does (an empty one spoils the line), and an IPv4-mapped IPv6 address is
 * the IPv4 address. Lines without a valid address are skipped. At most {@link #MAX_BYTES} bytes
 * and {@link #MAX_LINES} lines are read.
 *
 * <p>Reading never throws: a missing or unreadable file pins nothing. {@link #current()} caches
 * the parse by the file's path, last-modified time and size; instances are immutable and
 * thread-safe.
 */
final class HostsFile {

  /** The most of a hosts file that is read. */
  static final int MAX_BYTES = 1 << 20;

  /** The most lines of a hosts file that are parsed. */
  static final int MAX_LINES = 20_000;

  private static final String JDK_PROPERTY = "jdk.net.hosts.file";
  private static final Path ETC_HOSTS = Path.of("/etc/hosts");

  private static volatile Cached cache;

  private final Path path;
  private final boolean exclusive;
  private final Map<String, List<InetAddress>> pins;

  private HostsFile(Path path, boolean exclusive, Map<String, List<InetAddress>> pins) {
    this.path = path;
    this.exclusive = exclusive;
    this.pins = pins;
  }

  /**
   * The hosts file the JVM uses now, reparsed only when its path, last-modified time or size
   * changed since the last call.
   */
  static HostsFile current() {
    String property = System.getProperty(JDK_PROPERTY);
    if (property == null) {
      return load(ETC_HOSTS, false);
    }
    try {
      return load(Path.of(property), true);
    } catch (RuntimeException e) {
      // Not a path at all: the JDK finds no name in it either.
      return new HostsFile(ETC_HOSTS, true, Map.of());
    }
  }

  /**
   * {@code path} parsed, from the cache when the cached parse is of the same path, last-modified
   * time and size; pins nothing when the file cannot be read.
   */
  static HostsFile load(Path path, boolean exclusive) {
    long modified;
    long size;
    try {
      BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
      modified = a.lastModifiedTime().toMillis();
      size = a.size();
    } catch (IOException | RuntimeException e) {
      return new HostsFile(path, exclusive, Map.of());
    }
    Cached c = cache;
    if (c != null && c.file.path.equals(path) && c.file.exclusive == exclusive
        && c.modified == modified && c.size == size) {
      return c.file;
    }
    HostsFile file = read(path, exclusive);
    // Racing callers may both parse; the last write wins and either result is right.
    cache = new Cached(file, modified, size);
    return file;
  }

  /** Reads and parses {@code path}; pins nothing when it cannot be read. */
  static HostsFile read(Path path, boolean exclusive) {
    byte[] bytes;
    try (InputStream in = Files.newInputStream(path)) {
      bytes = in.readNBytes(MAX_BYTES);
    } catch (IOException | RuntimeException e) {
      return new HostsFile(path, exclusive, Map.of());
    }
    return parse(path, exclusive, new String(bytes, StandardCharsets.UTF_8));
  }

  /** Parses hosts-file {@code text} as if read from {@code path}. */
  static HostsFile parse(Path path, boolean exclusive, String text) {
    Map<String, List<InetAddress>> pins = new HashMap<>();
    int lines = 0;
    int start = 0;
    while (start < text.length() && lines++ < MAX_LINES) {
      int end = text.indexOf('\n', start);
      if (end < 0) {
        end = text.length();
      }
      parseLine(text.substring(start, end), pins);
      start = end + 1;
    }
    Map<String, List<InetAddress>> frozen = new HashMap<>();
    for (Map.Entry<String, List<InetAddress>> e : pins.entrySet()) {
      frozen.put(e.getKey(), Collections.unmodifiableList(e.getValue()));
    }
    return new HostsFile(path, exclusive, Collections.unmodifiableMap(frozen));
  }

  private static void parseLine(String line, Map<String, List<InetAddress>> pins) {
    int hash = line.indexOf('#');
    String content = (hash >= 0 ? line.substring(0, hash) : line).trim();
    if (content.isEmpty()) {
      return;
    }
    String[] fields = content.split("\\s+");
    if (fields.length < 2) {
      return;
    }
    byte[] address = addressBytes(fields[0]);
    if (address == null) {
      return;
    }
    for (int i = 1; i < fields.length; i++) {
      String name = normalize(fields[i]);
      if (name.isEmpty()) {
        continue;
      }
      InetAddress a;
      try {
        // Bytes and a name: no lookup happens.
        a = InetAddress.getByAddress(name, address);
      } catch (UnknownHostException e) {
        return;
      }
      List<InetAddress> list = pins.computeIfAbsent(name, k -> new ArrayList<>(2));
      if (!list.contains(a)) {
        list.add(a);
      }
    }
  }

  /** The bytes of an IPv4 or IPv6 literal (its zone id dropped), or null when it is not one. */
  static byte[] addressBytes(String literal) {
    int zone = literal.indexOf('%');
    String text = zone >= 0 ? literal.substring(0, zone) : literal;
    if (text.isEmpty() || text.length() > 45 || zone == literal.length() - 1) {
      return null;
    }
    boolean v6 = text.indexOf(':') >= 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean ok = (c >= '0' && c <= '9') || c == '.'
          || (v6 && (c == ':' || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')));
      if (!ok) {
        return null;
      }
    }
    if (!v6 && (zone >= 0 || !dottedQuad(text))) {
      return null;
    }
    try {
      // A bracketed IPv6 literal or a dotted quad: the JDK parses it and never looks it up.
      return InetAddress.getByName(v6 ? "[" + text + "]" : text).getAddress();
    } catch (UnknownHostException | RuntimeException e) {
      return null;
    }
  }

  private static boolean dottedQuad(String text) {
    String[] parts = text.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    for (String p : parts) {
      if (p.isEmpty() || p.length() > 3 || Integer.parseInt(p) > 255) {
        return false;
      }
    }
    return true;
  }

  private static String normalize(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
  }

  /** The file this was read from. */
  Path path() {
    return path;
  }

  /**
   * True for a {@code jdk.net.hosts.file}: the JVM resolves from this file only, so a name it
   * does not pin does not resolve at all.
   */
  boolean exclusive() {
    return exclusive;
  }

  /** True when the file pins {@code host} to at least one address. */
  boolean pins(String host) {
    return host != null && pins.containsKey(normalize(host));
  }

  /** The addresses the file pins {@code host} to, in file order; empty when it pins none. */
  List<InetAddress> addresses(String host) {
    if (host == null) {
      return List.of();
    }
    List<InetAddress> a = pins.get(normalize(host));
    return a == null ? List.of() : a;
  }

  /** How many names the file pins. */
  int size() {
    return pins.size();
  }

  private static final class Cached {
    final HostsFile file;
    final long modified;
    final long size;

    Cached(HostsFile file, long modified, long size) {
      this.file = file;
      this.modified = modified;
      this.size = size;
    }
  }
}
