package dev.refusal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.refusal.testing.ForAll;
import dev.refusal.testing.Gen;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Properties of {@link Endpoint#parse}, {@link Endpoint#of(URI)} and {@link Endpoint#of(String,
 * int)} over generated input: hostile text, URLs with planted secrets, and every spelling of valid
 * endpoints.
 */
@DisplayName("Endpoint properties")
final class EndpointProperties {

  /** "At most a few hundred characters": a message is read in one glance, and logged whole. */
  private static final int MAX_MESSAGE = 400;
  /** Each message says what it is about; one of these words names the part that was wrong. */
  private static final Pattern NAMES_A_PART =
      Pattern.compile("\\b(endpoint|URL|URI|host|port|IPv4|IPv6|zone|scheme)\\b");

  // ---------------------------------------------------------------------------------------------
  // Generators.

  /** Characters parsers branch on, plus the ones that tend to slip through them. */
  private static final String TRICKY = "[]:@?#%/.-_ \t\n\r\u0000\u007f\u0085\u00a0\u2028\u2029"
      + "\u3002\uff0e\uff61\uff10\u0660\u00fc\u4f8b\ud800\udc00\ufeff\u200b"
      + "0123456789abcdefABCDEF";

  private static final Gen<String> FRAGMENTS = Gen.elements("[", "]", ":", "::", "%", "%25", "@",
      "?", "#", "/", "//", "://", "http", "HTTPS", "ws", "ftp", "user:pw@", "localhost",
      "127.0.0.1", "::1", "fe80::1", "::ffff:", "1.2.3.4", "80", "65535", "65536", "0", "-1",
      "00080", "+80", "99999999999", "xn--", "xn--bcher-kva", "bücher", ".", "..", "-", "_", " ",
      "\t", "a", "Z", "ü", "例", "\u3002", "\uff0e", "\u2028", "\u0000", "%eth0", "%25eth0",
      "ffff", "0:0", "1:2:3:4:5:6:7:8");

  private static final Gen<String> SHORT_ANY = Gen.strings(Gen.ANY_CHAR, 0, 300);
  private static final Gen<String> SHORT_TRICKY = Gen.strings(Gen.charsFrom(TRICKY), 0, 60);
  private static final Gen<String> FRAGMENTED = Gen.concat(FRAGMENTS, 14);
  /** Up to a million characters: a repeated piece, so a slow path shows as a hang. */
  private static final Gen<String> HUGE = r -> {
    String piece = Gen.oneOf(FRAGMENTED, SHORT_TRICKY).filter(s -> !s.isEmpty()).next(r);
    int length = 10_000 + r.nextInt(1_000_000);
    String body = piece.repeat(length / piece.length() + 1).substring(0, length);
    switch (r.nextInt(4)) {
      case 0:
        return body + ":80";
      case 1:
        return "http://" + body + "/";
      case 2:
        return "[" + body + "]:80";
      default:
        return body;
    }
  };

  private static final Gen<Integer> ANY_PORT = Gen.oneOf(Gen.ints(Integer.MIN_VALUE,
      Integer.MAX_VALUE), Gen.ints(-2, 70_000), Gen.ints(1, 65_535));

  // ---------------------------------------------------------------------------------------------
  // The contract every call must keep.

  /**
   * Checks the documented outcome of one call: an endpoint, or an {@link
   * IllegalArgumentException} whose message is one short line naming the bad part. Anything
   * else (another exception, an error, a message with a line break) falsifies the property.
   */
  private static Endpoint endpointOrRejection(Throwable thrown, Endpoint endpoint) {
    if (thrown == null) {
      assertThat(endpoint).isNotNull();
      assertThat(endpoint.port()).isBetween(1, 65_535);
      assertThat(endpoint.host()).isNotEmpty();
      return endpoint;
    }
    assertThat(thrown).isExactlyInstanceOf(IllegalArgumentException.class);
    // A cause is printed with the stack trace, so it is held to the same bound as the message.
    for (Throwable c = thrown.getCause(); c != null; c = c.getCause()) {
      assertThat(String.valueOf(c.getMessage()).length()).as("message of cause %s", c)
          .isLessThanOrEqualTo(MAX_MESSAGE);
    }
    String m = thrown.getMessage();
    assertThat(m).isNotBlank();
    assertThat(m.length()).as("length of %s", ForAll.quote(m)).isLessThanOrEqualTo(MAX_MESSAGE);
    assertThat(m.lines().count()).as("lines of %s", ForAll.quote(m)).isEqualTo(1);
    for (int i = 0; i < m.length(); i++) {
      char c = m.charAt(i);
      // Control characters and Unicode line and paragraph separators break a log line too.
      assertThat(Character.isISOControl(c) || c == '\u2028' || c == '\u2029')
          .as("%s has U+%04X at %d", ForAll.quote(m), (int) c, i).isFalse();
    }
    assertThat(NAMES_A_PART.matcher(m).find()).as("%s names what was wrong", ForAll.quote(m))
        .isTrue();
    // What was wrong is in the user's terms: a Java class name is an internal leaking out.
    assertThat(m).as("message").doesNotContain("Exception");
    return null;
  }

