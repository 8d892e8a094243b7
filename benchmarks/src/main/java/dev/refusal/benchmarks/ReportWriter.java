package dev.refusal.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns JMH's JSON results (and the outage experiment's Markdown, when present) into one Markdown
 * report: every figure with its allocation, then each target with the figure it is judged on and
 * whether it is met.
 *
 * <p>{@code java -cp benchmarks/target/benchmarks.jar dev.refusal.benchmarks.ReportWriter
 * OUTPUT_MD OUTAGE_MD RESULTS_JSON...} (a missing outage file or JSON file is skipped).
 */
public final class ReportWriter {

  private ReportWriter() {}

  /** One JMH result: benchmark method, params, score, unit, B/op and percentiles. */
  static final class Row {
    final String benchmark;
    final String params;
    final String mode;
    final double score;
    final double error;
    final String unit;
    final double bytesPerOp;
    final JsonNode percentiles;
    /** DiagnosisBenchmark's probe runs per second; NaN elsewhere. */
    final double probeRuns;
    /** JMH's secondary metrics: a group's per-method scores, the profilers' figures. */
    final JsonNode secondary;

    Row(JsonNode n) {
      String full = n.get("benchmark").asText();
      this.benchmark = full.substring(full.lastIndexOf('.', full.lastIndexOf('.') - 1) + 1);
      StringBuilder p = new StringBuilder();
      JsonNode params = n.get("params");
      if (params != null) {
        for (Map.Entry<String, JsonNode> e : params.properties()) {
          p.append(p.length() == 0 ? "" : ", ").append(e.getKey()).append('=')
              .append(e.getValue().asText());
        }
      }
      this.params = p.toString();
      this.mode = n.get("mode").asText();
      JsonNode primary = n.get("primaryMetric");
      this.score = primary.get("score").asDouble();
      this.error = primary.path("scoreError").asDouble(Double.NaN);
      this.unit = primary.get("scoreUnit").asText();
      this.percentiles = primary.get("scorePercentiles");
      JsonNode secondary = n.path("secondaryMetrics");
      this.secondary = secondary;
      JsonNode norm = secondary.has("gc.alloc.rate.norm") ? secondary.get("gc.alloc.rate.norm")
          : secondary.get("·gc.alloc.rate.norm");
      this.bytesPerOp = norm == null ? Double.NaN : norm.get("score").asDouble();
      this.probeRuns = secondary.has("probeRuns")
          ? secondary.get("probeRuns").get("score").asDouble() : Double.NaN;
    }

    boolean is(String name) {
      return benchmark.equals(name);
    }

    double percentile(String p) {
      return percentiles == null || !percentiles.has(p) ? Double.NaN
          : percentiles.get(p).asDouble();
    }
  }

  public static void main(String[] args) throws IOException {
    Path out = Path.of(args[0]);
    Path outageFile = Path.of(args[1]);
    List<Row> rows = new ArrayList<>();
    for (int i = 2; i < args.length; i++) {
      Path json = Path.of(args[i]);
      if (Files.exists(json) && Files.size(json) > 0) {
        for (JsonNode n : new ObjectMapper().readTree(json.toFile())) {
          rows.add(new Row(n));
        }
      }
    }
    String outage = Files.exists(outageFile)
        ? Files.readString(outageFile, StandardCharsets.UTF_8) : null;
    Files.writeString(out, render(rows, outage), StandardCharsets.UTF_8);
    System.out.println("wrote " + out);
  }

