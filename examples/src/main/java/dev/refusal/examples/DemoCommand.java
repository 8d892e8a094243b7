package dev.refusal.examples;

import dev.refusal.Diagnoser;
import dev.refusal.Diagnosis;
import dev.refusal.Endpoint;
import dev.refusal.Evidence;
import dev.refusal.FailureKind;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code refusal demo}: makes a real refusal on this machine and shows, side by side, what the
 * JDK said, what {@link FailureKind#of} reads from it and what {@link Diagnoser} finds out.
 *
 * <p>The refusal is made by binding an ephemeral port on 127.0.0.1 and closing it, so nothing
 * listens there when it is dialled, and nothing beyond loopback is touched.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    versionProvider = RefusalCli.Version.class,
    description = {"Refuses a connection on 127.0.0.1 and shows how it is diagnosed."})
public final class DemoCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    InetAddress loopback = InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
    int port;
    try (ServerSocket server = new ServerSocket(0, 1, loopback)) {
      port = server.getLocalPort();
    }
    InetSocketAddress address = new InetSocketAddress(loopback, port);
    out.println("Bound " + loopback.getHostAddress() + ":" + port
        + " and closed it again; now dialling it with java.net.Socket.");
    IOException failure;
    try (Socket socket = new Socket()) {
      socket.connect(address, 1_000);
      // Another process took the ephemeral port between close and connect.
      out.println("Unexpectedly, something accepted on port " + port + "; run the demo again.");
      out.flush();
      return RefusalCli.EXIT_DIAGNOSED;
    } catch (IOException e) {
      failure = e;
    }
    FailureKind kind = FailureKind.of(failure);
    Diagnosis diagnosis = Diagnoser.defaults()
        .diagnose(Endpoint.of(loopback.getHostAddress(), port).withAddress(address), failure);

    out.println();
    out.println("The JDK said:     " + failure);
    out.println("FailureKind.of:   " + kind + (kind.isConnectPhase()
        ? " (connect phase: no request byte was sent, a retry is safe)"
        : " (not connect phase: a request may have been sent)"));
    out.println("Diagnoser said:   " + diagnosis.cause() + " (" + diagnosis.confidence()
        + " confidence, " + (diagnosis.isTransient() ? "transient" : "not transient") + ")");
    out.println("                  " + diagnosis.summary());
    for (Evidence e : diagnosis.evidence()) {
      out.println("  evidence        " + e);
    }
    out.println("  remedy          " + diagnosis.remedy());
    out.println();
    out.println("As a log line:    " + diagnosis.headline());
    out.flush();
    return RefusalCli.EXIT_CONNECTED;
  }
}
