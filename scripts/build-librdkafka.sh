#!/usr/bin/env bash
# Builds a newer librdkafka than Debian's 2.0.2 from source, so that kflow's code for newer
# librdkafka APIs (incremental_alter_configs, the SCRAM credential calls) is compiled and tested
# too. Prints the install prefix on stdout; everything else goes to stderr.
#
#   prefix=$(./scripts/build-librdkafka.sh)
#   KFLOW_LIBRDKAFKA_PREFIX=$prefix ./scripts/test.sh
#   ./scripts/build-librdkafka.sh --dependencies   only install what building it needs
#                                                  (so that a build in the background never
#                                                  runs apt-get beside another one)
#
# The source is librdkafka's release tree as the node-rdkafka package on the npm registry bundles
# it (the registry is the one source of sources this project can reach besides Debian). The
# tarball is checked against the integrity hash pinned below before anything is unpacked. The
# result lands in build-deps/librdkafka-<version>/ and is reused by later runs.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

# node-rdkafka 3.6.1 bundles librdkafka 2.12.0 (package.json "librdkafka").
readonly npm_package=node-rdkafka
readonly package_version=3.6.1
readonly integrity=sha512-sfpTbrT35429cs0RE8Yb9avGX9BiRRvpV7aweQsghKTjtrVZP3jBrKOPItWXAqHb8doyh3SkuGuUVBLgig1SRg==
readonly librdkafka_version=2.12.0

deps=$KFLOW_ROOT/build-deps
prefix=$deps/librdkafka-$librdkafka_version
if [[ -f $prefix/lib/pkgconfig/rdkafka.pc && -f $prefix/include/librdkafka/rdkafka_mock.h ]]; then
    kflow_log "librdkafka $librdkafka_version: already built in $prefix" >&2
    printf '%s\n' "$prefix"
    exit 0
fi

install_build_dependencies() {
    # What building librdkafka needs beyond kflow's own packages: OpenSSL (SCRAM upserts hash
    # the password with it), Cyrus SASL (GSSAPI), zlib, zstd, lz4, make, python3 (to check the
    # tarball's hash) and npm. The features match Debian's librdkafka: the same tests apply.
    KFLOW_DEBIAN_PACKAGES=(libssl-dev libsasl2-dev zlib1g-dev libzstd-dev liblz4-dev make python3)
    command -v npm >/dev/null 2>&1 || KFLOW_DEBIAN_PACKAGES+=(npm)
    kflow_install_dependencies
}
if [[ ${1:-} == --dependencies ]]; then
    install_build_dependencies >&2
    exit 0
fi
{
    install_build_dependencies

    work=$deps/src
    rm -rf "$work"
    mkdir -p "$work"
    kflow_log "fetching $npm_package@$package_version from the npm registry"
    tarball=$(cd "$work" && npm pack --silent "$npm_package@$package_version" | tail -n 1)
    actual=sha512-$(python3 -c 'import base64, hashlib, sys
print(base64.b64encode(hashlib.sha512(open(sys.argv[1], "rb").read()).digest()).decode())' \
        "$work/$tarball")
    [[ $actual == "$integrity" ]] ||
        kflow_fail "$tarball: integrity $actual, expected $integrity"

    tar -xzf "$work/$tarball" -C "$work" package/deps/librdkafka
    source_dir=$work/package/deps/librdkafka
    found=$(sed -n 's/^#define RD_KAFKA_VERSION[[:space:]]*0x\([0-9a-f]*\).*/\1/p' \
        "$source_dir/src/rdkafka.h")
    [[ $found == 020c00ff ]] ||
        kflow_fail "$tarball bundles librdkafka 0x$found, expected $librdkafka_version"

    kflow_log "building librdkafka $librdkafka_version into $prefix"
    # Only the C library, without libcurl (OIDC token fetching by librdkafka itself), which
    # Debian's 2.0.2 lacks too.
    (cd "$source_dir" &&
        ./configure --prefix="$prefix" --disable-curl >"$work/configure.log" 2>&1 ||
        { tail -n 40 "$work/configure.log"; exit 1; })
    # configure drops a feature quietly when its package is missing; the tests expect these.
    for feature in WITH_SSL WITH_SASL_CYRUS WITH_SASL_SCRAM WITH_ZSTD WITH_ZLIB; do
        grep -q "^#define $feature 1" "$source_dir/config.h" ||
            kflow_fail "librdkafka configured without $feature (see $work/configure.log)"
    done
    make -C "$source_dir/src" -j "$(nproc 2>/dev/null || echo 2)" >"$work/make.log" 2>&1 ||
        { tail -n 40 "$work/make.log"; exit 1; }
    make -C "$source_dir/src" install >>"$work/make.log" 2>&1 ||
        { tail -n 40 "$work/make.log"; exit 1; }
    rm -rf "$work"
} >&2

printf '%s\n' "$prefix"
