#!/usr/bin/env bash
# Builds kflow's API reference with Doxygen (installed first if missing, Debian/Ubuntu) into
# build-docs/docs/api/html/index.html. Every Doxygen warning fails it: an undocumented public
# symbol or a broken reference (docs/api/Doxyfile.in). KFLOW_BUILD_DIR overrides the directory.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

dir=${KFLOW_BUILD_DIR:-$KFLOW_ROOT/build-docs}
kflow_install_dependencies
kflow_install_packages doxygen
kflow_log "configuring $dir (the library only)"
cmake -S "$KFLOW_ROOT" -B "$dir" -DKFLOW_BUILD_TESTS=OFF -DKFLOW_BUILD_EXAMPLES=OFF \
    -DKFLOW_BUILD_BENCHMARKS=OFF >/dev/null
if ! cmake --build "$dir" --target docs; then
    cat "$dir/docs/api/warnings.log" >&2 || true
    kflow_fail "the API reference has warnings (above); each is an error"
fi
kflow_log "API reference: $dir/docs/api/html/index.html"
