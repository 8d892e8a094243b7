package dev.refusal.testing;

import java.io.IOException;
import java.net.Socket;

/**
 * A loopback server that accepts a connection, reads what the client sends first, then resets
 * the connection ({@code SO_LINGER} 0 and close, which sends a TCP RST): the "reset after connect"
 * failure, where request bytes did reach the server.
 */
public final class ResettingServer extends FirstBytesServer {

  private ResettingServer() {}

  /** Starts the server on 127.0.0.1 and an ephemeral port. */
  public static ResettingServer start() {
    ResettingServer server = new ResettingServer();
    server.startServing("resetting-server");
    return server;
  }

  @Override
  void accepted(Socket connection) throws IOException {
    // Set first, so the close sends a reset whatever happens while reading.
    connection.setSoLinger(true, 0);
  }

  @Override
  void afterRead(Socket connection) {
    try {
      connection.close();
    } catch (IOException ignored) {
      // The reset is the point; a failing close changes nothing.
    }
  }
}
