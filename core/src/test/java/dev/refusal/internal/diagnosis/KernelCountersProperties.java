package dev.refusal.internal.diagnosis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.refusal.testing.ForAll;
import dev.refusal.testing.Gen;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Properties of {@link KernelCounters#netstatValue}: it reads exactly the named counter from
 * text laid out as {@code /proc/net/netstat} is, and survives any other text.
 */
@DisplayName("KernelCounters.netstatValue properties")
final class KernelCountersProperties {

  private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);
  private static final BigInteger TWO_TO_64 = BigInteger.ONE.shiftLeft(64);

  /** Names from /proc/net/netstat on Linux 6.18, so the generated files look like real ones. */
  private static final List<String> TCP_EXT = List.of("SyncookiesSent", "SyncookiesRecv",
      "SyncookiesFailed", "EmbryonicRsts", "PruneCalled", "RcvPruned", "OfoPruned", "TW",
      "TWRecycled", "TWKilled", "PAWSActive", "DelayedACKs", "ListenOverflows", "ListenDrops",
      "TCPHPHits", "TCPPureAcks", "TCPTimeouts", "TCPBacklogDrop", "TCPReqQFullDoCookies",
      "TCPReqQFullDrop", "TCPRetransFail", "TCPFastOpenListenOverflow", "TCPSynRetrans",
      "TCPAOGood");
  private static final List<String> IP_EXT = List.of("InNoRoutes", "InTruncatedPkts",
      "InMcastPkts", "OutMcastPkts", "InOctets", "OutOctets", "InCsumErrors", "ReasmOverlaps");
  private static final List<String> MPTCP_EXT = List.of("MPCapableSYNRX", "MPCapableSYNTX",
      "MPTCPRetrans", "MPJoinNoTokenFound", "AddAddr", "RmAddr", "Blackhole", "WinProbe");

  /** A counter the kernel prints with %lu: any u64, with 0, small values and the edges common. */
  private static final Gen<BigInteger> U64 = Gen.oneOf(
      Gen.elements(BigInteger.ZERO, BigInteger.ONE, BigInteger.valueOf(17), LONG_MAX,
          LONG_MAX.add(BigInteger.ONE), TWO_TO_64.subtract(BigInteger.ONE),
          BigInteger.TEN.pow(17).subtract(BigInteger.ONE), BigInteger.TEN.pow(18).subtract(
              BigInteger.ONE), BigInteger.TEN.pow(18), BigInteger.TEN.pow(19)),
      r -> BigInteger.valueOf(r.nextInt(100_000)),
      r -> BigInteger.valueOf(r.nextLong(Long.MAX_VALUE)),
      r -> new BigInteger(64, new java.util.Random(r.nextLong())));

  record Section(String prefix, List<String> names, List<BigInteger> values) {}

  /** A netstat file, and one look-up in it with the answer it must give. */
  record Lookup(String text, String prefix, String name, long expected) {
    @Override
    public String toString() {
      return prefix + " " + name + " → " + expected + " in " + ForAll.quote(text);
    }
  }

  private static List<String> someOf(List<String> names, SplittableRandom r) {
    List<String> out = new ArrayList<>();
    for (String n : names) {
      if (r.nextInt(3) != 0) {
        out.add(n);
      }
    }
    return out;
  }

  private static final Gen<String> RANDOM_NAME =
      Gen.strings(Gen.charsFrom("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"),
          1, 24);

  private static final Gen<Lookup> LOOKUPS = r -> {
    List<Section> sections = new ArrayList<>();
    List<String[]> families = new ArrayList<>();
    families.add(new String[] {"TcpExt:"});
    families.add(new String[] {"IpExt:"});
    families.add(new String[] {"MPTcpExt:"});
    Collections.shuffle(families, new java.util.Random(r.nextLong()));
    Set<String> prefixes = new LinkedHashSet<>();
    for (String[] f : families) {
      if (r.nextInt(5) != 0) {
        prefixes.add(f[0]);
      }
    }
    if (r.nextInt(4) == 0) {
      prefixes.add(RANDOM_NAME.next(r) + ":");
    }
    for (String prefix : prefixes) {
      List<String> base = prefix.equals("TcpExt:") ? TCP_EXT
          : prefix.equals("IpExt:") ? IP_EXT : prefix.equals("MPTcpExt:") ? MPTCP_EXT : List.of();
      Set<String> names = new LinkedHashSet<>(someOf(base, r));
      int extra = r.nextInt(4);
      for (int i = 0; i < extra; i++) {
        names.add(RANDOM_NAME.next(r));
      }
      List<BigInteger> values = new ArrayList<>();
      for (int i = 0; i < names.size(); i++) {
        values.add(U64.next(r));
      }
      sections.add(new Section(prefix, new ArrayList<>(names), values));
    }
    // As net/ipv4/proc.c writes it: "Prefix:" and " name" each, newline, "Prefix:" and " value"
    // each, newline.
    StringBuilder sb = new StringBuilder();
    for (Section s : sections) {
      sb.append(s.prefix());
      s.names().forEach(n -> sb.append(' ').append(n));
      sb.append('\n').append(s.prefix());
      s.values().forEach(v -> sb.append(' ').append(v));
      sb.append('\n');
    }
    String text = sb.toString();
    int pick = r.nextInt(10);
    if (pick < 7 && sections.stream().anyMatch(s -> !s.names().isEmpty())) {
      Section s;
      do {
        s = sections.get(r.nextInt(sections.size()));
      } while (s.names().isEmpty());
      int k = r.nextInt(s.names().size());
      BigInteger v = s.values().get(k);
      return new Lookup(text, s.prefix(), s.names().get(k),
          v.compareTo(LONG_MAX) <= 0 ? v.longValueExact() : -1);
    }
    if (pick < 9 && !sections.isEmpty()) {
      Section s = sections.get(r.nextInt(sections.size()));
      String name;
      do {
        name = Gen.oneOf(RANDOM_NAME, Gen.elements(TCP_EXT)).next(r);
      } while (s.names().contains(name));
      return new Lookup(text, s.prefix(), name, -1);
    }
    String prefix;
    do {
      prefix = RANDOM_NAME.next(r) + ":";
    } while (prefixes.contains(prefix));
    return new Lookup(text, prefix, "ListenOverflows", -1);
  };

  @Test
  @DisplayName("from a file laid out as /proc/net/netstat, netstatValue reads exactly the named"
      + " counter of the named section; -1 when the name or section is absent, or the counter"
      + " does not fit a long")
  void readsTheNamedCounter() {
    ForAll.values(LOOKUPS).tries(1_000).check(l ->
        assertThat(KernelCounters.netstatValue(l.text(), l.prefix(), l.name()))
            .isEqualTo(l.expected()));
  }

  @Test
  @DisplayName("the counterexamples these properties found stay fixed")
  void foundCounterexamples() {
    // Only the first 18 digits were read: 10^18 came back as 10^17, 2^64 - 1 as a wrong value.
    assertThat(KernelCounters.netstatValue("TcpExt: ListenOverflows\nTcpExt:"
        + " 1000000000000000000\n", "TcpExt:", "ListenOverflows"))
        .isEqualTo(1_000_000_000_000_000_000L);
    assertThat(KernelCounters.netstatValue("TcpExt: A ListenOverflows\nTcpExt: 0"
        + " 4092261279052381301\n", "TcpExt:", "ListenOverflows")).isEqualTo(4092261279052381301L);
    assertThat(KernelCounters.netstatValue("TcpExt: ListenOverflows\nTcpExt:"
        + " 18446744073709551615\n", "TcpExt:", "ListenOverflows")).isEqualTo(-1);
  }

  private static final Gen<String> ANY_TEXT = Gen.oneOf(
      Gen.strings(Gen.oneOf(Gen.ANY_CHAR, Gen.constant('\n'), Gen.constant(' '),
          Gen.charsFrom("TcpExt:0123456789")), 0, 2_000),
      LOOKUPS.map(Lookup::text),
      // A real file with random edits: cut short, characters dropped or changed.
      r -> {
        StringBuilder sb = new StringBuilder(LOOKUPS.next(r).text());
        int edits = r.nextInt(6);
        for (int i = 0; i < edits && sb.length() > 0; i++) {
          int at = r.nextInt(sb.length());
          switch (r.nextInt(3)) {
            case 0:
              sb.setLength(at);
              break;
            case 1:
              sb.deleteCharAt(at);
              break;
            default:
              String chars = "\n\r :0123456789\uff10\u0660x";
              sb.setCharAt(at, chars.charAt(r.nextInt(chars.length())));
          }
        }
        return sb.toString();
      });

  @Test
  @DisplayName("for any text, section and name, netstatValue never throws and answers -1 or a"
      + " counter, never another negative number")
  void anyText() {
    Gen<String[]> input = r -> new String[] {ANY_TEXT.next(r),
        Gen.elements("TcpExt:", "IpExt:", "", ":", "T").next(r),
        Gen.oneOf(Gen.elements("ListenOverflows", "", " ", "TcpExt:"), RANDOM_NAME).next(r)};
    ForAll.values(input).tries(1_000)
        .show(a -> ForAll.quote(a[0]) + ", " + ForAll.quote(a[1]) + ", " + ForAll.quote(a[2]))
        .check(a -> assertThat(KernelCounters.netstatValue(a[0], a[1], a[2]))
            .isGreaterThanOrEqualTo(-1));
  }
}
