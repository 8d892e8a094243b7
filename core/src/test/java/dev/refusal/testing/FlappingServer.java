package dev.refusal.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tiny real TCP service on one loopback port that answers each connection with one byte, and
 * that can be stopped and started again on the same port, as a restarting service is.
 */
public final class FlappingServer implements AutoCloseable {
  private final InetAddress address;
  private final int port;
  private final AtomicInteger accepted = new AtomicInteger();
  private volatile ServerSocket socket;
  private volatile Thread acceptor;

  private FlappingServer(InetAddress address, int port) {
    this.address = address;
    this.port = port;
  }

  /** A server on a free port of {@code address}, not yet started. */
  public static FlappingServer onFreePort(InetAddress address) {
    return new FlappingServer(address, Loopback.closedPort(address));
  }

  public int port() {
    return port;
  }

  /** Connections accepted so far. */
  public int accepted() {
    return accepted.get();
  }

  /** Starts listening; a no-op when already up. */
  public synchronized FlappingServer start() {
    if (socket != null) {
      return this;
    }
    try {
      ServerSocket s = new ServerSocket();
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(address, port), 200);
      socket = s;
    } catch (IOException e) {
      throw new IllegalStateException("could not listen on " + address + ":" + port, e);
    }
    ServerSocket s = socket;
    Thread t = new Thread(() -> {
      while (!s.isClosed()) {
        try (Socket c = s.accept()) {
          accepted.incrementAndGet();
          OutputStream out = c.getOutputStream();
          out.write('k');
          out.flush();
        } catch (IOException e) {
          // Closed by stop(), or a client that left early.
        }
      }
    }, "flapping-server-" + port);
    t.setDaemon(true);
    t.start();
    acceptor = t;
    return this;
  }

  /** Stops listening: connects are refused until {@link #start()}. */
  public synchronized void stop() {
    ServerSocket s = socket;
    socket = null;
    if (s != null) {
      try {
        s.close();
      } catch (IOException ignored) {
        // Already closed.
      }
      try {
        acceptor.join(2_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  public boolean running() {
    return socket != null;
  }

  /** Connects, reads the one-byte answer and closes: the call a guard wraps in tests. */
  public static int fetch(InetAddress address, int port) throws IOException {
    try (Socket c = new Socket()) {
      c.connect(new InetSocketAddress(address, port), 1_000);
      c.setSoTimeout(2_000);
      return c.getInputStream().read();
    }
  }

  @Override
  public void close() {
    stop();
  }
}
