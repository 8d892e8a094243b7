package dev.refusal;

import dev.refusal.testing.FakeSystemView;
import dev.refusal.testing.Loopback;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * A scenario run in a child JVM inside a lab host: it makes a listener, dials the address the
 * scenario names, diagnoses the real failure, and prints one JSON line with the result.
 *
 * <p>Arguments: {@code LISTEN_ADDRESS DIAL_ADDRESS [PORT]}; port 0 picks a free one.
 */
public final class LabScenario {

  private LabScenario() {}

  public static void main(String[] args) throws Exception {
    InetAddress listenOn = InetAddress.getByName(args[0]);
    InetAddress dial = InetAddress.getByName(args[1]);
    int port = args.length > 2 ? Integer.parseInt(args[2]) : 0;
    try (ServerSocket server = Loopback.listen(listenOn, port, 50)) {
      int bound = server.getLocalPort();
      IOException failure = Loopback.refusal(dial, bound);
      // The lab shares this machine's file system, container markers included; the scenario is
      // about bind addresses, so the markers are left out.
      LabClient.report(Diagnoser.builder().system(FakeSystemView.noContainer()).build(),
          Endpoint.of(dial.getHostAddress(), bound)
              .withAddress(new InetSocketAddress(dial, bound)), failure);
    }
  }
}
