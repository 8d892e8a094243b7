package dev.refusal;

import dev.refusal.internal.HostSyntax;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The host and port a client dials, optionally with the socket address it tried and the proxy it
 * went through.
 *
 * <p>Host names are stored in lower-case ASCII (internationalized names in their {@code xn--}
 * form); IPv4 literals as written; IPv6 literals without brackets, in the RFC 5952 form, with
 * their zone id. URI user-info, paths, queries and fragments are dropped before anything is
 * stored, so no secret in a URL can reach a field, {@link #toString()} or an error message.
 *
 * <p>Equality and hashing are by host and port only: the address tried and the proxy are
 * context, not identity. Instances are immutable and safe to share between threads. Methods
 * throw {@link NullPointerException} for null arguments and {@link IllegalArgumentException}
 * with a message naming the bad part for malformed ones.
 */
public final class Endpoint {

  private static final int MIN_PORT = 1;
  private static final int MAX_PORT = 65_535;

  private final String host;
  private final int port;
  private final boolean ipv6Literal;
  private final InetSocketAddress address;
  private final Proxy proxy;
  private final int hash;

  private Endpoint(String host, int port, boolean ipv6Literal, InetSocketAddress address,
      Proxy proxy) {
    this.host = host;
    this.port = port;
    this.ipv6Literal = ipv6Literal;
    this.address = address;
    this.proxy = proxy;
    this.hash = 31 * host.hashCode() + port;
  }

  /**
   * Returns the endpoint for {@code host} and {@code port}.
   *
   * @param host a host name, an IPv4 literal, or an IPv6 literal with or without brackets (a zone
   *     id such as {@code fe80::1%eth0} is kept)
   * @param port 1 to 65535
   * @throws IllegalArgumentException naming the bad part when the host or port is not valid
   */
  public static Endpoint of(String host, int port) {
    Objects.requireNonNull(host, "host");
    checkPort(port, null);
    String normalized = HostSyntax.normalize(host);
    return new Endpoint(normalized, port, normalized.indexOf(':') >= 0, null, null);
  }

  /**
   * Returns the endpoint a URI points at: its host, and its port or the scheme's default
   * ({@code http} and {@code ws} 80, {@code https} and {@code wss} 443).
   *
   * <p>User-info, path, query and fragment are dropped and never appear in an error message.
   *
   * @throws IllegalArgumentException when the URI has no host, or no port and a scheme without a
   *     known default port
   */
  public static Endpoint of(URI uri) {
    Objects.requireNonNull(uri, "uri");
    String scheme = uri.getScheme();
    if (scheme == null) {
      throw new IllegalArgumentException("URI has no scheme (expected e.g. http://host:port)");
    }
    if (uri.isOpaque()) {
      throw new IllegalArgumentException(
          "URI with scheme '" + HostSyntax.printable(scheme) + "' has no host part");
    }
    String authority = uri.getRawAuthority();
    if (authority == null || authority.isEmpty()) {
      throw new IllegalArgumentException(
          "URI with scheme '" + HostSyntax.printable(scheme) + "' has no host");
    }
    // The raw authority is used rather than getHost(), which returns null for legal service
    // names such as my_service (underscores are common in container networks).
    int at = authority.lastIndexOf('@');
    String hostPort = at >= 0 ? authority.substring(at + 1) : authority;
    if (hostPort.startsWith("[")) {
      // RFC 6874: a zone id inside a URI is written with its '%' escaped as %25.
      hostPort = hostPort.replace("%25", "%");
    }
    return fromHostPort(hostPort, defaultPort(scheme), "URL", scheme);
  }

  /**
   * Parses {@code host:port}, {@code [ipv6]:port}, or a URL (anything containing {@code ://}, read
   * as by {@link #of(URI)}).
   *
   * @throws IllegalArgumentException naming the bad part: empty or blank input, a missing or
   *     non-numeric port, a port out of range, an IPv6 literal with a port but no brackets, a
   *     control character, a host name over 253 characters or a label over 63, and user-info,
   *     a path, a query or a fragment in text that is not a URL
   */
  public static Endpoint parse(String text) {
    Objects.requireNonNull(text, "text");
    if (text.isEmpty()) {
      throw new IllegalArgumentException("endpoint is empty (expected host:port)");
    }
    if (text.isBlank()) {
      throw new IllegalArgumentException("endpoint is blank (expected host:port)");
    }
    HostSyntax.rejectControlCharacters(text, "endpoint");
    String trimmed = text.strip();
    int scheme = trimmed.indexOf("://");
    if (scheme > 0) {
      URI uri;
      try {
        uri = new URI(trimmed);
      } catch (URISyntaxException e) {
        // Not chained: the cause's message quotes the whole input, user-info and query included,
        // and would reach every log that prints the stack trace.
        throw new IllegalArgumentException(
            "endpoint is not a valid URL at index " + e.getIndex() + ": " + e.getReason());
      }
      return of(uri);
    }
    if (trimmed.indexOf('@') >= 0) {
      throw new IllegalArgumentException(
          "endpoint contains '@': user-info is not accepted in host:port (write a URL, or drop it)");
    }
    int extra = firstIndexOfAny(trimmed, "/?#");
    if (extra >= 0) {
      // Only what comes before is quoted: a query after host:port may well hold a token.
      throw new IllegalArgumentException("endpoint has a path, query or fragment after '"
          + HostSyntax.printable(trimmed.substring(0, extra))
          + "' (expected host:port, or a URL with a scheme)");
    }
    return fromHostPort(trimmed, -1, "endpoint", null);
  }

  private static int firstIndexOfAny(String text, String chars) {
    for (int i = 0; i < text.length(); i++) {
      if (chars.indexOf(text.charAt(i)) >= 0) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Splits and checks {@code host[:port]} or {@code [ipv6][:port]}; {@code scheme} is null when
   * the text did not come from a URL.
   */
  private static Endpoint fromHostPort(String hostPort, int defaultPort, String what,
      String scheme) {
    String host;
    String portText;
    if (hostPort.startsWith("[")) {
      int close = hostPort.indexOf(']');
      if (close < 0) {
        throw new IllegalArgumentException(what + " has '[' without a closing ']'");
      }
      host = hostPort.substring(1, close);
      String rest = hostPort.substring(close + 1);
      if (rest.isEmpty()) {
        portText = null;
      } else if (rest.charAt(0) == ':') {
        portText = rest.substring(1);
      } else {
        throw new IllegalArgumentException(
            what + " has '" + HostSyntax.printable(rest) + "' after ']' (expected :port)");
      }
      if (!host.isEmpty() && host.indexOf(':') < 0) {
        throw new IllegalArgumentException(
            what + " has brackets around '" + HostSyntax.printable(host)
                + "', which is not an IPv6 address");
      }
    } else {
      int firstColon = hostPort.indexOf(':');
      int lastColon = hostPort.lastIndexOf(':');
      if (firstColon != lastColon) {
        // In a URL this is often user:password with its '@' mistyped: not quoted, since the
        // text may hold a password.
        throw new IllegalArgumentException(what.startsWith("URL")
            ? what + " authority has more than one ':' (an IPv6 address goes in brackets; a"
                + " mistyped user-info '@'?); it is not quoted, as it may hold a password"
            : what + " '" + HostSyntax.printable(hostPort) + "' has more than one ':'; an IPv6"
                + " address with a port is written in brackets: [address]:port");
      }
      host = firstColon < 0 ? hostPort : hostPort.substring(0, firstColon);
      portText = firstColon < 0 ? null : hostPort.substring(firstColon + 1);
    }
    if (host.isEmpty()) {
      throw new IllegalArgumentException(what + " has no host");
    }
    int port;
    if (portText == null) {
      if (defaultPort < 0) {
        throw new IllegalArgumentException(what + " '" + HostSyntax.printable(hostPort)
            + "' has no port " + (scheme == null
                ? "(expected host:port)"
                : "and scheme '" + HostSyntax.printable(scheme)
                    + "' has no default port (only http, ws, https and wss have one)"));
      }
      port = defaultPort;
    } else {
      port = parsePort(portText, what);
    }
    return of(host, port);
  }

  private static int parsePort(String text, String what) {
    if (text.isEmpty()) {
      throw new IllegalArgumentException(what + " has an empty port after ':'");
    }
    boolean negative = text.charAt(0) == '-';
    int start = negative ? 1 : 0;
    if (start == text.length()) {
      throw notNumeric(text, what);
    }
    for (int i = start; i < text.length(); i++) {
      char c = text.charAt(i);
      // ASCII only: Character.isDigit would let Arabic-Indic or full-width digits through.
      if (c < '0' || c > '9') {
        throw notNumeric(text, what);
      }
    }
    // Past leading zeros the digit count alone rules out both overflow and a valid port.
    int significant = start;
    while (significant < text.length() - 1 && text.charAt(significant) == '0') {
      significant++;
    }
    if (text.length() - significant > 5) {
      throw outOfRange(shorten(text), what);
    }
    int value = Integer.parseInt(text, significant, text.length(), 10);
    checkPort(negative ? -value : value, what);
    return negative ? -value : value;
  }

  private static String shorten(String text) {
    return text.length() > 12 ? text.substring(0, 12) + "…" : text;
  }

  private static IllegalArgumentException notNumeric(String text, String what) {
    return new IllegalArgumentException(
        (what == null ? "" : what + ": ") + "port '" + HostSyntax.printable(shorten(text))
            + "' is not a number from 1 to 65535");
  }

  private static void checkPort(int port, String what) {
    if (port < MIN_PORT || port > MAX_PORT) {
      throw outOfRange(Integer.toString(port), what);
    }
  }

  private static IllegalArgumentException outOfRange(String port, String what) {
    return new IllegalArgumentException(
        (what == null ? "" : what + ": ") + "port " + port
            + " is out of range (must be 1 to 65535)");
  }

  private static int defaultPort(String scheme) {
    switch (scheme.toLowerCase(Locale.ROOT)) {
      case "http":
      case "ws":
        return 80;
      case "https":
      case "wss":
        return 443;
      default:
        return -1;
    }
  }

  /**
   * Returns a copy that also records the socket address that was dialled. Equality is
   * unchanged.
   */
  public Endpoint withAddress(InetSocketAddress address) {
    Objects.requireNonNull(address, "address");
    return new Endpoint(host, port, ipv6Literal, address, proxy);
  }

  /**
   * Returns a copy that also records the proxy the connection went through ({@link Proxy#NO_PROXY}
   * is stored as no proxy). Equality is unchanged.
   */
  public Endpoint withProxy(Proxy proxy) {
    Objects.requireNonNull(proxy, "proxy");
    return new Endpoint(host, port, ipv6Literal, address,
        proxy.type() == Proxy.Type.DIRECT ? null : proxy);
  }

  /** The host: a lower-case name, an IPv4 literal, or an IPv6 literal without brackets. */
  public String host() {
    return host;
  }

  /** The port, 1 to 65535. */
  public int port() {
    return port;
  }

  /** The socket address that was dialled, when the caller knows it. */
  public Optional<InetSocketAddress> address() {
    return Optional.ofNullable(address);
  }

  /** The proxy the connection went through, when there was one. */
  public Optional<Proxy> proxy() {
    return Optional.ofNullable(proxy);
  }

  /** True when the host is an IPv4 or IPv6 literal rather than a name. */
  public boolean isIpLiteral() {
    return ipv6Literal || HostSyntax.isIpv4Literal(host);
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Endpoint)) {
      return false;
    }
    Endpoint that = (Endpoint) o;
    return port == that.port && host.equals(that.host);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  /** Returns {@code host:port}, or {@code [ipv6]:port} for an IPv6 literal. */
  @Override
  public String toString() {
    return ipv6Literal ? "[" + host + "]:" + port : host + ":" + port;
  }
}
