#!/usr/bin/env bash
# The busy-host diagnosis benchmark: each of its two methods alone in a fresh network namespace
# (a TIME_WAIT socket lives a minute, so a namespace per method keeps the idle trials idle).
# Needs root and iproute2; the exact-lookup trials need a JDK 22+ (JAVA_HOME, else Temurin 25).
# Usage: bash benchmarks/busy-host.sh OUTPUT_DIR [extra JMH options]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?output directory}
shift
jar=benchmarks/target/benchmarks.jar
java_bin=""
for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64; do
  if [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] \
      && [ "$("$candidate/bin/java" -XshowSettings:properties -version 2>&1 \
        | sed -n 's/^ *java.specification.version = //p')" -ge 22 ]; then
    java_bin="$candidate/bin/java"
    break
  fi
done
lookups=(-p lookup=exact,table)
if [ -z "$java_bin" ]; then
  java_bin=$(command -v java)
  lookups=(-p lookup=table)
  echo "busy-host benchmark: no JDK 22+, so the /proc path only"
fi
if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null 2>&1; then
  echo "busy-host benchmark skipped: needs root and iproute2 for its network namespaces"
  exit 0
fi
for method in noListenerOnLoopback coldDiagnosis; do
  ns=refusal-busyhost-$$-$method
  ip netns add "$ns"
  ip -n "$ns" link set lo up
  status=0
  ip netns exec "$ns" "$java_bin" -jar "$jar" "BusyHostDiagnosisBenchmark.$method" \
    -jvm "$java_bin" -prof gc "${lookups[@]}" -rf json -rff "$out/jmh-busyhost-$method.json" "$@" \
    > "$out/jmh-busyhost-$method.log" 2>&1 || status=$?
  ip netns del "$ns"
  if [ "$status" != 0 ]; then
    echo "busy-host benchmark $method failed (see $out/jmh-busyhost-$method.log)"
    exit "$status"
  fi
  grep -E 'host=|first diagnosis' "$out/jmh-busyhost-$method.log" || true
done
