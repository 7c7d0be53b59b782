#!/usr/bin/env bash
# Builds the agent and the benchmarks, then measures lockwatch's overhead.
#
#   bench/run.sh                      whole-process overhead table (5 interleaved runs per side)
#   bench/run.sh --runs 3 --cases nested,startup   fewer runs / some cases (nested,calls,local,h2,h2-pretouch,h2-jars,h2-steady,fresh,fresh-out,files,vjoins,vparked,contended,startup,memory)
#   bench/run.sh --cases h2 --jvm-options "-Xms1g -Xmx1g"   the programs' JVM started so on both sides (the table says so)
#   bench/run.sh --cases h2 --compare-with "-XX:StartFlightRecording"   another tool (here a JFR recording) on the
#                                     "with" side instead of lockwatch, against the same baseline (the table says so)
#   bench/run.sh --side-by-side       single-threaded cases (nested, calls) with both sides at once, one CPU each
#   bench/run.sh --quick              small sizes, a smoke test of the runner (not comparable to the targets)
#   bench/run.sh jmh [JMH args]       JMH micro-benchmarks of the runtime hot paths, e.g. `jmh Tracker -f 1`
#
# JAVA_HOME picks the JDK the programs run on (default: the java on PATH).
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
if [[ "${SKIP_BUILD:-}" != 1 ]]; then
  # One reactor: the benchmarks compile against this checkout's runtime, not whatever ~/.m2 holds.
  mvn -B -q -Pbench -pl agent,bench -am -DskipTests package
fi
CP="bench/target/classes:bench/target/lib/*"
if [[ "${1:-}" == jmh ]]; then
  shift
  exec "$JAVA" -cp "$CP" org.openjdk.jmh.Main "$@"
fi
exec "$JAVA" -cp "$CP" io.lockwatch.bench.OverheadRunner --java "$JAVA" "$@"
