package dev.refusal;

import dev.refusal.testing.FakeSystemView;
import dev.refusal.testing.FlappingServer;
import dev.refusal.testing.Loopback;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.slf4j.Logger;

/**
 * Run by {@link OldSlf4jTest} in a child JVM whose class path holds {@code slf4j-api} and {@code
 * slf4j-simple} 1.7.36 instead of 2.x. Prints two lines: the file name of the SLF4J API jar in
 * use, then the class name of what a guarded call at an IPv6-only service dialled over IPv4 threw
 * (a misconfiguration, so the guard logs a WARN, which slf4j-simple writes to stderr).
 */
public final class OldSlf4jChild {

  private OldSlf4jChild() {}

  public static void main(String[] args) throws Exception {
    System.out.println(Path.of(Logger.class.getProtectionDomain().getCodeSource().getLocation()
        .toURI()).getFileName());
    try (ServerSocket v6Only = Loopback.listen(Loopback.V6, 0, 50)) {
      int port = v6Only.getLocalPort();
      RefusalGuard guard = RefusalGuard.builder()
          .diagnoser(Diagnoser.builder().system(FakeSystemView.noContainer()).build())
          .failureThreshold(1_000).build();
      try (guard) {
        guard.call(Endpoint.of("127.0.0.1", port), () -> FlappingServer.fetch(Loopback.V4, port));
        System.out.println("no failure");
      } catch (Throwable t) {
        System.out.println(t.getClass().getName());
      }
    }
  }
}
