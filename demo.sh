#!/usr/bin/env bash
# Builds the agent and runs it on the bundled demo program, then prints the report.
set -euo pipefail
cd "$(dirname "$0")"
mvn -B -q -DskipTests package
java -javaagent:agent/target/lockwatch-agent.jar=report=demo-report.json \
     -cp integration-tests/target/classes io.lockwatch.demo.BankTransfers
echo
echo "=== demo-report.json ==="
cat demo-report.json
