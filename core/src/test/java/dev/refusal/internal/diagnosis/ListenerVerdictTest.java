package dev.refusal.internal.diagnosis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.refusal.Confidence;
import dev.refusal.Endpoint;
import dev.refusal.Evidence;
import dev.refusal.RefusalCause;
import dev.refusal.internal.diagnosis.SystemView.Dial;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Rows are /proc/net/tcp and tcp6 lines as Linux 6.x (x86_64) prints them, all on port 8080. */
@DisplayName("ListenerVerdict: what the LISTEN rows say about a refused dial, without I/O")
class ListenerVerdictTest {

  private static final String TAIL =
      " 00:00000000 00000000     0        0 7533 1 00000000de1a9827 100 0 0 10 0";
  private static final String ANY_V4 = "00000000";
  private static final String LOOPBACK_V4 = "0100007F";
  /** 10.0.0.5, this host's eth0 address in these tests. */
  private static final String ETH0_V4 = "0500000A";
  private static final String ANY_V6 = "00000000000000000000000000000000";
  private static final String LOOPBACK_V6 = "00000000000000000000000001000000";

  private final InterfaceAddresses eth0 = new InterfaceAddresses(Map.of(
      ip("127.0.0.1"), "lo", ip("::1"), "lo", ip("10.0.0.5"), "eth0", ip("fd00::5"), "eth0"));

