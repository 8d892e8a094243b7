package dev.refusal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.URI;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("Endpoint")
final class EndpointTest {

  private static final String SECRET = "s3cr3t";
  private static final String USER = "alice";

  @Nested
  @DisplayName("of(host, port)")
  final class OfHostAndPort {

    @Test
    @DisplayName("keeps the port as given")
    void keepsPort() {
      assertThat(Endpoint.of("example.com", 8443).port()).isEqualTo(8443);
    }

    @ParameterizedTest(name = "port {0} is accepted")
    @ValueSource(ints = {1, 80, 65_535})
    @DisplayName("accepts ports 1 to 65535")
    void acceptsPortRange(int port) {
      assertThat(Endpoint.of("example.com", port).port()).isEqualTo(port);
    }

    @Test
    @DisplayName("lower-cases host names")
    void lowerCasesNames() {
      assertThat(Endpoint.of("Example.COM", 80).host()).isEqualTo("example.com");
    }

    @Test
    @DisplayName("keeps an IPv4 literal as written")
    void keepsIpv4() {
      assertThat(Endpoint.of("192.0.2.1", 80).host()).isEqualTo("192.0.2.1");
    }

    @Test
    @DisplayName("stores an IPv6 literal in RFC 5952 form")
    void storesIpv6Canonically() {
      assertThat(Endpoint.of("2001:DB8:0:0:0:0:0:1", 80).host()).isEqualTo("2001:db8::1");
    }

    @Test
    @DisplayName("accepts an IPv6 literal in brackets and stores it without them")
    void dropsBrackets() {
      assertThat(Endpoint.of("[::1]", 80).host()).isEqualTo("::1");
    }

    @Test
    @DisplayName("keeps the zone id of a link-local IPv6 literal")
    void keepsZone() {
      assertThat(Endpoint.of("fe80::1%eth0", 80).host()).isEqualTo("fe80::1%eth0");
    }

    @Test
    @DisplayName("stores an internationalized name in its xn-- form")
    void convertsIdn() {
      assertThat(Endpoint.of("bücher.example", 80).host()).isEqualTo("xn--bcher-kva.example");
    }

    @Test
    @DisplayName("treats the ideographic full stop as a label separator in an IDN")
    void ideographicFullStop() {
      assertThat(Endpoint.of("bücher\u3002example", 80).host())
          .isEqualTo("xn--bcher-kva.example");
    }

    @Test
    @DisplayName("accepts an underscore in a service name")
    void acceptsUnderscore() {
      assertThat(Endpoint.of("my_service", 8080).host()).isEqualTo("my_service");
    }

    @Test
    @DisplayName("drops the trailing dot of a fully qualified name")
    void dropsTrailingDot() {
      assertThat(Endpoint.of("example.com.", 80).host()).isEqualTo("example.com");
    }

    @Test
    @DisplayName("accepts a host name of exactly 253 characters")
    void accepts253Characters() {
      String name = nameOfLength(253);
      assertThat(Endpoint.of(name, 80).host()).hasSize(253);
    }

    @Test
    @DisplayName("accepts a label of exactly 63 characters")
    void accepts63CharacterLabel() {
      String label = "a".repeat(63);
      assertThat(Endpoint.of(label + ".example", 80).host()).startsWith(label);
    }

    @Test
    @DisplayName("does no DNS lookup: a name that cannot resolve is accepted")
    void noDnsLookup() {
      assertThat(Endpoint.of("no-such-host.invalid", 80).address()).isEmpty();
    }

    @Test
    @DisplayName("does no interface lookup: a zone id naming no interface is kept")
    void noInterfaceLookup() {
      assertThat(Endpoint.of("fe80::1%no-such-if0", 80).host()).isEqualTo("fe80::1%no-such-if0");
    }

    @Test
    @DisplayName("starts without an address or proxy")
    void startsWithoutContext() {
      Endpoint endpoint = Endpoint.of("example.com", 80);
      assertThat(endpoint.address().isPresent() || endpoint.proxy().isPresent()).isFalse();
    }

    @Test
    @DisplayName("rejects a null host, naming the parameter")
    void rejectsNullHost() {
      assertThatNullPointerException().isThrownBy(() -> Endpoint.of((String) null, 80))
          .withMessage("host");
    }

    @Test
    @DisplayName("rejects an empty host")
    void rejectsEmptyHost() {
      assertThatIllegalArgumentException().isThrownBy(() -> Endpoint.of("", 80))
          .withMessageContainingAll("host", "empty");
    }

