package dev.refusal.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback server that accepts a connection, reads what the client sends first, then resets
 * the connection ({@code SO_LINGER} 0 and close, which sends a TCP RST): the "reset after connect"
 * failure, where request bytes did reach the server.
 *
 * <p>{@link #bytesReceived()} tells a test that the request really arrived, so the failure is
 * proven not to be connect-phase. One daemon thread serves connections one at a time, each for at
 * most {@link #READ_TIMEOUT_MILLIS}; {@link #close()} stops it.
 */
public final class ResettingServer implements AutoCloseable {

  /** How long the server waits for a client's first bytes before resetting anyway. */
  public static final int READ_TIMEOUT_MILLIS = 2_000;

  private final ServerSocket listener;
  private final AtomicInteger bytesReceived = new AtomicInteger();
  private final AtomicInteger connections = new AtomicInteger();

  private ResettingServer(ServerSocket listener) {
    this.listener = listener;
  }

  /** Starts the server on 127.0.0.1 and an ephemeral port. */
  public static ResettingServer start() {
    try {
      ServerSocket listener = new ServerSocket();
      listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
      ResettingServer server = new ResettingServer(listener);
      Thread thread = new Thread(server::serve, "resetting-server-" + listener.getLocalPort());
      thread.setDaemon(true);
      thread.start();
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException("could not start a loopback server", e);
    }
  }

  /** The server's address. */
  public InetSocketAddress address() {
    return (InetSocketAddress) listener.getLocalSocketAddress();
  }

  /** Bytes read from clients, over all connections, before they were reset. */
  public int bytesReceived() {
    return bytesReceived.get();
  }

  /**
   * Bytes read from clients, waiting up to five seconds for the first: on a loaded machine the
   * server thread may read a request only after the client has given up on it.
   */
  public int awaitBytesReceived() {
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (bytesReceived.get() == 0 && System.nanoTime() < deadline) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return bytesReceived.get();
  }

  /** Connections accepted (and reset) so far. */
  public int connections() {
    return connections.get();
  }

  private void serve() {
    byte[] buffer = new byte[8_192];
    while (!listener.isClosed()) {
      try (Socket connection = listener.accept()) {
        connections.incrementAndGet();
        // Set first, so the close sends a reset whatever happens while reading.
        connection.setSoLinger(true, 0);
        connection.setSoTimeout(READ_TIMEOUT_MILLIS);
        InputStream in = connection.getInputStream();
        int n = in.read(buffer);
        if (n > 0) {
          bytesReceived.addAndGet(n);
        }
      } catch (IOException e) {
        // A closed listener ends the loop; a client that misbehaved just loses its connection.
      }
    }
  }

  @Override
  public void close() {
    try {
      listener.close();
    } catch (IOException ignored) {
      // Closing a test listener cannot fail in a way that matters.
    }
  }
}
