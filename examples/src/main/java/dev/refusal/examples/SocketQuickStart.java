package dev.refusal.examples;

import dev.refusal.Endpoint;
import dev.refusal.RefusalGuard;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * The smallest use of {@link RefusalGuard}: a raw socket exchange (or a JDBC-style connect)
 * wrapped in {@code guard.call}. Connect failures are diagnosed, retried when waiting can help,
 * and reported as a {@code DiagnosedConnectException}, which is a {@code ConnectException}.
 */
public final class SocketQuickStart {

  private final RefusalGuard guard;

  public SocketQuickStart(RefusalGuard guard) {
    this.guard = guard;
  }

  /** Connects to {@code host:port}, reads the first byte the service sends, and closes. */
  public int firstByte(String host, int port) throws Exception {
    return guard.call(Endpoint.of(host, port), () -> {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(host, port), 1_000);
        socket.setSoTimeout(2_000);
        InputStream in = socket.getInputStream();
        int b = in.read();
        if (b < 0) {
          throw new IOException("closed before sending anything");
        }
        return b;
      }
    });
  }
}