  static String render(List<Row> rows, String outage) {
    StringBuilder md = new StringBuilder();
    md.append("# Benchmark report\n\n");
    md.append(String.format(Locale.ROOT, "%s; %s %s (%s); %d cores; %s %s; JMH short profile"
            + " (1 fork, 3×1 s warm-up, 5×1 s measurement), `-prof gc`.%n%n",
        LocalDate.now(), System.getProperty("java.vm.name"), System.getProperty("java.version"),
        System.getProperty("java.vendor"), Runtime.getRuntime().availableProcessors(),
        System.getProperty("os.name"), System.getProperty("os.version")));
    md.append("## Targets\n\n| target | measured | met? |\n|---|---|---|\n");
    for (String[] t : targets(rows)) {
      md.append("| ").append(t[0]).append(" | ").append(t[1]).append(" | ").append(t[2])
          .append(" |\n");
    }
    md.append("\n## Every figure\n\n| benchmark | params | mode | score | unit | B/op |\n"
        + "|---|---|---|---|---|---|\n");
    for (Row r : rows) {
      md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s ± %s | %s | %s |%n",
          r.benchmark, r.params, r.mode, num(r.score), num(r.error), r.unit,
          num(r.bytesPerOp)));
    }
    if (outage != null) {
      md.append("\n").append(outage.trim()).append("\n");
    }
    return md.toString();
  }

  private static List<String[]> targets(List<Row> rows) {
    List<String[]> t = new ArrayList<>();
    for (Row r : rows) {
      if (r.is("FailureKindBenchmark.classify")) {
        t.add(check("classification (" + r.params + ") under 50 ns, 0 B/op",
            num(r.score) + " ns, " + num(r.bytesPerOp) + " B", r.score < 50 && r.bytesPerOp < 1));
      }
    }
    Row lookup = find(rows, "GuardBenchmark.registryLookup");
    if (lookup != null) {
      t.add(check("registry lookup under 30 ns, 0 B/op",
          num(lookup.score) + " ns, " + num(lookup.bytesPerOp) + " B",
          lookup.score < 30 && lookup.bytesPerOp < 1));
    }
    Row guard = find(rows, "GuardBenchmark.guardSuccess");
    Row bare = find(rows, "GuardBenchmark.resilience4jDecorated");
    if (guard != null && bare != null) {
      t.add(check("guard success path within 1.2x of bare resilience4j (and under 100 ns, 0 B)",
          num(guard.score) + " ns, " + num(guard.bytesPerOp) + " B vs " + num(bare.score)
              + " ns, " + num(bare.bytesPerOp) + " B = " + num(guard.score / bare.score) + "x",
          guard.score <= 1.2 * bare.score && guard.score < 100 && guard.bytesPerOp < 1));
    }
    Row rejection = find(rows, "GuardBenchmark.openCircuitRejection");
    Row refused = find(rows, "GuardBenchmark.refusedConnect");
    if (rejection != null && refused != null) {
      double ratio = refused.score / rejection.score;
      t.add(check("open-circuit rejection at least 100x faster than a refused connect",
          num(rejection.score) + " ns vs " + num(refused.score) + " ns = " + num(ratio) + "x",
          ratio >= 100));
    }
    Row cached = find(rows, "DiagnosisBenchmark.cached");
    if (cached != null) {
      t.add(check("cached diagnosis under 1 µs", num(cached.score) + " ns, "
          + num(cached.bytesPerOp) + " B", cached.score < 1_000));
    }
    Row probes = find(rows, "DiagnosisBenchmark.probesProveFamilyMismatch");
    if (probes != null) {
      double p50 = probes.percentile("50.0");
      t.add(check("diagnosis proved by connect probes: median under 2 ms",
          "p50 " + num(p50) + " µs, p99 " + num(probes.percentile("99.0")) + " µs",
          p50 < 2_000));
    }
    Row table = find(rows, "DiagnosisBenchmark.noListenerReadsTable");
    if (table != null) {
      double p50 = table.percentile("50.0");
      t.add(check("diagnosis that reads the listener table: median under 15 ms",
          "p50 " + num(p50) + " µs, p99 " + num(table.percentile("99.0")) + " µs",
          p50 < 15_000));
    }
    Row shared = find(rows, "DiagnosisBenchmark.deadEndpointFrom32Threads");
    if (shared != null) {
      t.add(new String[] {"32 threads failing on one dead endpoint (no target: calls/s, and how"
          + " many diagnoses probed)", num(shared.score) + " calls/s, " + num(shared.probeRuns)
          + " probe runs/s", "–"});
    }
    httpRatio(rows, t, "OkHttpBenchmark");
    httpRatio(rows, t, "JdkHttpClientBenchmark");
    return t;
  }

  /**
   * The library's throughput over the plain client's, from the {@code sideBySide} group (both at
   * once in one JVM) when the class has one; else from the separate {@code plain*} and {@code
   * installed*}/{@code wrapped*} runs.
   */
  private static void httpRatio(List<Row> rows, List<String[]> t, String benchmarkClass) {
    Row group = find(rows, benchmarkClass + ".sideBySide");
    if (group != null) {
      JsonNode plain = group.secondary.get("plain");
      JsonNode with = group.secondary.has("installed") ? group.secondary.get("installed")
          : group.secondary.get("wrapped");
      if (plain != null && with != null) {
        double p = plain.get("score").asDouble();
        double w = with.get("score").asDouble();
        t.add(check(benchmarkClass + ": throughput with the library at least 0.97 of without"
            + " (both at once, one JVM)", num(w) + " vs " + num(p) + " "
            + plain.get("scoreUnit").asText() + " = " + num(w / p), w / p >= 0.97));
        return;
      }
    }
    Row plain = null;
    Row with = null;
    for (Row r : rows) {
      if (!r.benchmark.startsWith(benchmarkClass + ".") || !r.mode.equals("thrpt")) {
        continue;
      }
      String method = r.benchmark.substring(benchmarkClass.length() + 1);
      if (method.startsWith("plain")) {
        plain = r;
      } else if (method.startsWith("installed") || method.startsWith("wrapped")) {
        with = r;
      }
    }
    if (plain != null && with != null) {
      double ratio = with.score / plain.score;
      t.add(check(benchmarkClass + ": throughput with the library at least 0.97 of without",
          num(with.score) + " vs " + num(plain.score) + " " + plain.unit + " = "
              + num(ratio), ratio >= 0.97));
    }
  }

  private static Row find(List<Row> rows, String name) {
    for (Row r : rows) {
      if (r.is(name)) {
        return r;
      }
    }
    return null;
  }

  private static String[] check(String target, String measured, boolean met) {
    return new String[] {target, measured, met ? "yes" : "**no**"};
  }

  private static String num(double v) {
    if (Double.isNaN(v)) {
      return "–";
    }
    if (Math.abs(v) >= 100) {
      return String.format(Locale.ROOT, "%,.0f", v);
    }
    return String.format(Locale.ROOT, "%.2f", v);
  }
}