  private interface Call {
    Endpoint call();
  }

  private static Endpoint attempt(Call call) {
    try {
      return endpointOrRejection(null, call.call());
    } catch (IllegalArgumentException e) {
      return endpointOrRejection(e, null);
    }
  }

  @Nested
  @DisplayName("on arbitrary input")
  final class ArbitraryInput {

    @Test
    @DisplayName("parse(text) returns an endpoint or throws IllegalArgumentException with one short"
        + " line naming the bad part, within 5 s, for any string")
    void parseAnyText() {
      AtomicInteger accepted = new AtomicInteger();
      ForAll.values(ANY_TEXT).tries(1_000).shrink(ForAll::shrinkString)
          .check(text -> {
            if (attempt(() -> Endpoint.parse(text)) != null) {
              accepted.incrementAndGet();
            }
          });
      // Both outcomes must be common, or the generator has drifted off the parser's branches.
      assertThat(accepted.get()).as("endpoints among 1000 parses").isBetween(20, 980);
    }

    @Test
    @DisplayName("of(host, port) returns an endpoint or throws IllegalArgumentException with one"
        + " short line naming the bad part, for any host string and any int")
    void ofAnyHostAndPort() {
      Gen<Object[]> input = r -> new Object[] {ANY_TEXT.next(r), ANY_PORT.next(r)};
      ForAll.values(input).tries(1_000)
          .shrink(v -> ForAll.shrinkString((String) v[0]).stream()
              .map(h -> new Object[] {h, v[1]}).toList())
          .show(v -> ForAll.show(v[0]) + ", " + v[1])
          .check(v -> attempt(() -> Endpoint.of((String) v[0], (Integer) v[1])));
    }

    @Test
    @DisplayName("of(uri) returns an endpoint or throws IllegalArgumentException with one short"
        + " line naming the bad part, for any URI that java.net.URI accepts")
    void ofAnyUri() {
      ForAll.values(ANY_URI).tries(1_000).show(u -> ForAll.quote(u.toString()))
          .shrink(u -> ForAll.shrinkString(u.toString()).stream().map(text -> {
            try {
              return new URI(text);
            } catch (URISyntaxException e) {
              return null;
            }
          }).filter(java.util.Objects::nonNull).toList())
          .check(uri -> attempt(() -> Endpoint.of(uri)));
    }

    @Test
    @DisplayName("the counterexamples these properties found stay fixed")
    void foundCounterexamples() {
      // U+2028 (a line separator, not an ISO control) quoted raw broke the message's one line.
      attempt(() -> Endpoint.parse("-\u2028]"));
      attempt(() -> Endpoint.of("\u2028f", 19_518));
      // IDN's message repeats the whole label: 500 characters of it came through unquoted.
      attempt(() -> Endpoint.of("a".repeat(500) + "\ufdd0", 80));
      // JDK 25's IDN throws a bare RuntimeException for a label over 1,000 code units.
      attempt(() -> Endpoint.of("e" + "\u00fce".repeat(500), 80));
      attempt(() -> Endpoint.parse("b\u00fccher".repeat(200) + ":80"));
      // IDN's reason came as "java.text.ParseException: ...".
      attempt(() -> Endpoint.parse("x_y.INVAL\u2028D:19210"));
    }

