package dev.refusal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * Run by {@link FamilyRemedyScenarioTest} in a child JVM whose hosts file it chose: dials {@code
 * HOST:PORT} as a plain client does (the first address the name resolves to), diagnoses the
 * failure and prints {@code CAUSE<tab>remedy}, or {@code CONNECTED} when the dial succeeded.
 *
 * <p>Usage: {@code FamilyRemedyChild HOST PORT}.
 */
public final class FamilyRemedyChild {

  private FamilyRemedyChild() {}

  public static void main(String[] args) {
    String host = args[0];
    int port = Integer.parseInt(args[1]);
    InetSocketAddress target = new InetSocketAddress(host, port);
    try (Socket socket = new Socket()) {
      socket.connect(target, 2_000);
      System.out.println("CONNECTED");
    } catch (IOException e) {
      Diagnosis d = Diagnoser.defaults()
          .diagnose(Endpoint.of(host, port).withAddress(target), e);
      System.out.println(d.cause() + "\t" + d.remedy());
    }
  }
}
