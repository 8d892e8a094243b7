package dev.refusal.okhttp;

import dev.refusal.HostResolver;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import okhttp3.Dns;

/**
 * A {@link Dns} that stops handing out an address once a diagnosis proved it stale, so the next
 * call resolves the host afresh instead of dialling the dead address until a cache expires.
 *
 * <pre>{@code
 * OkHttpClient client = RefusalOkHttp.install(
 *     new OkHttpClient.Builder().dns(RefusalDns.of(Dns.SYSTEM)), guard).build();
 * }</pre>
 *
 * <p>It answers as its delegate does until a call through a client with {@link
 * RefusalOkHttp#install} fails with a {@code STALE_ADDRESS} diagnosis (the host no longer
 * resolves to the address dialled, in a query that bypasses every cache). From then on, for that
 * host, the stale addresses are dropped from the delegate's answers; when nothing is left, the
 * host is resolved afresh with {@link HostResolver#lookupFresh}, and that answer is used (and
 * reused for {@link #FRESH_ANSWER_REUSE}). The host is back to the delegate's answers as soon as
 * they no longer hold a stale address, and at the latest {@link #STALE_MEMORY} after the
 * diagnosis. When the fresh answer is empty or fails, the delegate's answer is used unchanged.
 *
 * <p>The JVM's resolver caches answers (30 s by default, {@code networkaddress.cache.ttl}), and
 * so do service-discovery clients: that cache is what keeps the dead address coming. Give the
 * guard's {@link dev.refusal.Diagnoser} the same {@link HostResolver} as this class, so the
 * diagnosis and the fresh answer come from one source. At most {@link #MAX_HOSTS} hosts are
 * remembered at a time.
 */
public final class RefusalDns implements Dns {

  /** How long addresses diagnosed stale are kept out of the answers at most: 5 min. */
  public static final Duration STALE_MEMORY = Duration.ofMinutes(5);
  /** How long one fresh answer is reused before the host is resolved afresh again: 30 s. */
  public static final Duration FRESH_ANSWER_REUSE = Duration.ofSeconds(30);
  /** Hosts with stale addresses remembered at most: 1,024. */
  public static final int MAX_HOSTS = 1_024;

  private final Dns delegate;
  private final HostResolver fresh;
  private final LongSupplier nanoTime;
  private final ConcurrentHashMap<String, Stale> stale = new ConcurrentHashMap<>();

  RefusalDns(Dns delegate, HostResolver fresh, LongSupplier nanoTime) {
    this.delegate = delegate;
    this.fresh = fresh;
    this.nanoTime = nanoTime;
  }

  /**
   * Wraps {@code delegate}; fresh answers come from {@link HostResolver#system()}, a DNS query to
   * the name servers of {@code /etc/resolv.conf} that bypasses the JVM's cache, as the default
   * {@link dev.refusal.Diagnoser} makes.
   */
  public static RefusalDns of(Dns delegate) {
    return of(delegate, HostResolver.system());
  }

  /**
   * Wraps {@code delegate}; fresh answers come from {@code fresh.lookupFresh(host)}. Use the
   * resolver your guard's {@link dev.refusal.Diagnoser} uses, such as one backed by your
   * service-discovery client.
   */
  public static RefusalDns of(Dns delegate, HostResolver fresh) {
    return new RefusalDns(Objects.requireNonNull(delegate, "delegate"),
        Objects.requireNonNull(fresh, "fresh"), System::nanoTime);
  }

  /**
   * The delegate's answer for {@code hostname}, less any address diagnosed stale, or a fresh
   * answer when nothing else is left.
   *
   * @throws UnknownHostException as the delegate throws it
   */
  @Override
  public List<InetAddress> lookup(String hostname) throws UnknownHostException {
    Objects.requireNonNull(hostname, "hostname");
    List<InetAddress> answer = delegate.lookup(hostname);
    if (stale.isEmpty()) {
      return answer;
    }
    Stale s = stale.get(hostname);
    if (s == null) {
      return answer;
    }
    long now = nanoTime.getAsLong();
    if (now - s.until >= 0) {
      stale.remove(hostname, s);
      return answer;
    }
    List<InetAddress> kept = without(answer, s.addresses);
    if (kept.size() == answer.size()) {
      // The delegate caught up: it no longer hands out a stale address.
      stale.remove(hostname, s);
      return answer;
    }
    if (!kept.isEmpty()) {
      return kept;
    }
    List<InetAddress> renewed = s.freshAnswer(now);
    if (renewed == null) {
      renewed = without(resolveFresh(hostname), s.addresses);
      s.remember(renewed, now + FRESH_ANSWER_REUSE.toNanos());
    }
    return renewed.isEmpty() ? answer : renewed;
  }

  /**
   * Keeps {@code addresses} out of the answers for {@code hostname}; the interceptor calls this
   * when a diagnosis says {@code STALE_ADDRESS}.
   */
  void dropStale(String hostname, Collection<InetAddress> addresses) {
    if (addresses.isEmpty()) {
      return;
    }
    long until = nanoTime.getAsLong() + STALE_MEMORY.toNanos();
    if (!stale.containsKey(hostname) && stale.size() >= MAX_HOSTS) {
      long now = nanoTime.getAsLong();
      stale.values().removeIf(s -> now - s.until >= 0);
      if (stale.size() >= MAX_HOSTS) {
        return;
      }
    }
    stale.merge(hostname, new Stale(List.copyOf(addresses), until),
        (old, added) -> new Stale(union(old.addresses, added.addresses), until));
  }

  private List<InetAddress> resolveFresh(String hostname) {
    try {
      List<InetAddress> answer = fresh.lookupFresh(hostname);
      return answer == null ? List.of() : answer;
    } catch (IOException | RuntimeException e) {
      return List.of();
    }
  }

  private static List<InetAddress> without(List<InetAddress> answer, List<InetAddress> dropped) {
    List<InetAddress> kept = new ArrayList<>(answer.size());
    for (InetAddress a : answer) {
      if (!dropped.contains(a)) {
        kept.add(a);
      }
    }
    return kept;
  }

  private static List<InetAddress> union(List<InetAddress> a, List<InetAddress> b) {
    List<InetAddress> out = new ArrayList<>(a);
    for (InetAddress x : b) {
      if (!out.contains(x)) {
        out.add(x);
      }
    }
    return List.copyOf(out);
  }

  @Override
  public String toString() {
    return "RefusalDns(" + delegate + ")";
  }

  /** The addresses of one host diagnosed stale, and the fresh answer that replaces them. */
  private static final class Stale {
    final List<InetAddress> addresses;
    final long until;
    private List<InetAddress> freshAnswer;
    private long freshUntil;

    Stale(List<InetAddress> addresses, long until) {
      this.addresses = addresses;
      this.until = until;
    }

    synchronized List<InetAddress> freshAnswer(long now) {
      return freshAnswer != null && now - freshUntil < 0 ? freshAnswer : null;
    }

    synchronized void remember(List<InetAddress> answer, long until) {
      this.freshAnswer = answer;
      this.freshUntil = until;
    }
  }
}
