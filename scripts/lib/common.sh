# Shared by scripts/quickstart.sh and scripts/test.sh: installing what kflow needs on
# Debian/Ubuntu, and configuring + building a build directory. Source it; do not run it.

# What building, testing and trying kflow takes, as Debian packages. kcat and python3-kafka are
# not needed to build: they are the usual tools for poking at the mock broker by hand.
KFLOW_DEBIAN_PACKAGES=(
    librdkafka-dev      # librdkafka >= 2.0.2, the C client kflow wraps
    libboost1.81-dev    # Boost >= 1.81 (Asio), headers only
    nlohmann-json3-dev  # nlohmann_json >= 3.11
    catch2              # Catch2 v2, for the tests
    kcat
    python3-kafka
    prometheus          # promtool, which checks the metrics exposition in the tests
    cmake
    g++
    pkg-config
)

kflow_log() { printf '==> %s\n' "$*"; }
kflow_fail() { printf 'error: %s\n' "$*" >&2; exit 1; }

kflow_print_requirements() {
    cat >&2 <<'TEXT'
kflow needs:
  - a C++20 compiler (GCC >= 12 or Clang >= 15) and CMake >= 3.20
  - librdkafka >= 2.0.2 with its headers (librdkafka-dev, librdkafka-devel, brew librdkafka)
  - Boost >= 1.81 headers (Asio)
  - nlohmann_json >= 3.11
  - Catch2 v2 (for the tests), pkg-config
  - optional: kcat, kafka-python
TEXT
}

# True when a Debian package is installed.
kflow_have_package() {
    [[ $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) == "install ok installed" ]]
}

# Installs the packages in KFLOW_DEBIAN_PACKAGES that are missing: one `apt-get update`, then one
# `apt-get install -y`, as root or through sudo. Does nothing (and needs no network) when all are
# installed. On a system without apt and dpkg it prints what to install and fails.
kflow_install_dependencies() {
    kflow_install_packages "${KFLOW_DEBIAN_PACKAGES[@]}"
}