    @Test
    @DisplayName("rejects a blank host")
    void rejectsBlankHost() {
      assertThatIllegalArgumentException().isThrownBy(() -> Endpoint.of("   ", 80))
          .withMessageContainingAll("host", "blank");
    }

    @ParameterizedTest(name = "port {0} is rejected")
    @ValueSource(ints = {0, -1, 65_536, Integer.MIN_VALUE, Integer.MAX_VALUE})
    @DisplayName("rejects a port outside 1 to 65535, naming the port and its value")
    void rejectsPortOutOfRange(int port) {
      assertThatIllegalArgumentException().isThrownBy(() -> Endpoint.of("example.com", port))
          .withMessageContainingAll("port", Integer.toString(port));
    }

    @Test
    @DisplayName("rejects a control character, naming its code point and index")
    void rejectsControlCharacter() {
      assertThatIllegalArgumentException().isThrownBy(() -> Endpoint.of("exa\u0000mple.com", 80))
          .withMessageContainingAll("host", "control character", "U+0000", "index 3");
    }

    @Test
    @DisplayName("rejects a host name over 253 characters, naming its length")
    void rejectsLongName() {
      assertThatIllegalArgumentException().isThrownBy(() -> Endpoint.of(nameOfLength(254), 80))
          .withMessageContainingAll("host name", "254", "253");
    }

    @Test
    @DisplayName("rejects a label over 63 characters, naming the label")
    void rejectsLongLabel() {
      String label = "a".repeat(64);
      assertThatIllegalArgumentException().isThrownBy(() -> Endpoint.of(label + ".example", 80))
          .withMessageContainingAll("label", label, "64", "63");
    }

    @Test
    @DisplayName("rejects an internationalized label too long for DNS, naming the label")
    void rejectsLongIdnLabel() {
      String label = "ü".repeat(70);
      assertThatIllegalArgumentException().isThrownBy(() -> Endpoint.of(label + ".example", 80))
          .withMessageContaining("label");
    }

    @Test
    @DisplayName("rejects an empty label")
    void rejectsEmptyLabel() {
      assertThatIllegalArgumentException().isThrownBy(() -> Endpoint.of("a..example", 80))
          .withMessageContainingAll("a..example", "empty label");
    }

    @Test
    @DisplayName("rejects a label that starts with '-'")
    void rejectsLeadingHyphen() {
      assertThatIllegalArgumentException().isThrownBy(() -> Endpoint.of("-a.example", 80))
          .withMessageContainingAll("-a", "'-'");
    }

    @Test
    @DisplayName("rejects a character no host name has, naming it")
    void rejectsBadCharacter() {
      assertThatIllegalArgumentException().isThrownBy(() -> Endpoint.of("exa mple.com", 80))
          .withMessageContainingAll("exa mple.com", "' '");
    }

    @Test
    @DisplayName("rejects a host with the port still attached")
    void rejectsHostWithPort() {
      assertThatIllegalArgumentException().isThrownBy(() -> Endpoint.of("example.com:80", 80))
          .withMessageContainingAll("example.com:80", "':'");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"256.0.0.1", "1.2.3", "1.2.3.4.5", "1..2.3", "0001.2.3.4", "1.2.3.4."})
    @DisplayName("rejects a malformed IPv4 literal, naming it")
    void rejectsBadIpv4(String host) {
      assertThatIllegalArgumentException().isThrownBy(() -> Endpoint.of(host, 80))
          .withMessageContainingAll(host, "IPv4");
    }

