package dev.refusal.lab;

import java.io.ByteArrayOutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A minimal DNS server for lab hosts: answers every A (or ANY) query with the IPv4 address
 * written in a control file, with TTL 0, and AAAA queries with no record. The test moves a
 * name's answer by rewriting the file. {@code LabDnsResponder BIND_ADDRESS CONTROL_FILE}.
 */
public final class LabDnsResponder {

  private LabDnsResponder() {}

  public static void main(String[] args) throws Exception {
    InetAddress bind = InetAddress.getByName(args[0]);
    Path control = Path.of(args[1]);
    try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(bind, 53))) {
      socket.setSoTimeout(600_000);
      System.out.println("READY dns");
      System.out.flush();
      byte[] buffer = new byte[512];
      while (true) {
        DatagramPacket query = new DatagramPacket(buffer, buffer.length);
        socket.receive(query);
        byte[] answer = answer(buffer, query.getLength(),
            InetAddress.getByName(Files.readString(control, StandardCharsets.US_ASCII).trim()));
        if (answer != null) {
          socket.send(new DatagramPacket(answer, answer.length, query.getSocketAddress()));
        }
      }
    }
  }

  static byte[] answer(byte[] q, int length, InetAddress address) {
    if (length < 12) {
      return null;
    }
    int i = 12;
    while (i < length && q[i] != 0) {
      i += (q[i] & 0xff) + 1;
    }
    int questionEnd = i + 5;
    if (questionEnd > length) {
      return null;
    }
    int qtype = ((q[i + 1] & 0xff) << 8) | (q[i + 2] & 0xff);
    boolean answerIt = qtype == 1 || qtype == 255;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(q[0]);
    out.write(q[1]);
    out.write(0x81);
    out.write(0x80);
    out.write(0);
    out.write(1);
    out.write(0);
    out.write(answerIt ? 1 : 0);
    out.write(0);
    out.write(0);
    out.write(0);
    out.write(0);
    out.write(q, 12, questionEnd - 12);
    if (answerIt) {
      byte[] a = address.getAddress();
      out.write(0xC0);
      out.write(12);
      out.write(0);
      out.write(1);
      out.write(0);
      out.write(1);
      out.write(0);
      out.write(0);
      out.write(0);
      out.write(0);
      out.write(0);
      out.write(4);
      out.write(a, 0, 4);
    }
    return out.toByteArray();
  }
}
