package dev.refusal.testing;

import java.io.IOException;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback server that accepts a connection, reads what the client sends first, and then never
 * answers: the client's read times out after its request was sent, the failure that must never
 * pass for a connect timeout. Connections stay open until {@link #close()}.
 */
public final class SilentServer extends FirstBytesServer {

  private final List<Socket> held = new CopyOnWriteArrayList<>();

  private SilentServer() {}

  /** Starts the server on 127.0.0.1 and an ephemeral port. */
  public static SilentServer start() {
    SilentServer server = new SilentServer();
    server.startServing("silent-server");
    return server;
  }

  @Override
  void accepted(Socket connection) {
    held.add(connection);
  }

  @Override
  void afterRead(Socket connection) {
    // Held, never answered.
  }

  @Override
  void closed() {
    for (Socket s : held) {
      try {
        s.close();
      } catch (IOException ignored) {
        // Closing a held test connection cannot fail in a way that matters.
      }
    }
  }
}
