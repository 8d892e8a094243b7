package dev.refusal.examples;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.refusal.Diagnosis;
import dev.refusal.Endpoint;
import dev.refusal.Evidence;
import dev.refusal.FailureKind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What {@code refusal doctor} found: the dials it made and, when none was accepted, the
 * diagnosis of the first; rendered as text or as one JSON object.
 *
 * <p>Every text here comes from an {@link Endpoint}, an IP address, a JDK socket exception or a
 * {@link Diagnosis}, none of which holds the URL user-info or query the user may have typed.
 */
final class DoctorReport {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String DIAL_PROBE = "dial";

  /** One connect of the doctor's own to one resolved address; {@code failure} null if accepted. */
  record Attempt(InetSocketAddress address, IOException failure, long nanos) {
    boolean accepted() {
      return failure == null;
    }

    /** The address as a literal in RFC 5952 form ({@code ::1}, not {@code 0:0:0:0:0:0:0:1}). */
    String ip() {
      return Endpoint.of(address.getAddress().getHostAddress(), address.getPort()).host();
    }

    String hostPort() {
      return Endpoint.of(address.getAddress().getHostAddress(), address.getPort()).toString();
    }

    String outcome() {
      return accepted() ? "accepted" : failure.getClass().getName()
          + (failure.getMessage() == null ? "" : ": " + failure.getMessage());
    }
  }

  private final Endpoint endpoint;
  private final List<Attempt> attempts;
  private final Diagnosis diagnosis;

  private DoctorReport(Endpoint endpoint, List<Attempt> attempts, Diagnosis diagnosis) {
    this.endpoint = endpoint;
    this.attempts = List.copyOf(attempts);
    this.diagnosis = diagnosis;
  }

  /** The last attempt was accepted. */
  static DoctorReport connected(Endpoint endpoint, List<Attempt> attempts) {
    return new DoctorReport(endpoint, attempts, null);
  }

  /** No attempt was accepted (or none was made: the name did not resolve). */
  static DoctorReport failed(Endpoint endpoint, List<Attempt> attempts, Diagnosis diagnosis) {
    return new DoctorReport(endpoint, attempts, diagnosis);
  }

  boolean connected() {
    return diagnosis == null;
  }

  private Attempt accepted() {
    return attempts.get(attempts.size() - 1);
  }

  /**
   * One JSON object. The diagnosis fields ({@code kind}, {@code cause}, {@code confidence},
   * {@code transient}, {@code remedy}) are null when connected, so every answer has the same keys.
   */
  String toJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("endpoint", endpoint.toString());
    root.put("connected", connected());
    if (connected()) {
      Attempt ok = accepted();
      root.put("address", ok.ip());
      root.putNull("kind");
      root.putNull("cause");
      root.putNull("confidence");
      root.putNull("transient");
      root.put("summary", connectedSummary(ok));
      root.putArray("evidence");
      root.putNull("remedy");
      root.put("elapsedMillis", millis(ok.nanos()));
    } else {
      if (attempts.isEmpty()) {
        root.putNull("address");
      } else {
        root.put("address", attempts.get(0).ip());
      }
      root.put("kind", diagnosis.kind().name());
      root.put("cause", diagnosis.cause().name());
      root.put("confidence", diagnosis.confidence().name());
      root.put("transient", diagnosis.isTransient());
      root.put("summary", diagnosis.summary());
      ArrayNode evidence = root.putArray("evidence");
      for (Evidence e : diagnosis.evidence()) {
        evidence.addObject().put("probe", e.probe()).put("observation", e.observation());
      }
      root.put("remedy", diagnosis.remedy());
      root.put("elapsedMillis", millis(diagnosis.elapsed().toNanos()));
    }
    ArrayNode dials = root.putArray("attempts");
    for (Attempt a : attempts) {
      ObjectNode dial = dials.addObject();
      dial.put("address", a.ip());
      dial.put("accepted", a.accepted());
      if (a.accepted()) {
        dial.putNull("kind");
        dial.putNull("error");
      } else {
        dial.put("kind", FailureKind.of(a.failure()).name());
        dial.put("error", a.outcome());
      }
      dial.put("elapsedMillis", millis(a.nanos()));
    }
    try {
      return JSON.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      // A tree of strings, numbers and booleans always serializes.
      throw new UncheckedIOException(e);
    }
  }

  /** The headline, then aligned {@code probe  observation} rows, the remedy and the time taken. */
  String toText() {
    List<String[]> rows = new ArrayList<>();
    for (Attempt a : attempts) {
      rows.add(new String[] {DIAL_PROBE,
          a.hostPort() + " -> " + a.outcome() + " after " + formatMillis(a.nanos())});
    }
    StringBuilder sb = new StringBuilder(512);
    if (connected()) {
      sb.append("Connected: ").append(connectedSummary(accepted())).append('\n');
      appendRows(sb, rows);
      return sb.toString().stripTrailing();
    }
    for (Evidence e : diagnosis.evidence()) {
      rows.add(new String[] {e.probe(), e.observation()});
    }
    sb.append(headlineWithoutRemedy()).append('\n');
    appendRows(sb, rows);
    sb.append("remedy:  ").append(diagnosis.remedy()).append('\n');
    sb.append("elapsed: diagnosed in ").append(formatMillis(diagnosis.elapsed().toNanos()));
    return sb.toString();
  }

  /** The headline ends with the remedy, which gets a line of its own here. */
  private String headlineWithoutRemedy() {
    String headline = diagnosis.headline();
    String remedy = " " + diagnosis.remedy();
    return headline.endsWith(remedy) && !diagnosis.remedy().isEmpty()
        ? headline.substring(0, headline.length() - remedy.length())
        : headline;
  }

  private String connectedSummary(Attempt ok) {
    return endpoint + " accepted a connection at " + ok.hostPort() + " in "
        + formatMillis(ok.nanos());
  }

  private static void appendRows(StringBuilder sb, List<String[]> rows) {
    int width = 0;
    for (String[] row : rows) {
      width = Math.max(width, row[0].length());
    }
    for (String[] row : rows) {
      sb.append("  ").append(row[0]).append(" ".repeat(width - row[0].length() + 2))
          .append(row[1]).append('\n');
    }
  }

  private static double millis(long nanos) {
    return Math.round(nanos / 1_000.0) / 1_000.0;
  }

  private static String formatMillis(long nanos) {
    return String.format(Locale.ROOT, "%.3f ms", nanos / 1e6);
  }
}
