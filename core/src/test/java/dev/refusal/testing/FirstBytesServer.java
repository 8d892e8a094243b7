package dev.refusal.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback server that accepts connections one at a time on a daemon thread, reads what each
 * client sends first (waiting at most {@link #READ_TIMEOUT_MILLIS}), and then hands the
 * connection to its subclass: {@link ResettingServer} resets it, {@link SilentServer} holds it.
 * {@link #bytesReceived()} proves a request really arrived, so a failure is not connect-phase.
 */
abstract class FirstBytesServer implements AutoCloseable {

  /** How long the server waits for a client's first bytes before moving on. */
  public static final int READ_TIMEOUT_MILLIS = 2_000;

  private final ServerSocket listener;
  private final AtomicInteger bytesReceived = new AtomicInteger();
  private final AtomicInteger connections = new AtomicInteger();

  FirstBytesServer() {
    try {
      listener = new ServerSocket();
      listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    } catch (IOException e) {
      throw new UncheckedIOException("could not start a loopback server", e);
    }
  }

  /** Starts serving; called once the subclass is fully built, so the thread sees its fields. */
  void startServing(String name) {
    Thread thread = new Thread(this::serve, name + "-" + listener.getLocalPort());
    thread.setDaemon(true);
    thread.start();
  }

  /** Prepares a just-accepted connection, before its first bytes are read. */
  abstract void accepted(Socket connection) throws IOException;

  /** Takes the connection once its first bytes are read (or none came in time). */
  abstract void afterRead(Socket connection);

  /** Releases what {@link #afterRead} kept, once the listener is closed. */
  void closed() {}

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

  /** Connections accepted so far. */
  public int connections() {
    return connections.get();
  }

  private void serve() {
    byte[] buffer = new byte[8_192];
    while (!listener.isClosed()) {
      Socket connection;
      try {
        connection = listener.accept();
      } catch (IOException e) {
        continue;
      }
      connections.incrementAndGet();
      try {
        accepted(connection);
        connection.setSoTimeout(READ_TIMEOUT_MILLIS);
        int n = connection.getInputStream().read(buffer);
        if (n > 0) {
          bytesReceived.addAndGet(n);
        }
      } catch (IOException e) {
        // A client that misbehaved, or sent nothing in time: it is handed on all the same.
      }
      afterRead(connection);
    }
  }

  @Override
  public void close() {
    try {
      listener.close();
    } catch (IOException ignored) {
      // Closing a test listener cannot fail in a way that matters.
    }
    closed();
  }
}
