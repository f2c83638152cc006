#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the lx library: extract Debian's linux-source-6.12 into the cache,
# overlay arch/lx, configure, build vmlinux (ld -r), link it with the host
# runtime, hide every symbol but the public lx_* API, and install
# liblx.a + headers into OUT. The result is cached by a hash of its inputs.
set -euo pipefail

KDIR=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:?OUT must name the output directory}
CACHE=${KBOX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kbox}
TARBALL=${LX_TARBALL:-/usr/src/linux-source-6.12.tar.xz}
JOBS=${JOBS:-$(nproc)}
CC=${LX_CC:-gcc}

die() { echo "lx: error: $*" >&2; exit 1; }

[ -r "$TARBALL" ] || die "$TARBALL not found: run scripts/deps.sh (package linux-source-6.12)"

# Version of the kernel package, or the tarball's size+mtime without dpkg.
PKGVER=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null || stat -c '%s-%Y' "$TARBALL")
INPUTS_HASH=$( (echo "$PKGVER"; cd "$KDIR" && find arch host config scripts Makefile -type f -print0 | sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-16)
SRC=$CACHE/linux-$PKGVER
OBJ=$CACHE/lx-obj-$(echo "$PKGVER" | sha256sum | cut -c1-8)
ART=$CACHE/lx-$INPUTS_HASH

# Copy only what changed: a fresh mtime on every run made make rebuild all
# of kbox each time.
copy_changed() { # SRC... DIR
	local dir=${*: -1} f
	for f in "${@:1:$#-1}"; do
		cmp -s "$f" "$dir/$(basename "$f")" || cp "$f" "$dir/"
	done
}

install_out() {
	mkdir -p "$OUT/include/lx"
	copy_changed "$ART/liblx.a" "$ART/allowed-undefined.txt" "$ART/public-symbols.txt" "$OUT"
	copy_changed "$ART/include/lx/"*.h "$OUT/include/lx"
	[ "$(cat "$OUT/cache-dir" 2>/dev/null)" = "$ART" ] || echo "$ART" > "$OUT/cache-dir"
}

if [ -f "$ART/liblx.a" ]; then
	install_out
	exit 0
fi

mkdir -p "$CACHE"
# One build at a time per cache: the source tree and the objects are
# shared, and two builds at once (five clones building together) each
# overlaid its arch/lx on the other's, so a library was built from one
# tree's code and filed under the other's inputs hash.
exec 9>"$CACHE/.build.lock"
if ! flock -n 9; then
	echo "lx: waiting for another build in $CACHE"
	flock 9
fi
if [ -f "$ART/liblx.a" ]; then # built meanwhile
	install_out
	exit 0
fi
if [ ! -f "$SRC/.kbox-extracted" ]; then
	echo "lx: extracting $(basename "$TARBALL") into $SRC"
	rm -rf "$SRC.tmp" && mkdir -p "$SRC.tmp"
	tar -xf "$TARBALL" -C "$SRC.tmp" --strip-components=1
	rm -rf "$SRC" && mv "$SRC.tmp" "$SRC"
	touch "$SRC/.kbox-extracted"
fi

# Overlay our architecture. Files are compared by content and a changed
# one is written with a new mtime, so make rebuilds exactly what changed:
# keeping the source's mtimes (rsync -a) left stale objects whenever the
# tree had older mtimes than objects built from another tree (a second
# clone, an older checkout) sharing this cache.
mkdir -p "$SRC/arch/lx"
rsync -rl --checksum --delete "$KDIR/arch/lx/" "$SRC/arch/lx/"

mkdir -p "$OBJ"
LOG=$OBJ/build.log
KMAKE=(make -C "$SRC" O="$OBJ" ARCH=lx CC="$CC" HOSTCC=gcc -j"$JOBS")
if ! cmp -s "$KDIR/config" "$OBJ/.kbox-config"; then
	echo "lx: configuring"
	"${KMAKE[@]}" KCONFIG_ALLCONFIG="$KDIR/config" allnoconfig >"$LOG" 2>&1 || { tail -30 "$LOG"; die "configuration failed (log: $LOG)"; }
	cp "$KDIR/config" "$OBJ/.kbox-config"
	# Every option we asked for must have stuck.
	while IFS= read -r line; do
		case "$line" in CONFIG_*=*) grep -qxF "$line" "$OBJ/.config" || die "kernel config did not take: $line";; esac
	done <"$KDIR/config"
