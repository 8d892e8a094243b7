package dev.refusal.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * This host's own addresses, for tests that must reach a non-loopback address without sending a
 * packet off the host: a connect to an address assigned to one of this host's interfaces is
 * delivered locally by the kernel.
 *
 * <p>Only addresses from up interfaces count; link-local IPv6 addresses are left out because they
 * need a scope to be dialled.
 */
public final class LocalInterfaces {

  /**
   * Documentation addresses (RFC 5737) tried, in order, by {@link #unassignedAddress()}. A host
   * may own one of them (a lab network often uses TEST-NET-1), so each is checked.
   */
  private static final List<String> DOCUMENTATION_ADDRESSES =
      List.of("198.51.100.7", "203.0.113.7", "192.0.2.213");

  private LocalInterfaces() {}

  /** A non-loopback IPv4 address of this host, or empty where it has none. */
  public static Optional<InetAddress> nonLoopbackIpv4() {
    return nonLoopback(Inet4Address.class);
  }

  /** A non-loopback, non-link-local IPv6 address of this host, or empty where it has none. */
  public static Optional<InetAddress> nonLoopbackIpv6() {
    return nonLoopback(Inet6Address.class);
  }

  /** Whether {@code address} is assigned to one of this host's up interfaces. */
  public static boolean isAssigned(InetAddress address) {
    for (NetworkInterface nif : upInterfaces()) {
      for (InetAddress a : Collections.list(nif.getInetAddresses())) {
        if (sameAddress(a, address)) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Whether a socket can listen on {@code address}; false for an IPv6 loopback on a host with
   * IPv6 disabled.
   */
  public static boolean canBind(InetAddress address) {
    try (ServerSocket probe = new ServerSocket()) {
      probe.bind(new InetSocketAddress(address, 0));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * An IPv4 documentation address assigned to no interface of this host. Binding a client socket
   * to it fails locally with {@code EADDRNOTAVAIL} and sends nothing (unless the host allows
   * non-local binds, which {@link #canBind(InetAddress)} reveals).
   */
  public static InetAddress unassignedAddress() {
    for (String literal : DOCUMENTATION_ADDRESSES) {
      InetAddress candidate = literal(literal);
      if (!isAssigned(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException("this host owns every address in " + DOCUMENTATION_ADDRESSES);
  }

  private static Optional<InetAddress> nonLoopback(Class<? extends InetAddress> family) {
    for (NetworkInterface nif : upInterfaces()) {
      for (InetAddress a : Collections.list(nif.getInetAddresses())) {
        if (family.isInstance(a) && !a.isLoopbackAddress() && !a.isLinkLocalAddress()
            && !a.isAnyLocalAddress()) {
          return Optional.of(a);
        }
      }
    }
    return Optional.empty();
  }

  private static List<NetworkInterface> upInterfaces() {
    try {
      return NetworkInterface.networkInterfaces().filter(LocalInterfaces::isUp).toList();
    } catch (SocketException e) {
      throw new UncheckedIOException("could not list network interfaces", e);
    }
  }

  private static boolean isUp(NetworkInterface nif) {
    try {
      return nif.isUp();
    } catch (SocketException e) {
      return false;
    }
  }

  /** Compares addresses ignoring an IPv6 scope, which {@code equals} takes into account. */
  private static boolean sameAddress(InetAddress a, InetAddress b) {
    return Arrays.equals(a.getAddress(), b.getAddress());
  }

  private static InetAddress literal(String literal) {
    try {
      // A literal is parsed, never looked up.
      return InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(literal, e);
    }
  }
}
