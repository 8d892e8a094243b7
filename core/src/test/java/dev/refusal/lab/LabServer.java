package dev.refusal.lab;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * A service on a lab host. {@code listen ADDRESS PORT} answers each connection with one byte;
 * {@code http ADDRESS PORT} answers each with a minimal {@code HTTP/1.1 200} response; {@code
 * hold ADDRESS PORT} accepts and keeps every connection open. Prints {@code READY} once
 * listening and runs until killed (at most ten minutes, so it can never outlive a broken test).
 */
public final class LabServer {

  private LabServer() {}

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    InetAddress address = InetAddress.getByName(args[1]);
    int port = Integer.parseInt(args[2]);
    List<Socket> held = new ArrayList<>();
    try (ServerSocket server = new ServerSocket()) {
      server.setReuseAddress(true);
      server.bind(new InetSocketAddress(address, port), 1_000);
      server.setSoTimeout(600_000);
      System.out.println("READY port=" + server.getLocalPort());
      System.out.flush();
      while (true) {
        Socket s;
        try {
          s = server.accept();
        } catch (IOException e) {
          return;
        }
        if (mode.equals("hold")) {
          held.add(s);
        } else if (mode.equals("http")) {
          try (Socket c = s) {
            // Reads the request head, then answers and closes.
            java.io.InputStream in = c.getInputStream();
            int matched = 0;
            while (matched < 4) {
              int b = in.read();
              if (b < 0) {
                break;
              }
              matched = b == (matched % 2 == 0 ? '\r' : '\n') ? matched + 1 : b == '\r' ? 1 : 0;
            }
            c.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
                + "Connection: close\r\n\r\nok").getBytes(
                    java.nio.charset.StandardCharsets.US_ASCII));
          } catch (IOException ignored) {
            // A probe that closed at once.
          }
        } else {
          try (Socket c = s) {
            c.getOutputStream().write('k');
          } catch (IOException ignored) {
            // A probe that closed at once.
          }
        }
      }
    }
  }
}
