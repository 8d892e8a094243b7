package dev.refusal.okhttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.Dns;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** RefusalDns on its own: answers from a table, time from a hand-moved clock, no socket. */
@DisplayName("RefusalDns")
class RefusalDnsTest {

  private static final String HOST = "orders.internal";
  private static final InetAddress A = Names.address(HOST, "10.0.0.1");
  private static final InetAddress B = Names.address(HOST, "10.0.0.2");
  private static final InetAddress C = Names.address(HOST, "10.0.0.3");

  private final AtomicLong now = new AtomicLong(1_000);
  private final Names names = new Names().map(HOST, A, B).moved(HOST, C);
  private final RefusalDns dns = new RefusalDns(names, names, now::get);

  @Test
  @DisplayName("answers as its delegate while nothing is stale, without a fresh query")
  void passThrough() throws Exception {
    assertThat(dns.lookup(HOST)).containsExactly(A, B);
    assertThat(names.freshLookups()).isZero();
  }

  @Test
  @DisplayName("drops an address diagnosed stale and keeps the others")
  void dropsStale() throws Exception {
    dns.dropStale(HOST, List.of(A));

    assertThat(dns.lookup(HOST)).containsExactly(B);
    assertThat(names.freshLookups()).isZero();
  }

  @Test
  @DisplayName("resolves afresh when every address is stale, and reuses that answer for 30 s")
  void resolvesAfresh() throws Exception {
    dns.dropStale(HOST, List.of(A, B));

    assertThat(dns.lookup(HOST)).containsExactly(C);
    assertThat(dns.lookup(HOST)).containsExactly(C);
    assertThat(names.freshLookups()).isEqualTo(1);
    now.addAndGet(RefusalDns.FRESH_ANSWER_REUSE.toNanos());
    assertThat(dns.lookup(HOST)).containsExactly(C);
    assertThat(names.freshLookups()).isEqualTo(2);
  }

  @Test
  @DisplayName("goes back to the delegate once its answer holds no stale address")
  void delegateCatchesUp() throws Exception {
    dns.dropStale(HOST, List.of(A, B));
    assertThat(dns.lookup(HOST)).containsExactly(C);
    names.map(HOST, C);

    assertThat(dns.lookup(HOST)).containsExactly(C);
    names.map(HOST, A);
    assertThat(dns.lookup(HOST)).as("A was forgotten once the delegate caught up")
        .containsExactly(A);
  }

  @Test
  @DisplayName("forgets stale addresses after 5 minutes")
  void forgets() throws Exception {
    dns.dropStale(HOST, List.of(A));
    now.addAndGet(RefusalDns.STALE_MEMORY.toNanos());

    assertThat(dns.lookup(HOST)).containsExactly(A, B);
  }

  @Test
  @DisplayName("keeps the delegate's answer when a fresh query fails or says nothing new")
  void freshQueryFails() throws Exception {
    RefusalDns noFresh = new RefusalDns(names, new Names(), now::get);
    noFresh.dropStale(HOST, List.of(A, B));
    assertThat(noFresh.lookup(HOST)).containsExactly(A, B);

    names.moved(HOST, A);
    dns.dropStale(HOST, List.of(A, B));
    assertThat(dns.lookup(HOST)).containsExactly(A, B);
  }

  @Test
  @DisplayName("remembers at most 1,024 hosts")
  void bounded() throws Exception {
    for (int i = 0; i < RefusalDns.MAX_HOSTS + 10; i++) {
      dns.dropStale("h" + i + ".internal", List.of(A));
    }
    names.map("h1030.internal", A, B).map("h3.internal", A, B);

    assertThat(dns.lookup("h1030.internal")).as("past the bound: not remembered")
        .containsExactly(A, B);
    assertThat(dns.lookup("h3.internal")).containsExactly(B);
  }

  @Test
  @DisplayName("passes the delegate's UnknownHostException through, and names null arguments")
  void errors() {
    assertThatThrownBy(() -> dns.lookup("nowhere.internal"))
        .isInstanceOf(UnknownHostException.class);
    assertThatThrownBy(() -> dns.lookup(null)).isInstanceOf(NullPointerException.class)
        .hasMessage("hostname");
    assertThatThrownBy(() -> RefusalDns.of(null)).isInstanceOf(NullPointerException.class)
        .hasMessage("delegate");
    assertThatThrownBy(() -> RefusalDns.of(Dns.SYSTEM, null))
        .isInstanceOf(NullPointerException.class).hasMessage("fresh");
  }
}
