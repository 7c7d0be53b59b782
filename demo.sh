#!/usr/bin/env bash
# Builds the agent, runs it on the bundled demo program with the metrics endpoint on, shows a live
# scrape while the demo runs, then prints the report it left.
set -euo pipefail
cd "$(dirname "$0")"
mvn -B -q -DskipTests package

log=$(mktemp)
java -javaagent:agent/target/lockwatch-agent.jar=report=demo-report.json,port=0 \
     -cp integration-tests/target/classes io.lockwatch.demo.BankTransfers 8 2> >(tee "$log" >&2) &
demo=$!

# The agent prints "[lockwatch] metrics at http://127.0.0.1:PORT/metrics" once the endpoint serves.
url=""
for _ in $(seq 1 100); do
  url=$(grep -o 'http://[^ ]*/metrics' "$log" || true)
  [ -n "$url" ] && break
  sleep 0.2
done
if [ -n "$url" ]; then
  sleep 2 # let the clerks contend a little
  echo
  echo "=== live metrics from $url (lockwatch_ lines with a value) ==="
  curl -s "$url" | grep '^lockwatch_' | grep -v ' 0.0$' || true
fi
wait "$demo"
rm -f "$log"
echo
echo "=== demo-report.json ==="
cat demo-report.json
