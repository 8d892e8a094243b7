package dev.refusal.internal.diagnosis;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * This host's interface addresses as {@link SystemView#localAddresses()} lists them, asked which
 * interface an address belongs to and which addresses of the other family that interface has.
 *
 * <p>A snapshot with no I/O of its own, so the listener verdict can be computed from it in tests.
 */
final class InterfaceAddresses {

  static final InetAddress LOOPBACK_V4 = literal(new byte[] {127, 0, 0, 1});
  static final InetAddress LOOPBACK_V6 =
      literal(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});

  private final Map<InetAddress, String> byAddress;

  /** @param byAddress each address mapped to its interface's name */
  InterfaceAddresses(Map<InetAddress, String> byAddress) {
    this.byAddress = byAddress;
  }

  /** The name of the interface that has {@code address}, or null when no interface has it. */
  String nameOf(InetAddress address) {
    return byAddress.get(address);
  }

  /** True when an interface of this host has {@code address}. */
  boolean contains(InetAddress address) {
    return byAddress.containsKey(address);
  }

  /**
   * The addresses of the other family than {@code dialled} on the interface named {@code nif},
   * link-local ones left out (a dial to them needs a scope); empty when {@code nif} is null.
   */
  List<InetAddress> otherFamilyOf(String nif, InetAddress dialled) {
    List<InetAddress> out = new ArrayList<>(2);
    if (nif == null) {
      return out;
    }
    for (Map.Entry<InetAddress, String> e : byAddress.entrySet()) {
      InetAddress a = e.getKey();
      boolean otherFamily = (a instanceof Inet4Address) != (dialled instanceof Inet4Address);
      if (nif.equals(e.getValue()) && otherFamily && !a.isLinkLocalAddress()) {
        out.add(a);
      }
    }
    return out;
  }

  private static InetAddress literal(byte[] bytes) {
    try {
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }
}