    @Test
    @DisplayName("null, and only null, gets NullPointerException")
    void nullOnly() {
      assertThat(Outcome.of(() -> Endpoint.parse(null))).isInstanceOf(NullPointerException.class);
      assertThat(Outcome.of(() -> Endpoint.of(null, 80))).isInstanceOf(NullPointerException.class);
      assertThat(Outcome.of(() -> Endpoint.of((URI) null)))
          .isInstanceOf(NullPointerException.class);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Secrets.

  /** A URL with a secret planted in its user-info and query; every other part random. */
  record SecretUrl(String text, String secret) {
    @Override
    public String toString() {
      return ForAll.quote(text) + " (secret " + secret + ")";
    }
  }

  @Nested
  @DisplayName("with a secret in the URL")
  final class Secrets {

    @Test
    @DisplayName("a secret in a URL's user-info or query never reaches an error message, its"
        + " causes, the endpoint's host or its toString")
    void secretsNeverLeak() {
      AtomicInteger accepted = new AtomicInteger();
      ForAll.values(SECRET_URLS).tries(1_000)
          .shrink(s -> ForAll.shrinkString(s.text()).stream()
              .filter(t -> t.contains(s.secret())).map(t -> new SecretUrl(t, s.secret())).toList())
          .check(s -> {
            Object parsed = Outcome.of(() -> Endpoint.parse(s.text()));
            if (parsed instanceof Endpoint) {
              accepted.incrementAndGet();
            }
            checkNoSecret(parsed, s.secret());
            URI uri;
            try {
              uri = new URI(s.text().strip());
            } catch (URISyntaxException e) {
              return;
            }
            checkNoSecret(Outcome.of(() -> Endpoint.of(uri)), s.secret());
          });
      // Stripping is only tested on URLs that parse: make sure many do.
      assertThat(accepted.get()).as("URLs that parsed among 1000").isGreaterThan(100);
    }
  }

  private static void checkNoSecret(Object outcome, String secret) {
    if (outcome instanceof Endpoint) {
      Endpoint e = (Endpoint) outcome;
      assertThat(e.toString()).doesNotContain(secret);
      assertThat(e.host()).doesNotContain(secret);
      return;
    }
    Throwable t = (Throwable) outcome;
    endpointOrRejection(t, null);
    for (Throwable c = t; c != null; c = c.getCause()) {
      assertThat(String.valueOf(c.getMessage())).doesNotContain(secret);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Valid endpoints, in every spelling.

  private static final String LABEL_CHARS =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_";

  /** A DNS label: 1 to 63 name characters, no '-' at either end. */
  private static final Gen<String> LABEL = r -> {
    int n = Gen.size(r, 1, 63);
    StringBuilder sb = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      char c;
      do {
        c = LABEL_CHARS.charAt(r.nextInt(LABEL_CHARS.length()));
      } while (c == '-' && (i == 0 || i == n - 1));
      sb.append(c);
    }
    return sb.toString();
  };

  /** Internationalized labels that IDNA accepts, in several scripts. */
  private static final Gen<String> IDN_LABEL =
      Gen.elements("bücher", "MÜNCHEN", "例え", "παράδειγμα", "пример", "日本語", "straße",
          "café");

  /** A host name of up to 253 characters, with a letter (digits and dots alone are IPv4). */
  private static final Gen<String> NAME = r -> {
    for (;;) {
      int labels = 1 + r.nextInt(5);
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < labels; i++) {
        if (i > 0) {
          sb.append('.');
        }
        sb.append(r.nextInt(8) == 0 ? IDN_LABEL.next(r) : LABEL.next(r));
      }
      String name = sb.toString();
      if (java.net.IDN.toASCII(name).length() <= 253 && !name.matches("[0-9.]*")) {
        return name;
      }
    }
  };

  private static final Gen<byte[]> IPV4 = r -> {
    byte[] b = new byte[4];
    for (int i = 0; i < 4; i++) {
      b[i] = (byte) (r.nextInt(4) == 0 ? 0 : r.nextInt(256));
    }
    return b;
  };

  /** Sixteen bytes, zero groups common (so "::" compression is exercised), v4-mapped often. */
  private static final Gen<byte[]> IPV6 = r -> {
    byte[] b = new byte[16];
    if (r.nextInt(5) == 0) {
      b[10] = (byte) 0xff;
      b[11] = (byte) 0xff;
      byte[] v4 = IPV4.next(r);
      System.arraycopy(v4, 0, b, 12, 4);
      return b;
    }
    for (int g = 0; g < 8; g++) {
      if (r.nextBoolean()) {
        int v = r.nextInt(4) == 0 ? r.nextInt(16) : r.nextInt(0x1_0000);
        b[2 * g] = (byte) (v >>> 8);
        b[2 * g + 1] = (byte) v;
      }
    }
    return b;
  };

  private static String ipv4Text(byte[] b, int from) {
    return (b[from] & 0xff) + "." + (b[from + 1] & 0xff) + "." + (b[from + 2] & 0xff) + "."
        + (b[from + 3] & 0xff);
  }

  private static int group(byte[] b, int g) {
    return ((b[2 * g] & 0xff) << 8) | (b[2 * g + 1] & 0xff);
  }

  /**
   * One of the legal spellings of an IPv6 address: full, zero-padded, upper-case, any one run of
   * zero groups compressed to "::" (not necessarily the longest), or the last 32 bits dotted.
   */
  private static String ipv6Spelling(byte[] b, SplittableRandom r) {
    boolean dotted = r.nextInt(4) == 0;
    int groups = dotted ? 6 : 8;
    List<String> parts = new ArrayList<>();
    boolean pad = r.nextInt(3) == 0;
    boolean upper = r.nextInt(3) == 0;
    for (int g = 0; g < groups; g++) {
      String h = Integer.toHexString(group(b, g));
      if (pad) {
        h = "0".repeat(4 - h.length()) + h;
      }
      parts.add(upper ? h.toUpperCase(Locale.ROOT) : h);
    }
    // Pick a run of zero groups, if any, to write as "::".
    List<int[]> runs = new ArrayList<>();
    for (int i = 0; i < groups; i++) {
      if (group(b, i) == 0) {
        int j = i;
        while (j < groups && group(b, j) == 0) {
          j++;
        }
        for (int from = i; from < j; from++) {
          for (int to = from + 1; to <= j; to++) {
            runs.add(new int[] {from, to});
          }
        }
        i = j;
      }
    }
    String tail = dotted ? ipv4Text(b, 12) : null;
    if (runs.isEmpty() || r.nextInt(4) == 0) {
      String s = String.join(":", parts);
      return tail == null ? s : s + ":" + tail;
    }
    int[] run = runs.get(r.nextInt(runs.size()));
    String head = String.join(":", parts.subList(0, run[0]));
    String rest = String.join(":", parts.subList(run[1], groups));
    if (tail != null) {
      rest = rest.isEmpty() ? tail : rest + ":" + tail;
    }
    return head + "::" + rest;
  }

  private static final Gen<String> ZONE =
      Gen.strings(Gen.charsFrom("abcdefghijklmnopqrstuvwxyzABCXYZ0123456789_."), 1, 12);

  /** A valid endpoint, drawn as its parts, with the expected host and port. */
  record Valid(String hostText, boolean v6, int port, byte[] v6Bytes, String zone) {
    @Override
    public String toString() {
      return ForAll.quote(hostText) + " port " + port;
    }
  }

  private static final Gen<Valid> VALID = r -> {
    int port = Gen.ints(1, 65_535).next(r);
    switch (r.nextInt(4)) {
      case 0:
        return new Valid(ipv4Text(IPV4.next(r), 0), false, port, null, null);
      case 1: {
        byte[] b = IPV6.next(r);
        String zone = r.nextInt(4) == 0 ? ZONE.next(r) : null;
        String text = ipv6Spelling(b, r) + (zone == null ? "" : "%" + zone);
        return new Valid(text, true, port, b, zone);
      }
      default:
        return new Valid(NAME.next(r), false, port, null, null);
    }
  };

  private static final Gen<String> VALID_HOST = r -> {
    Valid v = VALID.next(r);
    return v.v6() ? "[" + v.hostText() + "]" : v.hostText();
  };

  private static final Gen<String> VALID_HOST_PORT = r -> {
    Valid v = VALID.next(r);
    return (v.v6() ? "[" + v.hostText() + "]" : v.hostText()) + ":" + v.port();
  };

  /**
   * A valid endpoint with up to three random edits (insert, delete or replace a character): input
   * on the border between valid and invalid, where parsers slip.
   */
  private static final Gen<String> MUTATED = r -> {
    String text = Gen.oneOf(VALID_HOST_PORT, VALID_HOST_PORT.map(h -> "http://u:p@" + h + "/p?q"))
        .next(r);
    StringBuilder sb = new StringBuilder(text);
    int edits = r.nextInt(4);
    for (int i = 0; i < edits && sb.length() > 0; i++) {
      int at = r.nextInt(sb.length());
      char c = r.nextBoolean() ? TRICKY.charAt(r.nextInt(TRICKY.length()))
          : (char) r.nextInt(0x1_0000);
      switch (r.nextInt(3)) {
        case 0:
          sb.insert(at, c);
          break;
        case 1:
          sb.deleteCharAt(at);
          break;
        default:
          sb.setCharAt(at, c);
      }
    }
    return sb.toString();
  };

  private static final Gen<String> ANY_TEXT =
      Gen.oneOf(SHORT_ANY, SHORT_TRICKY, FRAGMENTED, MUTATED, MUTATED, MUTATED, HUGE);

  /** A URI from generated parts; {@code URI(scheme, ssp, fragment)} quotes what is illegal. */
  private static final Gen<URI> ANY_URI = r -> {
    for (;;) {
      String scheme = Gen.oneOf(Gen.elements("http", "https", "ws", "wss", "HTTP", "ftp", "tcp",
          "x-y.z+1"), Gen.strings(Gen.charsFrom("abcxyz019+-.:"), 1, 8)).next(r);
      String authority = Gen.oneOf(FRAGMENTED, SHORT_TRICKY, SHORT_ANY, VALID_HOST_PORT).next(r);
      String rest = Gen.oneOf(Gen.constant(""), FRAGMENTED).next(r);
      try {
        if (r.nextBoolean()) {
          return new URI(scheme + "://" + authority + rest);
        }
        return new URI(scheme, "//" + authority + rest, r.nextBoolean() ? null : "frag");
      } catch (URISyntaxException e) {
        // Not a URI at all: of(URI) never sees it. Draw again.
      }
    }
  };

  private static final Gen<String> URL_PART =
      Gen.oneOf(Gen.constant(""), SHORT_TRICKY, FRAGMENTED, Gen.strings(Gen.ANY_CHAR, 0, 20));

  private static final Gen<SecretUrl> SECRET_URLS = r -> {
    // Letters and digits in a shape nothing else generates, so a hit is the secret and no accident.
    String secret = "Sk" + Gen.strings(Gen.charsFrom("QWXZqwxz2357"), 14, 14).next(r) + "9";
    // Each part is garbage one time in four, so about a third of the URLs parse: stripping is
    // tested on URLs that parse, rejection on the rest.
    Gen<String> scheme = Gen.elements("http", "https", "ws", "wss", "HTTP", "tcp", "");
    Gen<String> user = Gen.elements("user", "alice", "", "a.b-c_d~e");
    Gen<String> port = Gen.oneOf(Gen.constant(""), Gen.ints(1, 65_535).map(p -> ":" + p));
    Gen<String> path = Gen.elements("", "/", "/path", "/a/b", "/x@y", "/:?");
    Gen<String> frag = Gen.elements("", "#frag", "#", "#a@b?c");
    String text = part(r, scheme) + "://" + part(r, user) + ":" + secret + "@"
        + part(r, VALID_HOST) + part(r, port) + part(r, path) + "?token=" + secret
        + (r.nextBoolean() ? "&x=" + URL_PART.next(r) : "") + part(r, frag);
    return new SecretUrl(text, secret);
  };

  private static String part(SplittableRandom r, Gen<String> valid) {
    return r.nextInt(4) == 0 ? URL_PART.next(r) : valid.next(r);
  }

  /** Every way a user may write {@code v}; all must give the same endpoint. */
  private static List<String> spellings(Valid v, SplittableRandom r) {
    List<String> out = new ArrayList<>();
    String host = v.v6() ? "[" + v.hostText() + "]" : v.hostText();
    String port = Integer.toString(v.port());
    out.add(host + ":" + port);
    out.add(host + ":" + "0".repeat(1 + r.nextInt(4)) + port);
    out.add("  " + host + ":" + port + "\u2003 ");
    String urlHost = v.v6() && v.zone() != null ? host.replace("%", "%25") : host;
    out.add("http://" + urlHost + ":" + port + "/some/path?q=1#f");
    out.add("tcp://user:pw@" + urlHost + ":" + port);
    if (v.port() == 80) {
      out.add("http://" + urlHost);
      out.add("ws://" + urlHost + "/");
    }
    if (v.port() == 443) {
      out.add("HTTPS://" + urlHost + "/x");
    }
    if (v.v6()) {
      out.add("[" + ipv6Spelling(v.v6Bytes(), r) + (v.zone() == null ? "" : "%" + v.zone()) + "]:"
          + port);
    } else if (!v.hostText().matches("[0-9.]*")) {
      out.add(flipCase(v.hostText(), r) + ":" + port);
      out.add(v.hostText() + ".:" + port);
    }
    return out;
  }

  private static String flipCase(String s, SplittableRandom r) {
    StringBuilder sb = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      sb.append(r.nextBoolean() ? Character.toUpperCase(c) : Character.toLowerCase(c));
    }
    return sb.toString();
  }

