package dev.refusal.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * A TCP port nothing listens on, so a connect to it on any local address is refused.
 *
 * <p>An unconnected client socket is bound to port 0 of the wildcard address (both families where
 * IPv6 is enabled) and closed again: the kernel hands out only a port that is free on every local
 * address, so the same number is refused on 127.0.0.1, ::1 and this host's interface addresses.
 * The socket never listens, so the port is not even briefly open. Another process could take it
 * in the moments between; tests use it at once.
 */
public final class ClosedPort {

  private ClosedPort() {}

  /** Returns a port that was free on every local address when it was closed. */
  public static int find() {
    try (Socket socket = new Socket()) {
      socket.bind(new InetSocketAddress(0));
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("could not bind an ephemeral port", e);
    }
  }
}