# kflow_install_packages <package>...: installs those of the given Debian packages that are
# missing, as kflow_install_dependencies does for kflow's own list.
kflow_install_packages() {
    if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
        printf 'error: not a Debian/Ubuntu system (no apt-get/dpkg-query); install these yourself:\n' >&2
        kflow_print_requirements
        exit 1
    fi

    local missing=() package
    for package in "$@"; do
        kflow_have_package "$package" || missing+=("$package")
    done
    if ((${#missing[@]} == 0)); then
        kflow_log "dependencies: all $# Debian packages are installed"
        return 0
    fi

    local as_root=()
    if ((EUID != 0)); then
        command -v sudo >/dev/null 2>&1 ||
            kflow_fail "missing packages (${missing[*]}) and not root; run as root or install sudo"
        # With no terminal (CI), sudo must not wait for a password that never comes.
        [[ -t 0 ]] && as_root=(sudo) || as_root=(sudo -n)
    fi
    kflow_log "installing missing packages: ${missing[*]}"
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q ||
        kflow_fail "apt-get update failed"
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        "${missing[@]}" ||
        kflow_fail "apt-get install failed for: ${missing[*]} (this distribution may not ship them; see README.md, Requirements)"
}

# OpenTelemetry C++ for kflow::opentelemetry (KFLOW_WITH_OPENTELEMETRY, docs/tracing.md). Debian
# ships it in bookworm-backports only. Its CMake config (find_package(opentelemetry-cpp)) looks for
# Abseil, gRPC and Protobuf whichever of its parts a project uses, and the -dev package does not
# depend on them: hence the four others.
KFLOW_OPENTELEMETRY_PACKAGE=opentelemetry-cpp-dev
KFLOW_OPENTELEMETRY_CMAKE_PACKAGES=(libabsl-dev libgrpc++-dev libprotobuf-dev protobuf-compiler-grpc)

# True when an apt source for bookworm-backports is configured (any file, either format:
# apt-get indextargets --no-release-info lists every configured source, updated or not).
kflow_have_backports_source() {
    apt-get indextargets --no-release-info --format '$(TARGET_OF) $(RELEASE)' 2>/dev/null |
        grep -qx 'deb bookworm-backports'
}

# Installs OpenTelemetry C++ and what its CMake config needs, as kflow_install_packages does:
# only what is missing, nothing (and no network) when all are installed. On Debian bookworm it
# first adds the bookworm-backports source when no configured source has it
# (/etc/apt/sources.list.d/bookworm-backports.list, on the mirror the bookworm source uses), and
# takes opentelemetry-cpp-dev from there; elsewhere it asks apt for the packages as they are.
kflow_install_opentelemetry() {
    local packages=("$KFLOW_OPENTELEMETRY_PACKAGE" "${KFLOW_OPENTELEMETRY_CMAKE_PACKAGES[@]}")
    local codename=""
    [[ -r /etc/os-release ]] && codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
    if [[ $codename != bookworm ]]; then
        kflow_install_packages "${packages[@]}"
        return
    fi
    if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
        kflow_fail "not a Debian system (no apt-get/dpkg-query); install OpenTelemetry C++ yourself"
    fi

    local missing=() package
    for package in "${packages[@]}"; do
        kflow_have_package "$package" || missing+=("$package")
    done
    if ((${#missing[@]} == 0)); then
        kflow_log "OpenTelemetry: all ${#packages[@]} Debian packages are installed"
        return 0
    fi

    local as_root=()
    if ((EUID != 0)); then
        command -v sudo >/dev/null 2>&1 ||
            kflow_fail "missing packages (${missing[*]}) and not root; run as root or install sudo"
        [[ -t 0 ]] && as_root=(sudo) || as_root=(sudo -n)
    fi
    if ! kflow_have_backports_source; then
        # The mirror of the configured bookworm source, so that a local mirror stays in use.
        local mirror
        mirror=$(apt-get indextargets --no-release-info --format '$(TARGET_OF) $(RELEASE) $(REPO_URI)' \
            2>/dev/null | awk '$1 == "deb" && $2 == "bookworm" { print $3; exit }')
        [[ -n $mirror ]] ||
            kflow_fail "no apt source for bookworm is configured: cannot add bookworm-backports"
        kflow_log "adding the bookworm-backports apt source (${mirror%/})"
        printf 'deb %s bookworm-backports main\n' "${mirror%/}" |
            "${as_root[@]}" tee /etc/apt/sources.list.d/bookworm-backports.list >/dev/null ||
            kflow_fail "cannot write /etc/apt/sources.list.d/bookworm-backports.list"
    fi
    kflow_log "installing missing packages: ${missing[*]} (opentelemetry-cpp from bookworm-backports)"
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q ||
        kflow_fail "apt-get update failed"
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        -t bookworm-backports "${missing[@]}" ||
        kflow_fail "apt-get install -t bookworm-backports failed for: ${missing[*]}"
}

# kflow_build <build-dir> <build-type> [cmake -D options...] -- [cmake --build options...]
# Configures the repository into <build-dir> (once; later runs reuse the cache) and builds it.
kflow_build() {
    local dir=$1 type=$2
    shift 2
    local configure=() build=()
    while (($#)) && [[ $1 != -- ]]; do configure+=("$1"); shift; done
    if (($#)); then shift; fi
    build=("$@")

    kflow_log "configuring $dir: CMAKE_BUILD_TYPE=$type ${configure[*]}"
    cmake -S "$KFLOW_ROOT" -B "$dir" -DCMAKE_BUILD_TYPE="$type" "${configure[@]}"
    kflow_log "building $dir"
    cmake --build "$dir" -j "$(nproc 2>/dev/null || echo 2)" "${build[@]}"
}

KFLOW_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
