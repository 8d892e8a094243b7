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
 * {@code hold ADDRESS PORT} accepts and keeps every connection open. Prints {@code READY} once
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
