#!/usr/bin/env bash
# Quick start: installs what kflow needs (Debian/Ubuntu packages, only those missing), builds the
# demo in Release into build/, and runs it: keyed JSON order events through an embedded mock Kafka
# cluster and back. Set KAFKA_BOOTSTRAP_SERVERS=host:port to run the demo against a real cluster,
# KFLOW_BUILD_DIR to build elsewhere.
#
#   ./scripts/quickstart.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

kflow_install_dependencies
dir=${KFLOW_BUILD_DIR:-$KFLOW_ROOT/build}
kflow_build "$dir" Release -- --target kflow-demo

kflow_log "running $dir/examples/demo/kflow-demo"
"$dir/examples/demo/kflow-demo"
kflow_log "done; the demo's source is examples/demo/, the test suite runs with ./scripts/test.sh"
