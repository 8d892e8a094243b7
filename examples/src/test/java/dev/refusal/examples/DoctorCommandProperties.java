package dev.refusal.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.refusal.Endpoint;
import dev.refusal.testing.ForAll;
import dev.refusal.testing.Gen;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Properties of {@code refusal doctor} over generated argument lists, run in-process.
 *
 * <p>Doctor dials its target, so what may be dialled is fixed here, not generated: 127.0.0.1 and
 * [::1] on ports that were just bound and closed, and names under {@code .invalid}, which the test
 * JVM looks up in its hosts file only (no DNS query leaves the machine). Every other token that
 * could be taken for the target is one that {@link Endpoint#parse} rejects, so it is never
 * dialled. Only the 50 tries of {@link #dialing()} carry a target that parses, each with a short
 * budget.
 */
@DisplayName("refusal doctor properties")
final class DoctorCommandProperties {

  private static List<Integer> closedV4;
  private static List<Integer> closedV6;

  /** Ports nothing listens on: bound and closed now, a handful for all the tries. */
  @BeforeAll
  static void closedPorts() {
    closedV4 = new ArrayList<>();
    closedV6 = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      closedV4.add(Loopback.closedPort());
      closedV6.add(closedV6Port());
    }
  }

  private static int closedV6Port() {
    try (ServerSocket s = new ServerSocket(0, 1, Loopback.V6)) {
      return s.getLocalPort();
    } catch (IOException e) {
      // No IPv6 here: any port will do, the dial fails on the address family first.
      return Loopback.closedPort();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Tokens.

  /** A secret in the shape nothing else generates, so a hit is the secret and no accident. */
  private static Gen<String> secrets() {
    return r -> "Sk" + Gen.strings(Gen.charsFrom("QWXZqwxz2357"), 12, 12).next(r) + "9";
  }

  /** A URL that plants {@code secret} in its user-info and query. */
  private static String secretUrl(String scheme, String hostPort, String secret) {
    return scheme + "://alice:" + secret + "@" + hostPort + "/path?token=" + secret + "#frag";
  }

  /** Targets that may be dialled: loopback on a closed port, or a name under .invalid. */
  private static Gen<String> dialable(String secret) {
    Gen<String> v4 = r -> "127.0.0.1:" + closedV4.get(r.nextInt(closedV4.size()));
    Gen<String> v6 = r -> "[::1]:" + closedV6.get(r.nextInt(closedV6.size()));
    Gen<String> invalid = r -> Gen.elements("orders", "db-1", "SVC", "a.b", "x_y").next(r)
        + Gen.elements(".invalid", ".INVALID", ".invalid.").next(r);
    Gen<String> invalidWithPort = r -> invalid.next(r) + ":" + Gen.ints(1, 65_535).next(r);
    return Gen.oneOf(v4, v6, invalidWithPort,
        r -> secretUrl(Gen.elements("http", "https", "tcp").next(r),
            Gen.oneOf(v4, v6, invalidWithPort).next(r), secret),
        // A .invalid name may take its scheme's default port; loopback never does (something
        // may listen on 80 or 443 here).
        r -> secretUrl(Gen.elements("http", "https", "WS").next(r), invalid.next(r), secret));
  }

  private static boolean parses(String text) {
    try {
      Endpoint.parse(text);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** Text that {@link Endpoint#parse} rejects: safe wherever picocli puts it. */
  private static Gen<String> unparseable(String secret) {
    Gen<String> mangled = r -> {
      StringBuilder sb = new StringBuilder(dialable(secret).next(r));
      // "alice:SECRET@" stays whole: without its '@' the secret is no longer user-info, and
      // what the property promises is about user-info and queries.
      String userInfo = "alice:" + secret + "@";
      int from = sb.indexOf(userInfo);
      int to = from < 0 ? -1 : from + userInfo.length();
      for (int i = 0, n = 1 + r.nextInt(3); i < n && sb.length() > 0; i++) {
        int at = r.nextInt(sb.length());
        if (at >= from && at < to) {
          continue;
        }
        String chars = "[]:@?#% -=\u0000\u2028x9";
        sb.setCharAt(at, chars.charAt(r.nextInt(chars.length())));
      }
      return sb.toString();
    };
    return Gen.oneOf(
        mangled,
        Gen.strings(Gen.ANY_CHAR, 0, 40),
        Gen.strings(Gen.charsFrom("-=:@?#[]/.%0123456789abcxyz "), 0, 30),
        r -> "alice:" + secret + "@127.0.0.1:" + closedV4.get(0),
        r -> "127.0.0.1:" + closedV4.get(0) + "/path?token=" + secret,
        r -> secretUrl("http", "127.0.0.1:99999", secret),
        r -> secretUrl("http", "[::1", secret),
        Gen.elements("", " ", "-", "@", "@/etc/passwd", "127.0.0.1", "::1:80", "[::1]",
            "localhost", "0.0.0.0:0"))
        .filter(t -> !parses(t));
  }

  /** Budgets that keep a dialling try short, in every accepted spelling. */
  private static final Gen<String> SHORT_BUDGETS = Gen.oneOf(
      Gen.ints(1, 300).map(ms -> ms + "ms"),
      Gen.ints(1, 300).map(ms -> ms + "MS"),
      Gen.ints(1, 300).map(ms -> " " + ms + "ms "),
      Gen.ints(1, 300).map(ms -> "PT0." + String.format(Locale.ROOT, "%03d", ms) + "S"),
      Gen.ints(1, 300).map(ms -> "pt0." + String.format(Locale.ROOT, "%03d", ms) + "s"));

  /** Budgets doctor must refuse. */
  private static final Gen<String> BAD_BUDGETS = Gen.oneOf(
      Gen.elements("0ms", "0s", "11m", "601s", "10000000000ms", "-5ms", "PT-1S", "P1D", "5parsecs",
          "1.5s", "", " ", "ms", "PT", "∞", "５００ms", "500 ms", "1e3ms"),
      Gen.strings(Gen.charsFrom("0123456789msPTpt.-+ "), 0, 12)
          .filter(b -> !b.strip().matches("(?i)\\d{1,9}(ms|s|m)") && !b.strip().matches("[Pp].*")));

  /** Options and stray words; every one fails Endpoint.parse, so none can become the target. */
  private static Gen<List<String>> options(String secret, boolean shortBudgets) {
    Gen<String> budget = shortBudgets ? Gen.oneOf(SHORT_BUDGETS, SHORT_BUDGETS, BAD_BUDGETS)
        : Gen.oneOf(SHORT_BUDGETS, BAD_BUDGETS, unparseable(secret));
    Gen<List<String>> one = Gen.oneOf(
        Gen.constant(List.of("--json")),
        Gen.constant(List.of("--json")),
        r -> List.of("--budget", budget.next(r)),
        r -> List.of("--budget=" + budget.next(r)),
        r -> List.of("--budget"),
        Gen.elements(List.of("-h"), List.of("--help"), List.of("-V"), List.of("--version"),
            List.of("-hV"), List.of("--json=true"), List.of("--"), List.of("--frobnicate"),
            List.of("-x"), List.of("demo")),
        // Secrets glued to options: picocli may quote part of such a token. The host is under
        // .invalid, so even a token taken for the target could not leave the machine.
        r -> List.of("--token=" + secretUrl("http", "h.invalid", secret)),
        r -> List.of(Gen.elements("-h", "-V", "-", "--", "--json").next(r)
            + secretUrl("http", "h.invalid", secret)));
    return r -> {
      List<String> out = new ArrayList<>();
      for (int i = 0, n = Gen.size(r, 0, 4); i < n; i++) {
        // "demo" here always follows "doctor": a stray word naming the sibling command.
        out.addAll(one.next(r));
      }
      return out;
    };
  }

  /** An argument list and the secret planted in it. */
  record Args(List<String> args, String secret) {
    @Override
    public String toString() {
      return ForAll.show(args);
    }
  }

  private static List<Args> shrinkArgs(Args a) {
    List<Args> out = new ArrayList<>();
    for (List<String> smaller : ForAll.shrinkList(a.args(), s -> List.of())) {
      if (!smaller.isEmpty() && smaller.get(0).equals("doctor")) {
        out.add(new Args(smaller, a.secret()));
      }
    }
    return out;
  }

  /** "doctor", then the groups in random order (an option's value stays right after it). */
  private static List<String> doctor(List<List<String>> groups, SplittableRandom r) {
    List<List<String>> shuffled = new ArrayList<>(groups);
    java.util.Collections.shuffle(shuffled, new java.util.Random(r.nextLong()));
    List<String> args = new ArrayList<>();
    args.add("doctor");
    shuffled.forEach(args::addAll);
    return args;
  }

  // ---------------------------------------------------------------------------------------------
  // The contract of every run.

  private static CliRun run(Args a) {
    return CliRun.of(a.args().toArray(new String[0]));
  }

  private static void checkRun(CliRun run, String secret) {
    assertThat(run.exitCode()).as("exit code; stderr %s", ForAll.quote(run.err()))
        .isIn(0, 1, 2);
    assertThat(run.all()).as("output holds the planted secret").doesNotContain(secret);
    if (run.exitCode() == 2) {
      assertThat(run.out()).isEmpty();
      assertThat(run.err()).endsWith("\n");
      assertThat(run.err().lines().count()).as("lines in %s", ForAll.quote(run.err()))
          .isEqualTo(1);
      assertThat(run.err()).startsWith("refusal");
      assertThat(run.err()).doesNotContainPattern("\\bat [\\w.$]+\\(")
          .doesNotContain("\tat ").doesNotContain("Exception");
    } else {
      // Help, version, or a report; stderr is for errors only.
      assertThat(run.out()).isNotBlank();
      assertThat(run.err()).isEmpty();
    }
  }

  @Test
  @DisplayName("for any argument list without a valid target (random options, malformed targets"
      + " and budgets, planted secrets) doctor exits 0 or 2, never dials, prints one line with no"
      + " stack frame on exit 2, and never prints the secret")
  void badInput() {
    Gen<Args> gen = r -> {
      String secret = secrets().next(r);
      List<List<String>> groups = new ArrayList<>();
      for (int i = 0, n = Gen.size(r, 0, 3); i < n; i++) {
        groups.add(List.of(unparseable(secret).next(r)));
      }
      for (String o : options(secret, false).next(r)) {
        groups.add(List.of(o));
      }
      return new Args(doctor(groups, r), secret);
    };
    ForAll.values(gen).tries(1_000).shrink(DoctorCommandProperties::shrinkArgs)
        .check(a -> {
          CliRun run = run(a);
          checkRun(run, a.secret());
          assertThat(run.exitCode()).as("without a valid target").isIn(0, 2);
        });
  }

  @Test
  @DisplayName("for argument lists with a loopback or .invalid target (random options, short"
      + " budgets, planted secrets) doctor exits 0, 1 or 2, prints one line with no stack frame on"
      + " exit 2, and never prints the secret")
  void dialing() {
    AtomicInteger dialled = new AtomicInteger();
    Gen<Args> gen = r -> {
      String secret = secrets().next(r);
      List<List<String>> groups = new ArrayList<>();
      groups.add(List.of(dialable(secret).next(r)));
      List<String> options = options(secret, true).next(r);
      // An option and its value stay together; split the list back into its groups.
      for (int i = 0; i < options.size(); i++) {
        if (options.get(i).equals("--budget") && i + 1 < options.size()) {
          groups.add(List.of(options.get(i), options.get(++i)));
        } else {
          groups.add(List.of(options.get(i)));
        }
      }
      if (r.nextInt(5) == 0) {
        groups.add(List.of(unparseable(secret).next(r)));
      }
      return new Args(doctor(groups, r), secret);
    };
    // Few tries: each one that parses dials loopback and runs a diagnosis.
    ForAll.values(gen).tries(50).perTry(Duration.ofSeconds(15))
        .shrink(DoctorCommandProperties::shrinkArgs)
        .check(a -> {
          CliRun run = run(a);
          checkRun(run, a.secret());
          if (run.exitCode() == 1) {
            dialled.incrementAndGet();
          }
        });
    assertThat(dialled.get()).as("tries that dialled and diagnosed").isGreaterThanOrEqualTo(5);
  }
}
