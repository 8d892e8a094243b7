package dev.refusal.examples;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import picocli.CommandLine;

/** One in-process run of the {@code refusal} command line, with what it wrote. */
record CliRun(int exitCode, String out, String err) {

  private static final ObjectMapper JSON = new ObjectMapper();

  static CliRun of(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = RefusalCli.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exitCode = cli.execute(args);
    return new CliRun(exitCode, out.toString(), err.toString());
  }

  /** Standard output read as JSON; fails unless it is exactly one object. */
  JsonNode json() {
    try {
      JsonNode node = JSON.readTree(out);
      if (node == null || !node.isObject()) {
        throw new AssertionError("stdout is not one JSON object: " + out);
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("stdout is not JSON: " + out, e);
    }
  }

  String all() {
    return out + err;
  }
}
