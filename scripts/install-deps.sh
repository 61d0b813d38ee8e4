#!/bin/sh
# scripts/install-deps.sh -- install the Debian packages scribe builds and
# tests with, when pkg-config (or a tool check) says they are missing.
# Called by the Makefile; safe to run again. Says what it installs.
set -e

need=""
have_pc() { pkg-config --exists "$1" 2>/dev/null; }

have_pc sqlite3     || need="$need libsqlite3-dev"
have_pc libcjson    || need="$need libcjson-dev"
have_pc libuv       || need="$need libuv1-dev"
have_pc libcurl     || need="$need libcurl4-openssl-dev"
have_pc cmocka      || need="$need libcmocka-dev"
have_pc inih        || need="$need libinih-dev"
have_pc libutf8proc || need="$need libutf8proc-dev"
have_pc libcrypto && have_pc libssl || need="$need libssl-dev"
command -v pkg-config >/dev/null 2>&1 || need="$need pkg-config"
command -v python3 >/dev/null 2>&1    || need="$need python3"
command -v sqlite3 >/dev/null 2>&1    || need="$need sqlite3"
command -v valgrind >/dev/null 2>&1   || need="$need valgrind"
if [ "${SCRIBE_DEPS_FULL:-0}" = 1 ]; then
    command -v clang >/dev/null 2>&1    || need="$need clang"
fi
# `sh scripts/install-deps.sh fuzz` (make fuzz): clang and the libFuzzer and
# sanitizer runtimes, checked by linking an empty fuzz target.
if [ "${1:-}" = fuzz ]; then
    fuzz_cc=${FUZZ_CC:-clang}
    if ! command -v "$fuzz_cc" >/dev/null 2>&1; then
        need="$need clang libclang-rt-14-dev"
    elif ! printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }\n' |
            "$fuzz_cc" -x c -fsanitize=fuzzer,address,undefined -o /dev/null - >/dev/null 2>&1; then
        need="$need libclang-rt-14-dev"
    fi
fi

[ -z "$need" ] && exit 0

echo "scribe: installing Debian packages:$need" >&2
SUDO=""
if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "scribe: need root or sudo to install:$need" >&2
        exit 1
    fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >&2
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $need >&2
