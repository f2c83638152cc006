#!/bin/bash
# SPDX-License-Identifier: MIT
#
# deps.sh - install what kbox needs to build and test, from Debian's apt only.
#
# Usage: deps.sh [bench]   (bench: also what `make bench` compares with)
#
# Idempotent: when everything is present it prints nothing and returns in
# well under a second (one dpkg-query call). Otherwise it runs
# `apt-get update` and `apt-get install` for the missing packages only, as
# root or through sudo; when it cannot, it prints the exact command to run
# and exits non-zero.
#
# Later issues add their packages to PACKAGES below.
set -euo pipefail

PACKAGES=(
    # kernel library (lx): Debian's kernel source and its build tools
    linux-source-6.12 gcc make flex bison bc libelf-dev python3 xz-utils rsync
    # supervisor and tests
    libc6-dev binutils clang-format valgrind xxd
    # rootfs images (scripts/mkrootfs.sh) and integration tests
    e2fsprogs busybox-static cpio
)
# `make bench` compares kbox with proot (issue 5's workloads)
BENCH_PACKAGES=(proot)

case ${1:-} in
'') ;;
bench) PACKAGES+=("${BENCH_PACKAGES[@]}") ;;
*)
    echo "deps.sh: unknown package group '$1' (known: bench)" >&2
    exit 2
    ;;
esac

missing=()
# One dpkg-query call for all packages; unknown packages are "missing" too.
status=$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' \
    "${PACKAGES[@]}" 2>/dev/null || true)
for p in "${PACKAGES[@]}"; do
    if ! grep -q "^$p ii" <<<"$status"; then
        missing+=("$p")
    fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps.sh: missing packages: ${missing[*]}" >&2
cmd_update="apt-get update"
cmd_install="apt-get install -y --no-install-recommends ${missing[*]}"

sudo=()
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 &&
        { [ -t 0 ] || sudo -n true 2>/dev/null; }; then
        sudo=(sudo)
    else
        echo "deps.sh: error: not root and sudo is not usable; run as root:" >&2
        echo "  $cmd_update && $cmd_install" >&2
        exit 1
    fi
fi

export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086 # word splitting of the package list is wanted
if ! "${sudo[@]}" $cmd_update || ! "${sudo[@]}" $cmd_install; then
    pre=${sudo[*]:+sudo }
    echo "deps.sh: error: installation failed; run:" >&2
    echo "  ${pre}$cmd_update && ${pre}$cmd_install" >&2
    exit 1
fi
echo "deps.sh: installed ${missing[*]}" >&2