  private static InetAddress ip(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  /** A LISTEN row on port 8080 (0x1F90) bound to {@code hexAddress}, as the kernel prints it. */
  private static ListenerTable.Row listen(String hexAddress, long waiting) {
    boolean tcp6 = hexAddress.length() == 32;
    String remote = tcp6 ? ANY_V6 : ANY_V4;
    String line = "   0: " + hexAddress + ":1F90 " + remote + ":0000 0A 00000000:"
        + String.format("%08X", waiting) + TAIL;
    ListenerTable.Row row = ListenerTable.parseLine(line.trim(), tcp6);
    assertThat(row).as(line).isNotNull();
    return row;
  }

  private ListenerVerdict verdict(String host, String dialled, ListenerTable.Row... rows) {
    Endpoint endpoint = Endpoint.of(host, 8080);
    List<InetAddress> resolved = endpoint.isIpLiteral() ? List.of() : List.of(ip(dialled));
    return ListenerVerdict.of(endpoint, resolved, eth0, ip(dialled), List.of(rows));
  }

  @Test
  @DisplayName("a wildcard IPv4 listener would take an IPv4 dial: a refusal is a firewall REJECT")
  void wildcardV4TakesV4Dial() {
    ListenerVerdict v = verdict("10.0.0.5", "10.0.0.5", listen(ANY_V4, 0));

    assertThat(v.listenerFound()).isTrue();
    assertThat(v.counterpart()).isNull();
    assertThat(v.cause()).isEqualTo(RefusalCause.REJECTED_BY_FILTER);
    assertThat(v.confidence()).isEqualTo(Confidence.MEDIUM);
    assertThat(v.holdsIfStillRefused()).isTrue();
    assertThat(v.wording().summary()).isEqualTo("a process listens on 0.0.0.0:8080, which"
        + " covers 10.0.0.5:8080, and its accept queue has room, yet the connect was refused: a"
        + " firewall rule rejects it with a reset");
    assertThat(v.evidence()).containsExactly(Evidence.of("listener-table",
        "LISTEN on port 8080: 0.0.0.0:8080 with 0 waiting to be accepted"));
  }

  @Test
  @DisplayName("a listener on the dialled address itself, yet refused: REJECTED_BY_FILTER, if a"
      + " re-dial is refused too")
  void coveringListenerRefusedIsFilter() {
    ListenerVerdict v = verdict("10.0.0.5", "10.0.0.5", listen(LOOPBACK_V4, 0),
        listen(ETH0_V4, 0));

    assertThat(v.cause()).isEqualTo(RefusalCause.REJECTED_BY_FILTER);
    assertThat(v.holdsIfStillRefused()).isTrue();
    assertThat(v.wording().summary()).startsWith("a process listens on 10.0.0.5:8080, which"
        + " covers 10.0.0.5:8080");
    assertThat(v.wording().remedy()).isEqualTo("Look for a REJECT rule on port 8080 (iptables"
        + " -S | grep 8080; ip6tables -S; nft list ruleset), or an SELinux/AppArmor denial"
        + " (ausearch -m avc).");
  }

  @Test
  @DisplayName("a listener on 127.0.0.1 only, an interface address dialled: LOOPBACK_ONLY_BIND")
  void loopbackOnly() {
    ListenerVerdict v = verdict("10.0.0.5", "10.0.0.5", listen(LOOPBACK_V4, 0));

    assertThat(v.cause()).isEqualTo(RefusalCause.LOOPBACK_ONLY_BIND);
    assertThat(v.confidence()).isEqualTo(Confidence.HIGH);
    assertThat(v.holdsIfStillRefused()).isFalse();
    assertThat(v.counterpart()).isNull();
    assertThat(v.wording().summary()).isEqualTo("a process listens on 127.0.0.1:8080 only;"
        + " 10.0.0.5 is not loopback (this host's eth0 address)");
    assertThat(v.wording().remedy()).startsWith("Bind the service to 0.0.0.0 or 10.0.0.5");
  }

  @Test
  @DisplayName("a listener on ::1 only, 127.0.0.1 dialled: ADDRESS_FAMILY_MISMATCH")
  void familyMismatch() {
    ListenerVerdict v = verdict("127.0.0.1", "127.0.0.1", listen(LOOPBACK_V6, 0));

    assertThat(v.cause()).isEqualTo(RefusalCause.ADDRESS_FAMILY_MISMATCH);
    assertThat(v.confidence()).isEqualTo(Confidence.HIGH);
    assertThat(v.counterpart()).isNull();
    assertThat(v.wording().summary()).isEqualTo("a process listens on [::1]:8080 (IPv6 only), so"
        + " 127.0.0.1:8080 (IPv4) is refused");
    assertThat(v.wording().remedy()).endsWith(" or dial ::1 instead of the literal 127.0.0.1.");
    assertThat(v.evidence()).extracting(Evidence::observation).containsExactly(
        "LISTEN on port 8080: [::1]:8080 (tcp6) with 0 waiting to be accepted");
  }

  @Test
  @DisplayName("a name dialled at its IPv4 address says so in the family mismatch")
  void familyMismatchByName() {
    ListenerVerdict v = verdict("orders.internal", "127.0.0.1", listen(LOOPBACK_V6, 0));

    assertThat(v.wording().summary())
        .endsWith(", and orders.internal was dialled at its IPv4 address");
  }

  @Test
  @DisplayName("a listener on another address of the dialled family: WRONG_INTERFACE_BIND")
  void wrongInterface() {
    ListenerVerdict v = verdict("127.0.0.1", "127.0.0.1", listen(ETH0_V4, 3));

    assertThat(v.cause()).isEqualTo(RefusalCause.WRONG_INTERFACE_BIND);
    assertThat(v.wording().summary()).isEqualTo("a process listens on 10.0.0.5:8080 only (this"
        + " host's eth0 address); 127.0.0.1 is loopback");
    assertThat(v.wording().remedy()).isEqualTo("Dial 10.0.0.5:8080, or bind the service to"
        + " 0.0.0.0 (all interfaces) or to loopback as well.");
  }

  @Test
  @DisplayName("a tcp6 :: row and an IPv4 dial: the counterpart's answer decides, row by row")
  void unsureWildcardAsksTheCounterpart() {
    ListenerVerdict v = verdict("10.0.0.5", "10.0.0.5", listen(ANY_V6, 0));

    assertThat(v.counterpart()).isEqualTo(ip("fd00::5"));
    ListenerVerdict accepted = v.given(Dial.ACCEPTED);
    assertThat(accepted.cause()).isEqualTo(RefusalCause.ADDRESS_FAMILY_MISMATCH);
    assertThat(accepted.wording().summary()).isEqualTo("a process listens on [::]:8080 with"
        + " IPV6_V6ONLY set: [fd00::5]:8080 accepts, 10.0.0.5:8080 does not");
    assertThat(accepted.counterpart()).isNull();

    ListenerVerdict refused = v.given(Dial.REFUSED);
    assertThat(refused.cause()).isEqualTo(RefusalCause.REJECTED_BY_FILTER);
    assertThat(refused.holdsIfStillRefused()).isTrue();

    ListenerVerdict unanswered = v.given(Dial.FAILED);
    assertThat(unanswered.counterpart()).isNull();
    assertThat(unanswered.cause()).isEqualTo(RefusalCause.ADDRESS_FAMILY_MISMATCH);
    assertThat(unanswered.wording().summary()).startsWith("a process listens on [::]:8080 with"
        + " IPV6_V6ONLY set (IPv6 only), so 10.0.0.5:8080 (IPv4) is refused");
    assertThatThrownBy(() -> unanswered.given(Dial.ACCEPTED))
        .isInstanceOf(IllegalStateException.class);

    ListenerVerdict twoRows = verdict("127.0.0.1", "127.0.0.1", listen(ANY_V6, 0),
        listen(ANY_V6, 0));
    assertThat(twoRows.counterpart()).isEqualTo(ip("::1"));
    assertThat(twoRows.given(Dial.TIMED_OUT).counterpart()).isEqualTo(ip("::1"));
    assertThat(twoRows.given(Dial.TIMED_OUT).given(Dial.TIMED_OUT).counterpart()).isNull();
  }

  @Test
  @DisplayName("a :: socket the kernel's exact lookup reports dual-stack covers an IPv4 dial:"
      + " no counterpart to ask, a refusal is a firewall REJECT")
  void knownDualStackWildcard() {
    ListenerVerdict v = verdict("10.0.0.5", "10.0.0.5",
        ListenerTable.Row.listener(ip("::"), 8080, 0, true, true, false));

    assertThat(v.counterpart()).isNull();
    assertThat(v.cause()).isEqualTo(RefusalCause.REJECTED_BY_FILTER);
    assertThat(v.holdsIfStillRefused()).isTrue();
    assertThat(v.evidence()).singleElement().satisfies(e -> assertThat(e.observation())
        .isEqualTo("LISTEN on port 8080: [::]:8080 (IPv6 socket, dual-stack) with 0 waiting to"
            + " be accepted"));
  }

  @Test
  @DisplayName("a :: socket the kernel's exact lookup reports v6-only and an IPv4 dial:"
      + " ADDRESS_FAMILY_MISMATCH at once, with no counterpart dial")
  void knownV6OnlyWildcard() {
    ListenerVerdict v = verdict("10.0.0.5", "10.0.0.5",
        ListenerTable.Row.listener(ip("::"), 8080, 0, true, true, true));

    assertThat(v.counterpart()).isNull();
    assertThat(v.cause()).isEqualTo(RefusalCause.ADDRESS_FAMILY_MISMATCH);
    assertThat(v.confidence()).isEqualTo(Confidence.HIGH);
    assertThat(v.wording().summary()).startsWith("a process listens on [::]:8080 with"
        + " IPV6_V6ONLY set (IPv6 only), so 10.0.0.5:8080 (IPv4) is refused");
  }

  @Test
  @DisplayName("a :: socket whose v6-only flag the kernel did not send is asked about, as a"
      + " table row is")
  void exactRowWithoutTheFlag() {
    ListenerVerdict v = verdict("10.0.0.5", "10.0.0.5",
        ListenerTable.Row.listener(ip("::"), 8080, 0, true, false, false));

    assertThat(v.counterpart()).isEqualTo(ip("fd00::5"));
  }

  @Test
  @DisplayName("no listener at all: NO_LISTENER, left for the caller to conclude")
  void noListener() {
    ListenerVerdict v = verdict("127.0.0.1", "127.0.0.1");

    assertThat(v.listenerFound()).isFalse();
    assertThat(v.counterpart()).isNull();
    assertThat(v.evidence()).isEmpty();
    assertThat(v.cause()).isEqualTo(RefusalCause.NO_LISTENER);
    assertThat(v.confidence()).isEqualTo(Confidence.HIGH);
    assertThat(v.wording().summary()).isEqualTo("nothing listens on port 8080 on this host");
  }
}