  record Spelled(Valid valid, List<String> spellings) {
    @Override
    public String toString() {
      return valid + " as " + ForAll.show(spellings);
    }
  }

  @Nested
  @DisplayName("on valid endpoints")
  final class ValidEndpoints {

    @Test
    @DisplayName("every spelling of a valid host:port, [v6]:port or URL parses to one endpoint;"
        + " parse(e.toString()) equals e, and equal endpoints have equal hashCodes")
    void roundTrip() {
      Gen<Spelled> spelled = r -> {
        Valid v = VALID.next(r);
        return new Spelled(v, spellings(v, r));
      };
      ForAll.values(spelled).tries(1_000).check(s -> {
        Endpoint first = Endpoint.parse(s.spellings().get(0));
        assertThat(first.port()).isEqualTo(s.valid().port());
        assertThat(first.isIpLiteral()).isEqualTo(s.valid().v6()
            || s.valid().hostText().matches("[0-9.]+"));
        for (String spelling : s.spellings()) {
          Endpoint e = Endpoint.parse(spelling);
          assertThat(e).as(spelling).isEqualTo(first);
          assertThat(e.hashCode()).as(spelling).isEqualTo(first.hashCode());
          assertThat(e.toString()).as(spelling).isEqualTo(first.toString());
        }
        Endpoint again = Endpoint.parse(first.toString());
        assertThat(again).isEqualTo(first);
        assertThat(again.hashCode()).isEqualTo(first.hashCode());
        assertThat(again.toString()).isEqualTo(first.toString());
        Endpoint viaOf = Endpoint.of(first.host(), first.port());
        assertThat(viaOf).isEqualTo(first);
        assertThat(viaOf.hashCode()).isEqualTo(first.hashCode());
        Endpoint viaUri = Endpoint.of(new URI("http://"
            + first.toString().replace("%", "%25") + "/"));
        assertThat(viaUri).isEqualTo(first);
        if (s.valid().v6()) {
          checkCanonicalIpv6(first.host(), s.valid());
        }
      });
    }
  }

