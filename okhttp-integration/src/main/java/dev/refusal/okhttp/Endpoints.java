package dev.refusal.okhttp;

import dev.refusal.Endpoint;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@link Endpoint} of each {@code host:port} an interceptor has seen, so a call to a known one
 * costs a hash lookup and no allocation. Bounded: past {@link #MAX_HOSTS} hosts the table starts
 * over, and a host with more than {@link #MAX_PORTS} ports gets a fresh endpoint for the others.
 */
final class Endpoints {
  static final int MAX_HOSTS = 1_024;
  static final int MAX_PORTS = 8;

  private final ConcurrentHashMap<String, Endpoint[]> byHost = new ConcurrentHashMap<>();

  /**
   * The endpoint for OkHttp's canonical {@code host} ({@code HttpUrl.host()}: lower case, IPv6
   * without brackets) and {@code port}; null when the core rejects the host, which OkHttp's URL
   * parser lets through in rare forms.
   */
  Endpoint get(String host, int port) {
    Endpoint[] known = byHost.get(host);
    if (known != null) {
      for (Endpoint e : known) {
        if (e.port() == port) {
          return e;
        }
      }
    }
    Endpoint made;
    try {
      made = Endpoint.of(host, port);
    } catch (IllegalArgumentException e) {
      return null;
    }
    if (known == null && byHost.size() >= MAX_HOSTS) {
      byHost.clear();
    }
    byHost.compute(host, (h, old) -> {
      if (old == null) {
        return new Endpoint[] {made};
      }
      for (Endpoint e : old) {
        if (e.port() == port) {
          return old;
        }
      }
      if (old.length >= MAX_PORTS) {
        return old;
      }
      Endpoint[] grown = Arrays.copyOf(old, old.length + 1);
      grown[old.length] = made;
      return grown;
    });
    return made;
  }
}
