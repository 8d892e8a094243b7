package dev.refusal.examples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Assumptions;

/** Loopback listeners and ports for tests, which dial nothing but 127.0.0.1 and ::1. */
final class Loopback {

  static final InetAddress V4 = literal(new byte[] {127, 0, 0, 1});
  static final InetAddress V6 =
      literal(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});

  private Loopback() {}

  /** A listener on {@code address} and an ephemeral port; it never calls accept(). */
  static ServerSocket listenOn(InetAddress address) {
    try {
      return new ServerSocket(0, 50, address);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A port on 127.0.0.1 that was just bound and closed, so nothing listens on it. */
  static int closedPort() {
    try (ServerSocket s = listenOn(V4)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Skips the calling test unless this host can bind ::1 (IPv6 may be off in containers). */
  static void assumeIpv6Loopback() {
    try (ServerSocket s = new ServerSocket(0, 1, V6)) {
      Assumptions.assumeTrue(s.isBound(), "::1 cannot be bound");
    } catch (IOException e) {
      Assumptions.abort("::1 cannot be bound on this host (IPv6 is off?): " + e);
    }
  }

  private static InetAddress literal(byte[] address) {
    try {
      return InetAddress.getByAddress(address);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }
}