fi

echo "lx: building the kernel (log: $LOG)"
start=$(date +%s)
if [ -t 1 ]; then
	"${KMAKE[@]}" vmlinux >>"$LOG" 2>&1 &
	pid=$!
	while kill -0 $pid 2>/dev/null; do
		printf '\rlx: %d objects compiled, %ds' "$(grep -c '^  CC' "$LOG" || true)" $(( $(date +%s) - start ))
		sleep 2
	done
	echo
	wait $pid || { grep -B2 -A8 -m5 'error' "$LOG" | head -60; die "kernel build failed (log: $LOG)"; }
else
	"${KMAKE[@]}" vmlinux >>"$LOG" 2>&1 || { grep -B2 -A8 -m5 'error' "$LOG" | head -60; die "kernel build failed (log: $LOG)"; }
fi
echo "lx: kernel built in $(( $(date +%s) - start ))s"

# Link with the host runtime and localise everything but the API.
TMP=$(mktemp -d "$CACHE/lx-link.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
HOST_CFLAGS=(-std=gnu11 -O2 -g -fPIE -pthread -D_GNU_SOURCE -Wall -Wextra -Werror
	-I"$KDIR/host/include" -I"$KDIR/arch/lx/include")
for f in "$KDIR"/host/*.c; do
	"$CC" "${HOST_CFLAGS[@]}" -c "$f" -o "$TMP/host-$(basename "${f%.c}").o"
done
# The host runtime may call only the lx_k_* entry points into the kernel.
nm -g --defined-only "$OBJ/vmlinux" | awk '$3 ~ /^lx_k_/ {print $3}' >"$TMP/kernel-entry.txt"
objcopy --keep-global-symbols="$TMP/kernel-entry.txt" \
	--add-section .note.GNU-stack=/dev/null "$OBJ/vmlinux" "$TMP/kernel.o"
ld -r "$TMP/kernel.o" "$TMP"/host-*.o -o "$TMP/lx.o"
grep -o '\blx_[a-z0-9_]*\s*(' "$KDIR/host/include/lx/lx.h" | tr -d ' (' | sort -u >"$TMP/public-symbols.txt"
objcopy --keep-global-symbols="$TMP/public-symbols.txt" "$TMP/lx.o" "$TMP/lx-final.o"
objcopy --strip-unneeded --keep-symbols="$TMP/public-symbols.txt" "$TMP/lx-final.o" 2>/dev/null || true

mkdir -p "$TMP/art/include/lx"
ar rcs "$TMP/art/liblx.a" "$TMP/lx-final.o"
cp "$KDIR/host/include/lx/lx.h" "$TMP/art/include/lx/"
cp "$TMP/public-symbols.txt" "$TMP/art/"
cp "$KDIR/host/allowed-undefined.txt" "$TMP/art/"
"${KMAKE[@]}" INSTALL_HDR_PATH="$TMP/hdr" headers_install >>"$LOG" 2>&1 || die "headers_install failed (log: $LOG)"
python3 "$KDIR/scripts/gen-uapi.py" "$TMP/hdr/include" "$TMP/art/include/lx/uapi.h"
rm -rf "$ART" && mv "$TMP/art" "$ART"
install_out
# Keep the cache bounded: the three newest library builds are enough.
ls -dt "$CACHE"/lx-[0-9a-f]*[0-9a-f] 2>/dev/null | grep -E '/lx-[0-9a-f]{16}$' | tail -n +4 | xargs -r rm -rf
echo "lx: library ready: $OUT/liblx.a"
