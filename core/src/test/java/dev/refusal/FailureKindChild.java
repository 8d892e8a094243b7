package dev.refusal;

import dev.refusal.testing.ClosedPort;
import dev.refusal.testing.Dialer;
import dev.refusal.testing.ThrowableShape;
import java.io.FileInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Run by {@link FailureKindRealFailuresTest} in a child JVM, for failures the test cannot provoke
 * in its own process. Prints one line: {@code KIND<tab>shape} of the failure, or {@code
 * SETUP<tab>reason} when the failure could not be provoked; {@code ipv6-on-an-ipv4-stack} adds
 * {@code <tab>CAUSE<tab>CONFIDENCE<tab>summary} of the failure's diagnosis.
 *
 * <p>Usage: {@code FailureKindChild descriptors-exhausted|unknown-host|ipv6-on-an-ipv4-stack
 * DIALER}.
 */
public final class FailureKindChild {

  /** The unknown name dialled; {@code .invalid} never resolves (RFC 6761). */
  static final String UNKNOWN_HOST = "refusal-test.invalid";
  /** More opens than any descriptor limit a test sets; bounds the loop that exhausts them. */
  private static final int MAX_OPENS = 100_000;
  /** How long the control dial's socket may take to close; bounds the wait on a loaded host. */
  private static final long SOCKET_CLOSE_WAIT_MILLIS = 10_000;

  private FailureKindChild() {}

  public static void main(String[] args) throws IOException {
    Dialer dialer = Dialer.valueOf(args[1]);
    switch (args[0]) {
      case "descriptors-exhausted" -> descriptorsExhausted(dialer);
      case "unknown-host" -> unknownHost(dialer);
      case "ipv6-on-an-ipv4-stack" -> ipv6OnAnIpv4Stack(dialer);
      default -> throw new IllegalArgumentException("unknown scenario " + args[0]);
    }
  }

  /**
   * Dials a closed loopback port twice with one session: once as a control (refused), which also
   * loads every class the dial needs while files can still be opened, then, once its socket is
   * closed, again after opening files until the descriptor limit is reached.
   */
  private static void descriptorsExhausted(Dialer dialer) throws IOException {
    InetSocketAddress target =
        new InetSocketAddress(InetAddress.getLoopbackAddress(), ClosedPort.find());
    try (Dialer.Session session = dialer.open(Dialer.DEFAULT_CONNECT_TIMEOUT,
        Dialer.DEFAULT_EXCHANGE_TIMEOUT, null)) {
      Set<String> socketsBefore = sockets();
      Throwable control = session.failureDialling(target);
      if (FailureKind.of(control) != FailureKind.REFUSED) {
        System.out.println("SETUP\tcontrol dial was not refused: " + ThrowableShape.of(control));
        return;
      }
      if (!controlSocketClosed(socketsBefore)) {
        System.out.println("SETUP\tthe control dial's socket stayed open for "
            + SOCKET_CLOSE_WAIT_MILLIS + " ms");
        return;
      }
      List<FileInputStream> held = new ArrayList<>();
      Throwable failure;
      try {
        if (!exhaustDescriptors(held)) {
          System.out.println("SETUP\tno descriptor limit reached after " + MAX_OPENS + " opens");
          return;
        }
        failure = session.failureDialling(target);
      } finally {
        for (FileInputStream in : held) {
          in.close();
        }
      }
      report(failure);
    }
  }

  /**
   * Waits until this process holds no socket but those it held before the control dial. The JDK
   * client closes a failed dial's channel on its selector thread, after the failure is reported; a
   * descriptor freed after the table was filled would let the second dial open a socket and fail
   * some other way. Linux shows the sockets in {@code /proc/self/fd}; elsewhere there is nothing
   * to wait for.
   */
  private static boolean controlSocketClosed(Set<String> before) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SOCKET_CLOSE_WAIT_MILLIS);
    while (System.nanoTime() - deadline < 0) {
      if (before.containsAll(sockets())) {
        return true;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
    return false;
  }

  /** The sockets this process holds, as {@code /proc/self/fd} names them; none off Linux. */
  private static Set<String> sockets() throws IOException {
    Path fds = Path.of("/proc/self/fd");
    Set<String> sockets = new HashSet<>();
    if (!Files.isDirectory(fds)) {
      return sockets;
    }
    try (DirectoryStream<Path> links = Files.newDirectoryStream(fds)) {
      for (Path link : links) {
        try {
          String target = Files.readSymbolicLink(link).toString();
          if (target.startsWith("socket:")) {
            sockets.add(target);
          }
        } catch (IOException e) {
          // Closed while listed (the stream's own descriptor among them).
        }
      }
    }
    return sockets;
  }

  private static boolean exhaustDescriptors(List<FileInputStream> held) {
    for (int i = 0; i < MAX_OPENS; i++) {
      try {
        held.add(new FileInputStream("/dev/null"));
      } catch (IOException e) {
        return true;
      }
    }
    return false;
  }

  /** Resolves and dials an unknown name; the parent starts this JVM with a hosts-file resolver. */
  private static void unknownHost(Dialer dialer) {
    report(dialer.failureDialling(new InetSocketAddress(UNKNOWN_HOST, 80)));
  }

  /**
   * Dials {@code [::1]} on a port closed on IPv4 loopback; the parent starts this JVM with {@code
   * -Djava.net.preferIPv4Stack=true}, so the dial fails before a socket exists. Then diagnoses the
   * failure.
   */
  private static void ipv6OnAnIpv4Stack(Dialer dialer) throws IOException {
    InetSocketAddress target =
        new InetSocketAddress(InetAddress.getByName("::1"), ClosedPort.find());
    Throwable failure = dialer.failureDialling(target);
    Diagnosis d = Diagnoser.defaults()
        .diagnose(Endpoint.of("::1", target.getPort()).withAddress(target), failure);
    System.out.println(FailureKind.of(failure) + "\t" + ThrowableShape.of(failure) + "\t"
        + d.cause() + "\t" + d.confidence() + "\t" + d.summary());
  }

  private static void report(Throwable failure) {
    System.out.println(FailureKind.of(failure) + "\t" + ThrowableShape.of(failure));
  }
}