    @Test
    @DisplayName("rejects brackets around something that is not an IPv6 literal")
    void rejectsBracketedName() {
      assertThatIllegalArgumentException().isThrownBy(() -> Endpoint.of("[example.com]", 80))
          .withMessageContainingAll("example.com", "not an IPv6 address");
    }
  }

  @Nested
  @DisplayName("IPv6 literals")
  final class Ipv6 {

    @ParameterizedTest(name = "{0} is stored as {1}")
    @CsvSource({
        "2001:0db8:0000:0000:0000:0000:0000:0001, 2001:db8::1",
        "2001:DB8::A,                              2001:db8::a",
        "0:0:0:0:0:0:0:0,                          ::",
        "0:0:0:0:0:0:0:1,                          ::1",
        "1:0:0:0:0:0:0:0,                          1::",
        "2001:db8:0:1:1:1:1:1,                     2001:db8:0:1:1:1:1:1",
        "2001:db8:0:0:1:0:0:1,                     2001:db8::1:0:0:1",
        "1:0:0:2:0:0:0:3,                          1:0:0:2::3",
        "1:2:3:4:5:6:7::,                          1:2:3:4:5:6:7:0",
        "::2:3:4:5:6:7:8,                          0:2:3:4:5:6:7:8",
        "64:ff9b::192.0.2.33,                      64:ff9b::c000:221",
    })
    @DisplayName("are stored in RFC 5952 form: lower case, no leading zeros, longest zero run"
        + " shortened")
    void rfc5952(String written, String stored) {
      assertThat(Endpoint.of(written, 80).host()).isEqualTo(stored);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"::ffff:127.0.0.1", "::FFFF:127.0.0.1", "0:0:0:0:0:ffff:7f00:1"})
    @DisplayName("write an IPv4-mapped address in mixed form, as RFC 5952 section 5 recommends")
    void ipv4Mapped(String written) {
      assertThat(Endpoint.of(written, 80).host()).isEqualTo("::ffff:127.0.0.1");
    }

    @Test
    @DisplayName("compare equal however they are spelled")
    void equivalentSpellingsAreEqual() {
      assertThat(Endpoint.of("0:0:0:0:0:0:0:1", 80)).isEqualTo(Endpoint.parse("[::1]:80"));
    }

    @Test
    @DisplayName("hash alike however they are spelled")
    void equivalentSpellingsHashAlike() {
      assertThat(Endpoint.of("0:0:0:0:0:0:0:1", 80).hashCode())
          .isEqualTo(Endpoint.of("::1", 80).hashCode());
    }

    @Test
    @DisplayName("keep the zone id after canonicalizing the address")
    void canonicalWithZone() {
      assertThat(Endpoint.of("FE80:0:0:0:0:0:0:1%eth0", 80).host()).isEqualTo("fe80::1%eth0");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        ":::", "1::2::3", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "12345::", "::g", "1:", ":1",
        "1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7:8", "::ffff:256.0.0.1", "::1.2.3.4:5",
        "1:2:3:4:5:6:7:1.2.3.4"})
    @DisplayName("are rejected when malformed, naming the literal")
    void rejectsMalformed(String host) {
      assertThatIllegalArgumentException().isThrownBy(() -> Endpoint.of(host, 80))
          .withMessageContainingAll(host, "IPv6");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"::\u0661", "::\uFF11", "::\uFF41"})
    @DisplayName("are rejected when a group holds a non-ASCII digit")
    void rejectsNonAsciiDigits(String host) {
      assertThatIllegalArgumentException().isThrownBy(() -> Endpoint.of(host, 80))
          .withMessageContaining("IPv6");
    }

    @Test
    @DisplayName("are rejected with an empty zone id")
    void rejectsEmptyZone() {
      assertThatIllegalArgumentException().isThrownBy(() -> Endpoint.of("fe80::1%", 80))
          .withMessageContainingAll("fe80::1%", "zone");
    }

    @Test
    @DisplayName("are rejected with a zone id holding a character no interface name has")
    void rejectsBadZone() {
      assertThatIllegalArgumentException().isThrownBy(() -> Endpoint.of("fe80::1%et/h0", 80))
          .withMessageContainingAll("zone", "et/h0", "'/'");
    }
  }

  @Nested
  @DisplayName("parse(text)")
  final class Parse {

    @ParameterizedTest(name = "{0} -> host {1}, port {2}")
    @CsvSource({
        "example.com:80,           example.com,           80",
        "Example.COM:443,          example.com,           443",
        "192.0.2.1:8080,           192.0.2.1,             8080",
        "[::1]:8080,               ::1,                   8080",
        "[2001:DB8::0:1]:443,      2001:db8::1,           443",
        "[fe80::1%eth0]:8080,      fe80::1%eth0,          8080",
        "[::ffff:127.0.0.1]:80,    ::ffff:127.0.0.1,      80",
        "bücher.example:80,        xn--bcher-kva.example, 80",
        "my_service:8080,          my_service,            8080",
        "example.com.:80,          example.com,           80",
        "localhost:1,              localhost,             1",
        "localhost:65535,          localhost,             65535",
        "localhost:00080,          localhost,             80",
    })
    @DisplayName("accepts host:port and [ipv6]:port")
    void acceptsHostPort(String text, String host, int port) {
      Endpoint endpoint = Endpoint.parse(text);
      assertThat(new Object[] {endpoint.host(), endpoint.port()}).containsExactly(host, port);
    }

    @Test
    @DisplayName("ignores surrounding whitespace, as found in configuration values")
    void stripsWhitespace() {
      assertThat(Endpoint.parse("  example.com:80 ")).isEqualTo(Endpoint.of("example.com", 80));
    }

    @ParameterizedTest(name = "{0} -> host {1}, port {2}")
    @CsvSource({
        "http://example.com,                example.com, 80",
        "http://example.com/path,           example.com, 80",
        "ws://example.com/socket,           example.com, 80",
        "https://example.com/,              example.com, 443",
        "wss://example.com,                 example.com, 443",
        "HTTPS://Example.COM,               example.com, 443",
        "http://example.com:8080/,          example.com, 8080",
        "ftp://example.com:21/,             example.com, 21",
        "http://[::1]:8080/,                ::1,         8080",
        "https://[::1]/,                    ::1,         443",
        "http://my_service:8080/,           my_service,  8080",
        "http://[fe80::1%25eth0]:8080/,     fe80::1%eth0, 8080",
    })
    @DisplayName("reads anything with :// as a URL, with default ports per scheme")
    void acceptsUrls(String text, String host, int port) {
      Endpoint endpoint = Endpoint.parse(text);
      assertThat(new Object[] {endpoint.host(), endpoint.port()}).containsExactly(host, port);
    }

    @Test
    @DisplayName("rejects null, naming the parameter")
    void rejectsNull() {
      assertThatNullPointerException().isThrownBy(() -> Endpoint.parse(null)).withMessage("text");
    }

    @Test
    @DisplayName("rejects empty input")
    void rejectsEmpty() {
      assertThatIllegalArgumentException().isThrownBy(() -> Endpoint.parse(""))
          .withMessageContaining("empty");
    }

    @ParameterizedTest(name = "{index}: blank")
    @ValueSource(strings = {" ", "\t", " \n "})
    @DisplayName("rejects blank input")
    void rejectsBlank(String text) {
      assertThatIllegalArgumentException().isThrownBy(() -> Endpoint.parse(text))
          .withMessageContaining("blank");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"example.com", "[::1]", "192.0.2.1"})
    @DisplayName("rejects a missing port, naming the input")
    void rejectsMissingPort(String text) {
      assertThatIllegalArgumentException().isThrownBy(() -> Endpoint.parse(text))
          .withMessageContainingAll(text, "no port");
    }

    @Test
    @DisplayName("rejects an empty port after ':'")
    void rejectsEmptyPort() {
      assertThatIllegalArgumentException().isThrownBy(() -> Endpoint.parse("example.com:"))
          .withMessageContainingAll("empty port");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "example.com:http, http",
        "example.com:8o,   8o",
        "example.com:+80,  +80",
        "example.com: 80,  ' 80'",
        "example.com:-,    -",
        "[::1]:abc,        abc",
        "example.com:\uFF18\uFF10, \uFF18\uFF10",
        "example.com:\u0668\u0660, \u0668\u0660",
    })
    @DisplayName("rejects a non-numeric port, naming it")
    void rejectsNonNumericPort(String text, String port) {
      assertThatIllegalArgumentException().isThrownBy(() -> Endpoint.parse(text))
          .withMessageContainingAll("port", "'" + port + "'", "not a number");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "example.com:0,          0",
        "example.com:-1,         -1",
        "example.com:-80,        -80",
        "example.com:65536,      65536",
        "example.com:99999,      99999",
        "[::1]:65536,            65536",
        "example.com:4294967376, 4294967376",
    })
    @DisplayName("rejects a port out of range, naming the value")
    void rejectsPortOutOfRange(String text, String port) {
      assertThatIllegalArgumentException().isThrownBy(() -> Endpoint.parse(text))
          .withMessageContainingAll("port " + port, "out of range");
    }

    @Test
    @DisplayName("shortens a very long port in the message")
    void shortensLongPort() {
      String port = "9".repeat(1_000);
      assertThat(catchThrowable(() -> Endpoint.parse("example.com:" + port)).getMessage())
          .hasSizeLessThan(100);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"::1:8080", "fe80::1%eth0:8080", "2001:db8::1:443"})
    @DisplayName("rejects an IPv6 literal with a port but no brackets, asking for them")
    void rejectsUnbracketedIpv6(String text) {
      assertThatIllegalArgumentException().isThrownBy(() -> Endpoint.parse(text))
          .withMessageContainingAll(text, "brackets", "[address]:port");
    }

    @Test
    @DisplayName("rejects '[' without ']'")
    void rejectsUnclosedBracket() {
      assertThatIllegalArgumentException().isThrownBy(() -> Endpoint.parse("[::1:80"))
          .withMessageContaining("closing ']'");
    }

    @Test
    @DisplayName("rejects anything but :port after ']', naming it")
    void rejectsJunkAfterBracket() {
      assertThatIllegalArgumentException().isThrownBy(() -> Endpoint.parse("[::1]80"))
          .withMessageContainingAll("'80'", "after ']'");
    }

    @Test
    @DisplayName("rejects brackets around an IPv4 literal")
    void rejectsBracketedIpv4() {
      assertThatIllegalArgumentException().isThrownBy(() -> Endpoint.parse("[192.0.2.1]:80"))
          .withMessageContainingAll("192.0.2.1", "not an IPv6 address");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {":80", "[]:80"})
    @DisplayName("rejects a missing host")
    void rejectsMissingHost(String text) {
      assertThatIllegalArgumentException().isThrownBy(() -> Endpoint.parse(text))
          .withMessageContaining("host");
    }

    @ParameterizedTest(name = "U+{0}")
    @ValueSource(ints = {0x00, 0x0a, 0x1b, 0x7f, 0x85})
    @DisplayName("rejects a control character, naming its code point and index")
    void rejectsControlCharacter(int c) {
      String text = "exa" + (char) c + "mple.com:80";
      assertThatIllegalArgumentException().isThrownBy(() -> Endpoint.parse(text))
          .withMessageContainingAll("control character", String.format("U+%04X", c), "index 3");
    }

    @Test
    @DisplayName("rejects a host name over 253 characters")
    void rejectsLongName() {
      assertThatIllegalArgumentException()
          .isThrownBy(() -> Endpoint.parse(nameOfLength(254) + ":80"))
          .withMessageContainingAll("host name", "254");
    }

    @Test
    @DisplayName("rejects a label over 63 characters")
    void rejectsLongLabel() {
      assertThatIllegalArgumentException()
          .isThrownBy(() -> Endpoint.parse("a".repeat(64) + ".example:80"))
          .withMessageContainingAll("label", "64");
    }

    @Test
    @DisplayName("rejects user-info in host:port without quoting it")
    void rejectsUserInfoWithoutScheme() {
      assertThatIllegalArgumentException().isThrownBy(() -> Endpoint.parse("alice@example.com:80"))
          .withMessageContaining("'@'");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"example.com:80/path", "example.com:80?q=1", "example.com:80#top"})
    @DisplayName("rejects a path, query or fragment after host:port, quoting only host:port")
    void rejectsPathAfterHostPort(String text) {
      assertThatIllegalArgumentException().isThrownBy(() -> Endpoint.parse(text))
          .withMessageContainingAll("'example.com:80'", "path, query or fragment");
    }

    @Test
    @DisplayName("rejects a URL with neither a port nor a scheme that has a default one")
    void rejectsUrlWithoutPort() {
      assertThatIllegalArgumentException().isThrownBy(() -> Endpoint.parse("ftp://example.com/"))
          .withMessageContainingAll("no port", "'ftp'", "default port");
    }

    @Test
    @DisplayName("rejects a URL with an empty port")
    void rejectsUrlWithEmptyPort() {
      assertThatIllegalArgumentException().isThrownBy(() -> Endpoint.parse("http://example.com:/"))
          .withMessageContaining("empty port");
    }

    @Test
    @DisplayName("rejects a URL with a port out of range, naming it")
    void rejectsUrlWithBadPort() {
      assertThatIllegalArgumentException()
          .isThrownBy(() -> Endpoint.parse("http://example.com:70000/"))
          .withMessageContainingAll("port 70000", "out of range");
    }

    @Test
    @DisplayName("rejects a URL without a host")
    void rejectsUrlWithoutHost() {
      assertThatIllegalArgumentException().isThrownBy(() -> Endpoint.parse("http:///path"))
          .withMessageContaining("no host");
    }

    @Test
    @DisplayName("rejects a URL the URI grammar rejects, giving the index")
    void rejectsMalformedUrl() {
      assertThatIllegalArgumentException().isThrownBy(() -> Endpoint.parse("http://exa mple.com/"))
          .withMessageContainingAll("not a valid URL", "at index ");
    }

    @Test
    @DisplayName("reads back what toString() wrote")
    void roundTrips() {
      Endpoint endpoint = Endpoint.of("fe80::1%eth0", 8080);
      assertThat(Endpoint.parse(endpoint.toString())).isEqualTo(endpoint);
    }
  }

  @Nested
  @DisplayName("of(URI)")
  final class OfUri {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"http, 80", "ws, 80", "https, 443", "wss, 443", "HTTP, 80", "Wss, 443"})
    @DisplayName("uses the scheme's default port when the URI has none")
    void defaultPorts(String scheme, int port) {
      assertThat(Endpoint.of(URI.create(scheme + "://example.com/")).port()).isEqualTo(port);
    }

    @Test
    @DisplayName("uses the URI's port when it has one")
    void explicitPort() {
      assertThat(Endpoint.of(URI.create("https://example.com:8443/")).port()).isEqualTo(8443);
    }

    @Test
    @DisplayName("accepts a service name with an underscore, which URI.getHost() does not")
    void underscoreServiceName() {
      assertThat(Endpoint.of(URI.create("http://my_service:8080/")))
          .isEqualTo(Endpoint.of("my_service", 8080));
    }

    @Test
    @DisplayName("keeps the zone id of an RFC 6874 literal, decoding its %25")
    void keepsZone() {
      assertThat(Endpoint.of(URI.create("http://[fe80::1%25eth0]:8080/")).host())
          .isEqualTo("fe80::1%eth0");
    }

    @Test
    @DisplayName("stores an IPv6 host without brackets, in RFC 5952 form")
    void ipv6Host() {
      assertThat(Endpoint.of(URI.create("http://[2001:DB8:0:0::1]/")).host())
          .isEqualTo("2001:db8::1");
    }

    @Test
    @DisplayName("converts an internationalized host name")
    void idnHost() {
      assertThat(Endpoint.of(URI.create("https://bücher.example/")).host())
          .isEqualTo("xn--bcher-kva.example");
    }

    @Test
    @DisplayName("lower-cases the host")
    void lowerCasesHost() {
      assertThat(Endpoint.of(URI.create("http://EXAMPLE.com/")).host()).isEqualTo("example.com");
    }

    @Test
    @DisplayName("rejects null, naming the parameter")
    void rejectsNull() {
      assertThatNullPointerException().isThrownBy(() -> Endpoint.of((URI) null))
          .withMessage("uri");
    }

    @Test
    @DisplayName("rejects a URI without a scheme")
    void rejectsRelative() {
      assertThatIllegalArgumentException()
          .isThrownBy(() -> Endpoint.of(URI.create("//example.com:80/")))
          .withMessageContaining("no scheme");
    }

    @Test
    @DisplayName("rejects an opaque URI, naming the scheme")
    void rejectsOpaque() {
      assertThatIllegalArgumentException()
          .isThrownBy(() -> Endpoint.of(URI.create("mailto:someone@example.com")))
          .withMessageContainingAll("'mailto'", "no host");
    }

    @Test
    @DisplayName("rejects a URI without a host")
    void rejectsNoHost() {
      assertThatIllegalArgumentException().isThrownBy(() -> Endpoint.of(URI.create("file:///tmp")))
          .withMessageContainingAll("'file'", "no host");
    }

    @Test
    @DisplayName("rejects a URI with only user-info before the path")
    void rejectsOnlyUserInfo() {
      assertThatIllegalArgumentException()
          .isThrownBy(() -> Endpoint.of(URI.create("http://someone@/")))
          .withMessageContaining("no host");
    }

    @Test
    @DisplayName("rejects a URI without a port whose scheme has no default, naming the scheme")
    void rejectsUnknownScheme() {
      assertThatIllegalArgumentException()
          .isThrownBy(() -> Endpoint.of(URI.create("gopher://example.com/")))
          .withMessageContainingAll("'gopher'", "no default port");
    }

    @Test
    @DisplayName("rejects a port out of range without blaming the scheme")
    void portOutOfRangeWithUnknownScheme() {
      assertThatIllegalArgumentException()
          .isThrownBy(() -> Endpoint.of(URI.create("gopher://example.com:0/")))
          .withMessageNotContaining("default port");
    }
  }

  @Nested
  @DisplayName("secrets in URLs")
  final class Secrets {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "http://alice:s3cr3t@example.com/",
        "http://alice:s3cr3t@example.com:8080/",
        "https://alice@example.com/?token=s3cr3t",
        "https://example.com/?token=s3cr3t",
        "https://example.com/path#s3cr3t",
        "https://example.com/s3cr3t",
        "http://alice:s3cr3t@[::1]:8080/?token=s3cr3t#s3cr3t",
        "http://alice:p@ss:s3cr3t@example.com/",
    })
    @DisplayName("never reach toString()")
    void notInToString(String url) {
      assertThat(Endpoint.parse(url).toString()).doesNotContain(SECRET, USER);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "http://alice:s3cr3t@example.com/",
        "https://example.com/?token=s3cr3t",
        "https://example.com/#s3cr3t",
    })
    @DisplayName("never reach the stored host")
    void notInHost(String url) {
      assertThat(Endpoint.of(URI.create(url)).host()).isEqualTo("example.com");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "http://alice:s3cr3t@example.com:99999/",
        "http://alice:s3cr3t@example.com:0/?token=s3cr3t",
        "http://alice:s3cr3t@example.com:abc/",
        "http://alice:s3cr3t@example.com:/",
        "http://alice:s3cr3t@/?token=s3cr3t",
        "http://alice:s3cr3t@::1:8080/",
        "http://alice:s3cr3t@[::1]x/",
        "http://alice:s3cr3t@[example.com]:80/",
        "http://alice:s3cr3t@exa mple.com/",
        "http://alice:s3cr3t@example.com:80/path?token=s3cr3t x",
        "http://alice:s3cr3t@[::1/#s3cr3t",
        "http://alice:s3cr3t@-bad-.example/",
        "gopher://alice:s3cr3t@example.com/?token=s3cr3t",
        "http://example.com:8o/?token=s3cr3t#s3cr3t",
        "alice:s3cr3t@example.com:80",
        "example.com:80?token=s3cr3t",
        "example.com:80/?token=s3cr3t",
        "example.com:8?token=s3cr3t",
    })
    @DisplayName("never reach an exception message or its causes when the URL is malformed")
    void notInErrors(String text) {
      Throwable thrown = catchThrowable(() -> Endpoint.parse(text));
      assertThat(thrown).isInstanceOf(IllegalArgumentException.class);
      assertThat(stackTrace(thrown)).doesNotContain(SECRET, USER);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "http://alice:s3cr3t@example.com:99999/?token=s3cr3t#s3cr3t",
        "http://alice:s3cr3t@example.com:abc/",
        "http://alice:s3cr3t@/",
        "http://alice:s3cr3t@-x-.example/",
        "gopher://alice:s3cr3t@example.com/",
    })
    @DisplayName("never reach an exception from of(URI)")
    void notInUriErrors(String url) {
      URI uri = URI.create(url);
      Throwable thrown = catchThrowable(() -> Endpoint.of(uri));
      assertThat(thrown).isInstanceOf(IllegalArgumentException.class);
      assertThat(stackTrace(thrown)).doesNotContain(SECRET, USER);
    }

    private String stackTrace(Throwable thrown) {
      StringWriter out = new StringWriter();
      thrown.printStackTrace(new PrintWriter(out));
      return out.toString();
    }
  }

  @Nested
  @DisplayName("equality")
  final class Equality {

    private final Endpoint endpoint = Endpoint.of("example.com", 443);

    @Test
    @DisplayName("is by host and port")
    void byHostAndPort() {
      assertThat(Endpoint.parse("example.com:443")).isEqualTo(endpoint);
    }

    @Test
    @DisplayName("hashes by host and port")
    void hashByHostAndPort() {
      assertThat(Endpoint.parse("https://example.com/").hashCode()).isEqualTo(endpoint.hashCode());
    }

    @Test
    @DisplayName("tells different ports apart")
    void differentPort() {
      assertThat(Endpoint.of("example.com", 80)).isNotEqualTo(endpoint);
    }

    @Test
    @DisplayName("tells different hosts apart")
    void differentHost() {
      assertThat(Endpoint.of("example.org", 443)).isNotEqualTo(endpoint);
    }

    @Test
    @DisplayName("ignores the case of a name")
    void ignoresCase() {
      assertThat(Endpoint.of("EXAMPLE.Com", 443)).isEqualTo(endpoint);
    }

    @Test
    @DisplayName("ignores the case of an internationalized name")
    void ignoresIdnCase() {
      assertThat(Endpoint.of("BÜCHER.example", 80)).isEqualTo(Endpoint.of("bücher.example", 80));
    }

    @Test
    @DisplayName("treats an internationalized name and its xn-- form as one")
    void idnEqualsAce() {
      assertThat(Endpoint.of("bücher.example", 80))
          .isEqualTo(Endpoint.of("xn--bcher-kva.example", 80));
    }

    @Test
    @DisplayName("treats a trailing-dot name as the same name")
    void ignoresTrailingDot() {
      assertThat(Endpoint.of("example.com.", 443)).isEqualTo(endpoint);
    }

    @Test
    @DisplayName("is unchanged by withAddress")
    void withAddressKeepsEquality() {
      Endpoint dialled = endpoint.withAddress(new InetSocketAddress("192.0.2.1", 443));
      assertThat(dialled).isEqualTo(endpoint).hasSameHashCodeAs(endpoint);
    }

    @Test
    @DisplayName("is unchanged by withProxy")
    void withProxyKeepsEquality() {
      Endpoint proxied = endpoint.withProxy(proxy());
      assertThat(proxied).isEqualTo(endpoint).hasSameHashCodeAs(endpoint);
    }

    @Test
    @DisplayName("is false against null and other types")
    void notEqualToOthers() {
      assertThat(endpoint).isNotEqualTo(null).isNotEqualTo("example.com:443");
    }
  }

  @Nested
  @DisplayName("context")
  final class Context {

    private final Endpoint endpoint = Endpoint.of("example.com", 443);

    @Test
    @DisplayName("withAddress records the address")
    void recordsAddress() {
      InetSocketAddress address = InetSocketAddress.createUnresolved("example.com", 443);
      assertThat(endpoint.withAddress(address).address()).containsSame(address);
    }

    @Test
    @DisplayName("withAddress keeps the proxy")
    void withAddressKeepsProxy() {
      Proxy proxy = proxy();
      Endpoint both = endpoint.withProxy(proxy)
          .withAddress(InetSocketAddress.createUnresolved("example.com", 443));
      assertThat(both.proxy()).containsSame(proxy);
    }

    @Test
    @DisplayName("withProxy records the proxy")
    void recordsProxy() {
      Proxy proxy = proxy();
      assertThat(endpoint.withProxy(proxy).proxy()).containsSame(proxy);
    }

    @Test
    @DisplayName("withProxy keeps the address")
    void withProxyKeepsAddress() {
      InetSocketAddress address = InetSocketAddress.createUnresolved("example.com", 443);
      assertThat(endpoint.withAddress(address).withProxy(proxy()).address())
          .containsSame(address);
    }

    @Test
    @DisplayName("withProxy stores NO_PROXY as no proxy")
    void noProxyIsNoProxy() {
      assertThat(endpoint.withProxy(proxy()).withProxy(Proxy.NO_PROXY).proxy()).isEmpty();
    }

    @Test
    @DisplayName("withAddress leaves the original alone")
    void immutable() {
      endpoint.withAddress(InetSocketAddress.createUnresolved("example.com", 443));
      assertThat(endpoint.address()).isEmpty();
    }

    @Test
    @DisplayName("withAddress rejects null, naming the parameter")
    void nullAddress() {
      assertThatNullPointerException().isThrownBy(() -> endpoint.withAddress(null))
          .withMessage("address");
    }

    @Test
    @DisplayName("withProxy rejects null, naming the parameter")
    void nullProxy() {
      assertThatNullPointerException().isThrownBy(() -> endpoint.withProxy(null))
          .withMessage("proxy");
    }
  }

  @Nested
  @DisplayName("isIpLiteral()")
  final class IsIpLiteral {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"192.0.2.1", "::1", "[2001:db8::1]", "fe80::1%eth0", "::ffff:10.0.0.1"})
    @DisplayName("is true for IPv4 and IPv6 literals")
    void trueForLiterals(String host) {
      assertThat(Endpoint.of(host, 80).isIpLiteral()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"example.com", "localhost", "1e100.net", "192.0.2.1.example",
        "my_service"})
    @DisplayName("is false for names, even ones made mostly of digits")
    void falseForNames(String host) {
      assertThat(Endpoint.of(host, 80).isIpLiteral()).isFalse();
    }
  }

  @Nested
  @DisplayName("toString()")
  final class ToString {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "Example.com:80,          example.com:80",
        "192.0.2.1:8080,          192.0.2.1:8080",
        "[0:0:0:0:0:0:0:1]:443,   [::1]:443",
        "[fe80::1%eth0]:8080,     [fe80::1%eth0]:8080",
        "https://bücher.example/, xn--bcher-kva.example:443",
    })
    @DisplayName("is host:port, with an IPv6 literal in brackets")
    void format(String text, String expected) {
      assertThat(Endpoint.parse(text)).hasToString(expected);
    }

    @Test
    @DisplayName("is unchanged by the address and proxy")
    void ignoresContext() {
      Endpoint endpoint = Endpoint.of("example.com", 443);
      assertThat(endpoint.withProxy(proxy())).hasToString("example.com:443");
    }
  }

  private static Proxy proxy() {
    return new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved("proxy.example", 3128));
  }

  /** A valid name of exactly {@code length} characters: 63-character labels and a remainder. */
  private static String nameOfLength(int length) {
    StringBuilder sb = new StringBuilder(length);
    while (length - sb.length() > 64) {
      sb.append("a".repeat(63)).append('.');
    }
    sb.append("b".repeat(length - sb.length()));
    return sb.toString();
  }
}