  /**
   * The stored IPv6 form is RFC 5952's: lower case, no leading zeros, and the same address as
   * generated (the JDK's own parser is the independent judge of that).
   */
  private static void checkCanonicalIpv6(String host, Valid v) throws Exception {
    String address = v.zone() == null ? host : host.substring(0, host.indexOf('%'));
    if (v.zone() != null) {
      assertThat(host.substring(host.indexOf('%') + 1)).isEqualTo(v.zone());
    }
    assertThat(address).isEqualTo(address.toLowerCase(Locale.ROOT));
    assertThat(address).doesNotContainPattern("(^|:)0[0-9a-f]");
    assertThat(address.indexOf("::")).isEqualTo(address.lastIndexOf("::"));
    InetAddress parsed = InetAddress.getByName(address);
    byte[] expected = v.v6Bytes();
    if (parsed.getAddress().length == 4) {
      // The JDK turns ::ffff:a.b.c.d into an IPv4 address.
      byte[] mapped = new byte[16];
      mapped[10] = (byte) 0xff;
      mapped[11] = (byte) 0xff;
      System.arraycopy(parsed.getAddress(), 0, mapped, 12, 4);
      assertThat(mapped).isEqualTo(expected);
    } else {
      assertThat(parsed.getAddress()).isEqualTo(expected);
    }
  }

  /** What a call returned or threw. */
  private static final class Outcome {
    static Object of(Call call) {
      try {
        return call.call();
      } catch (Throwable t) {
        return t;
      }
    }
  }
}
