package dev.refusal.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;

/** Real sockets on loopback for tests: closed ports, listeners, and the exceptions they give. */
public final class Loopback {
  public static final InetAddress V4 = literal("127.0.0.1");
  public static final InetAddress V6 = literal("::1");

  private Loopback() {}

  /** A port that was just bound on {@code address} and closed, so a connect to it is refused. */
  public static int closedPort(InetAddress address) {
    try (ServerSocket s = new ServerSocket(0, 1, address)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A listener on {@code address}, on an ephemeral port unless {@code port} is given. */
  public static ServerSocket listen(InetAddress address, int port, int backlog) {
    try {
      ServerSocket s = new ServerSocket();
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(address, port), backlog);
      return s;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** True when an IPv6 loopback listener can be bound here. */
  public static boolean ipv6Available() {
    try (ServerSocket s = new ServerSocket(0, 1, V6)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Dials and returns the exception the JDK threw; fails the test if the connect succeeds. */
  public static IOException refusal(InetAddress address, int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(address, port), 1_000);
    } catch (IOException e) {
      return e;
    }
    throw new AssertionError("expected " + address + ":" + port + " to refuse, but it accepted");
  }

  /** Like {@link #refusal} but requires a plain refusal. */
  public static ConnectException refused(InetAddress address, int port) {
    IOException e = refusal(address, port);
    if (e instanceof ConnectException) {
      return (ConnectException) e;
    }
    throw new AssertionError("expected a refusal, got " + e, e);
  }

  private static InetAddress literal(String text) {
    try {
      return InetAddress.getByName(text);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }
}
