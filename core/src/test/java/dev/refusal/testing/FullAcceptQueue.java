package dev.refusal.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;

/**
 * A loopback listener whose accept queue is full, so a connect to it times out: the real way a
 * connect timeout happens on Linux, which drops a SYN that finds the queue full instead of
 * refusing it.
 *
 * <p>The listener has a backlog of 1 and never accepts. {@link #open()} connects to it until one
 * connect times out (a few connects, each waiting at most {@link #FILL_TIMEOUT_MILLIS}), and keeps
 * those connections open until {@link #close()}.
 */
public final class FullAcceptQueue implements AutoCloseable {

  /** How long a filling connect waits before the queue counts as full. */
  public static final int FILL_TIMEOUT_MILLIS = 200;
  private static final int MAX_FILLERS = 32;

  private final ServerSocket listener;
  private final List<Socket> fillers;
  private final boolean full;

  private FullAcceptQueue(ServerSocket listener, List<Socket> fillers, boolean full) {
    this.listener = listener;
    this.fillers = fillers;
    this.full = full;
  }

  /** Opens the listener on 127.0.0.1 and fills its queue; check {@link #isFull()}. */
  public static FullAcceptQueue open() {
    ServerSocket listener = null;
    List<Socket> fillers = new ArrayList<>();
    try {
      listener = new ServerSocket();
      listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
      boolean full = false;
      while (!full && fillers.size() < MAX_FILLERS) {
        Socket filler = new Socket();
        try {
          filler.connect(listener.getLocalSocketAddress(), FILL_TIMEOUT_MILLIS);
          fillers.add(filler);
        } catch (SocketTimeoutException e) {
          filler.close();
          full = true;
        }
      }
      return new FullAcceptQueue(listener, fillers, full);
    } catch (IOException e) {
      closeAll(listener, fillers);
      throw new UncheckedIOException("could not fill a loopback accept queue", e);
    }
  }

  /**
   * True when a connect timed out while filling, so the next one will too; false on a system that
   * kept accepting connections into the queue (it then never times out a connect this way).
   */
  public boolean isFull() {
    return full;
  }

  /** How many connections sit in the queue. */
  public int queued() {
    return fillers.size();
  }

  /** The listener's address; connects to it time out while this is open. */
  public InetSocketAddress address() {
    return (InetSocketAddress) listener.getLocalSocketAddress();
  }

  @Override
  public void close() {
    closeAll(listener, fillers);
  }

  private static void closeAll(ServerSocket listener, List<Socket> fillers) {
    for (Socket s : fillers) {
      closeQuietly(s);
    }
    closeQuietly(listener);
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c != null) {
      try {
        c.close();
      } catch (Exception ignored) {
        // Closing a test socket cannot fail in a way that matters.
      }
    }
  }
}
