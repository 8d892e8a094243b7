package dev.refusal.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback server that accepts a connection, reads what the client sends first, and then never
 * answers: the client's read times out after its request was sent, the failure that must never
 * pass for a connect timeout.
 *
 * <p>Connections stay open until {@link #close()}. One daemon thread serves connections one at a
 * time, waiting at most {@link #READ_TIMEOUT_MILLIS} for each client's first bytes.
 */
public final class SilentServer implements AutoCloseable {

  /** How long the server waits for a client's first bytes before moving on. */
  public static final int READ_TIMEOUT_MILLIS = 2_000;

  private final ServerSocket listener;
  private final List<Socket> held = new CopyOnWriteArrayList<>();
  private final AtomicInteger bytesReceived = new AtomicInteger();

  private SilentServer(ServerSocket listener) {
    this.listener = listener;
  }

  /** Starts the server on 127.0.0.1 and an ephemeral port. */
  public static SilentServer start() {
    try {
      ServerSocket listener = new ServerSocket();
      listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
      SilentServer server = new SilentServer(listener);
      Thread thread = new Thread(server::serve, "silent-server-" + listener.getLocalPort());
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

  /** Bytes read from clients, over all connections. */
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

  private void serve() {
    byte[] buffer = new byte[8_192];
    while (!listener.isClosed()) {
      try {
        Socket connection = listener.accept();
        held.add(connection);
        connection.setSoTimeout(READ_TIMEOUT_MILLIS);
        InputStream in = connection.getInputStream();
        int n = in.read(buffer);
        if (n > 0) {
          bytesReceived.addAndGet(n);
        }
      } catch (IOException e) {
        // A closed listener ends the loop; a client that sent nothing is simply held.
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
    for (Socket s : held) {
      try {
        s.close();
      } catch (IOException ignored) {
        // Same.
      }
    }
  }
}
