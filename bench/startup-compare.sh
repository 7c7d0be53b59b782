#!/usr/bin/env bash
# Start-up of the hello world without an agent and with each agent jar given, interleaved, medians:
#
#   bench/startup-compare.sh [--runs N] [label=path/to/agent.jar[=agent options] ...]
#   bench/startup-compare.sh --runs 20 before=/tmp/old-agent.jar after=agent/target/lockwatch-agent.jar
#
# Without a jar it compares no agent with agent/target/lockwatch-agent.jar. Prints, per variant, the median
# wall time and process CPU time (user + system, all threads: the JIT's compilers included) in ms, and each
# minus the no-agent run. JAVA_HOME picks the JDK. Needs bench/ built (bench/run.sh builds it).
# For comparing two builds of the agent: bench/run.sh compares one agent with none.
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
RUNS=15
if [[ "${1:-}" == --runs ]]; then RUNS="$2"; shift 2; fi
VARIANTS=("$@")
[[ ${#VARIANTS[@]} -eq 0 ]] && VARIANTS=("agent=agent/target/lockwatch-agent.jar")
CLASSES=bench/target/classes
[[ -f "$CLASSES/io/lockwatch/bench/programs/HelloWorld.class" ]] || { echo "bench/ is not built: run bench/run.sh once (or mvn -Pbench -pl agent,bench -am -DskipTests package)" >&2; exit 2; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

names=(none)
declare -A ARGS=([none]="")
for v in "${VARIANTS[@]}"; do
  name="${v%%=*}"; rest="${v#*=}"
  jar="${rest%%=*}"; options=""; [[ "$rest" == *=* ]] && options="=${rest#*=}"
  [[ -f "$jar" ]] || { echo "no such agent jar: $jar" >&2; exit 2; }
  names+=("$name"); ARGS[$name]="-javaagent:$(realpath "$jar")$options"
done

TIMEFORMAT='%R %U %S'
for ((i = 0; i < RUNS; i++)); do
  for name in "${names[@]}"; do
    # The agent's report goes to the scratch folder, which is the working directory.
    { time (cd "$WORK" && "$JAVA" ${ARGS[$name]} -cp "$OLDPWD/$CLASSES" io.lockwatch.bench.programs.HelloWorld >/dev/null 2>&1); } 2>> "$WORK/$name.times"
  done
done

median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
printf "%-12s %10s %10s %12s %12s\n" variant wall_ms cpu_ms wall-none cpu-none
base_wall=""; base_cpu=""
for name in "${names[@]}"; do
  wall=$(awk '{print $1 * 1000}' "$WORK/$name.times" | median)
  cpu=$(awk '{print ($2 + $3) * 1000}' "$WORK/$name.times" | median)
  [[ -z "$base_wall" ]] && { base_wall=$wall; base_cpu=$cpu; }
  awk -v n="$name" -v w="$wall" -v c="$cpu" -v bw="$base_wall" -v bc="$base_cpu" \
    'BEGIN {printf "%-12s %10.0f %10.0f %+12.0f %+12.0f\n", n, w, c, w - bw, c - bc}'
done
echo "($RUNS interleaved runs per variant, medians; $("$JAVA" -version 2>&1 | head -1); load $(cut -d' ' -f1-3 /proc/loadavg))"
