package dev.refusal.okhttp;

import dev.refusal.HostResolver;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.Dns;

/**
 * Name resolution for a test, for OkHttp (a {@link Dns}) and for the diagnoser (a {@link
 * HostResolver}) alike, so no name a test uses is ever sent to a DNS server. {@link #lookup} gives
 * the cached answer a client sees; {@link #lookupFresh} the answer a fresh query would give, which
 * a test can make differ to play a moved service.
 */
final class Names implements Dns, HostResolver {
  private final Map<String, List<InetAddress>> cached = new ConcurrentHashMap<>();
  private final Map<String, List<InetAddress>> fresh = new ConcurrentHashMap<>();
  private final AtomicInteger lookups = new AtomicInteger();
  private final AtomicInteger freshLookups = new AtomicInteger();

  /** {@code host} resolves to {@code addresses}, cached and fresh alike. */
  Names map(String host, InetAddress... addresses) {
    cached.put(host, List.of(addresses));
    fresh.put(host, List.of(addresses));
    return this;
  }

  /** A fresh query for {@code host} answers {@code addresses}; the cached answer stays. */
  Names moved(String host, InetAddress... addresses) {
    fresh.put(host, List.of(addresses));
    return this;
  }

  int lookups() {
    return lookups.get();
  }

  int freshLookups() {
    return freshLookups.get();
  }

  @Override
  public List<InetAddress> lookup(String host) throws UnknownHostException {
    lookups.incrementAndGet();
    return answer(cached, host);
  }

  @Override
  public List<InetAddress> lookupFresh(String host) throws UnknownHostException {
    freshLookups.incrementAndGet();
    return answer(fresh, host);
  }

  private static List<InetAddress> answer(Map<String, List<InetAddress>> table, String host)
      throws UnknownHostException {
    List<InetAddress> a = table.get(host);
    if (a == null) {
      throw new UnknownHostException(host + ": not in this test's names");
    }
    return a;
  }

  /** {@code literal} parsed (never looked up), carrying {@code host} as its name. */
  static InetAddress address(String host, String literal) {
    try {
      return InetAddress.getByAddress(host, InetAddress.getByName(literal).getAddress());
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(literal, e);
    }
  }
}
