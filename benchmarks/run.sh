#!/usr/bin/env bash
# One command for the whole performance picture: builds, runs every JMH benchmark in a short
# profile and the outage experiment, then writes benchmarks/results/latest.md.
# Under 15 minutes on 2 cores. Usage: bash benchmarks/run.sh [extra JMH options]
set -euo pipefail
cd "$(dirname "$0")/.."
out=benchmarks/results
mkdir -p "$out"
./mvnw -B -q -DskipTests package
jar=benchmarks/target/benchmarks.jar
# The in-process benchmarks settle within a second; the HTTP clients keep speeding up for tens
# of seconds, so they get longer warm-ups. Both runs' JSON is merged for the report.
java -jar "$jar" -f 1 -wi 3 -w 1 -i 5 -r 1 -prof gc -e 'HttpClientBenchmark|OkHttpBenchmark' \
  -rf json -rff "$out/jmh-core.json" "$@" | tee "$out/jmh.log" \
  | grep -E '^(Benchmark|[A-Za-z]+Benchmark\.)' || true
java -jar "$jar" 'HttpClientBenchmark|OkHttpBenchmark' -f 1 -wi 4 -w 5 -i 5 -r 2 -prof gc \
  -rf json -rff "$out/jmh-http.json" "$@" | tee -a "$out/jmh.log" \
  | grep -E '^(Benchmark|[A-Za-z]+Benchmark\.)' || true
# The busy-host diagnosis benchmark (20,000 TIME_WAIT sockets), each method in a namespace of its
# own: its JSON and log go beside the others.
bash benchmarks/busy-host.sh "$out" || echo "busy-host benchmark did not run"
# As root, the experiment runs alone in a network namespace, so the kernel's connect counter
# counts only its own connects.
# Logging at WARN, as in the JMH runs: slf4j-simple writes each INFO line (a circuit that opens,
# half-opens, closes) to the console synchronously, on the thread of the call that moved it.
outage=(java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$jar"
  dev.refusal.benchmarks.OutageExperiment "$out/outage.md")
ns=""
if [ "$(id -u)" = 0 ] && command -v ip >/dev/null 2>&1 && ip netns add refusal-outage-$$ 2>/dev/null; then
  ns=refusal-outage-$$
  ip -n "$ns" link set lo up
  trap 'ip netns del "$ns" 2>/dev/null || true' EXIT
  outage=(env REFUSAL_OUTAGE_NETNS=1 ip netns exec "$ns" "${outage[@]}")
fi
if "${outage[@]}" > "$out/outage.log" 2>&1; then
  echo "outage experiment: $out/outage.md"
else
  echo "outage experiment did not run (see $out/outage.log)"
fi
java -cp "$jar" dev.refusal.benchmarks.ReportWriter "$out/latest.md" "$out/outage.md" \
  "$out/jmh-core.json" "$out/jmh-http.json"
