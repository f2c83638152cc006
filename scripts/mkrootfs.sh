#!/bin/bash
# SPDX-License-Identifier: MIT
#
# mkrootfs.sh - build an ext4 root filesystem image for kbox, without root.
#
# Default image: a small Debian bookworm userland (libc6, dash, bash,
# coreutils, ..., busybox-static, python3-minimal) fetched with
# `apt-get download`, unpacked with `dpkg-deb`, merged into /usr like a
# real bookworm system, plus /etc basics and kbox's guest test programs;
# its packages are then configured inside the image under kbox, as
# debootstrap's second stage does.
# `--from DIR|TARBALL` turns an existing root tree into an image instead.
#
# Files in the image are owned by root even when run as an ordinary user
# (mke2fs runs in a user namespace where we are root, or a debugfs pass
# fixes the owners). The image is written to a temporary name and renamed,
# so a failed run never leaves a half-written image under the final name.
set -euo pipefail
umask 022

PROG=mkrootfs
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Bump when the staged layout changes: part of every cache key.
LAYOUT_VERSION=2
DEFAULT_PACKAGES="libc6 libgcc-s1 libc-bin base-files mawk dash bash coreutils
findutils grep sed tar gzip diffutils ncurses-base busybox-static
python3-minimal"
# Bookworm's Essential: yes packages that DEFAULT_PACKAGES does not pull in.
# passwd is Priority: required, in every debootstrap base: its postinst's
# shadowconfig makes /etc/shadow and /etc/gshadow complete.
ESSENTIAL="base-passwd bsdutils hostname init-system-helpers login ncurses-bin
passwd perl-base sysvinit-utils util-linux"

usage()
{
    cat <<EOF
usage: mkrootfs.sh [options]
  -o, --output OUT     image to write (default: rootfs.ext4)
  --size SIZE          image size, e.g. 512M or 2G (default: content + 50% + 64M)
  --packages "P1 P2"   extra Debian packages for the default image, with
                       Debian's Essential set
  --from DIR|TARBALL   convert an existing root tree (.tar, .tar.gz, .tar.xz,
                       .tar.zst, .tgz, .txz) into an image instead
  --tests DIR          guest test programs to install in /opt/kbox-tests
                       (default image: build/guest of this tree, if present)
  --cache DIR          cache directory (default: \$KBOX_CACHE or ~/.cache/kbox)
  --kbox PATH          default image: run the packages' maintainer scripts
                       (dpkg --configure -a) in the image under this kbox
                       binary (default: ./kbox of this tree)
  -f, --force          rebuild even if OUT is up to date
  -q, --quiet          no progress output
  -h, --help           this help
EOF
}

die()
{
    echo "$PROG: error: $*" >&2
    exit 1
}

# ---- options ---------------------------------------------------------------
OUT=rootfs.ext4
SIZE=
EXTRA=
FROM=
TESTS=
TESTS_SET=0
FORCE=0
QUIET=0
KBOX_BIN=
CONFIGURE=
PREINST_ORDER=
CACHE=${KBOX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kbox}

need_arg() { [ $# -ge 2 ] || die "option $1 needs an argument"; }
while [ $# -gt 0 ]; do
    case $1 in
    -o | --output) need_arg "$@"; OUT=$2; shift 2 ;;
    --size) need_arg "$@"; SIZE=$2; shift 2 ;;
    --packages) need_arg "$@"; EXTRA="$EXTRA $2"; shift 2 ;;
    --from) need_arg "$@"; FROM=$2; shift 2 ;;
    --tests) need_arg "$@"; TESTS=$2; TESTS_SET=1; shift 2 ;;
    --cache) need_arg "$@"; CACHE=$2; shift 2 ;;
    --kbox) need_arg "$@"; KBOX_BIN=$2; shift 2 ;;
    -f | --force) FORCE=1; shift ;;
    -q | --quiet) QUIET=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
    esac
done

TTY=0
[ -t 1 ] && [ "$QUIET" = 0 ] && TTY=1
progress() { [ "$TTY" = 1 ] && printf '\r\033[K%s' "$*"; return 0; }
step() { [ "$TTY" = 1 ] && printf '\r\033[K%s\n' "$*"; return 0; }

for tool in mke2fs debugfs; do
    command -v "$tool" >/dev/null 2>&1 || PATH=$PATH:/sbin:/usr/sbin
done
command -v mke2fs >/dev/null 2>&1 ||
    die "mke2fs not found (install e2fsprogs: bash scripts/deps.sh)"

# ---- output checks (before any work) ---------------------------------------
[ -n "$OUT" ] || die "empty output path"
[ -d "$OUT" ] && die "output $OUT is a directory"
OUTDIR=$(dirname -- "$OUT")
[ -d "$OUTDIR" ] || die "output directory $OUTDIR does not exist"
{ [ -w "$OUTDIR" ] && [ -x "$OUTDIR" ]; } ||
    die "cannot write output $OUT: directory $OUTDIR is not writable"
[ -e "$OUT" ] && [ ! -w "$OUT" ] && die "cannot write output $OUT"
OUT_ABS=$(cd -- "$OUTDIR" && pwd)/$(basename -- "$OUT")

SIZE_BYTES=
if [ -n "$SIZE" ]; then
    [[ $SIZE =~ ^([0-9]+)([KkMmGgTt]?)(i?B)?$ ]] ||
        die "bad --size '$SIZE' (want e.g. 512M, 2G)"
    n=${BASH_REMATCH[1]}
    case ${BASH_REMATCH[2]} in
    K | k) SIZE_BYTES=$((n << 10)) ;;
    M | m) SIZE_BYTES=$((n << 20)) ;;
    G | g) SIZE_BYTES=$((n << 30)) ;;
    T | t) SIZE_BYTES=$((n << 40)) ;;
    *) SIZE_BYTES=$n ;;
    esac
    [ "$SIZE_BYTES" -ge $((1 << 20)) ] || die "--size $SIZE is too small"
fi

if [ -n "$KBOX_BIN" ]; then
    [ -x "$KBOX_BIN" ] && [ -f "$KBOX_BIN" ] || die "--kbox $KBOX_BIN: not an executable file"
    KBOX_BIN=$(cd "$(dirname -- "$KBOX_BIN")" && pwd)/$(basename -- "$KBOX_BIN")
fi

if [ -n "$FROM" ] && [ -n "${EXTRA// /}" ]; then
    die "--packages cannot be combined with --from"
fi

mkdir -p "$CACHE" 2>/dev/null || die "cannot create cache directory $CACHE"
[ -w "$CACHE" ] || die "cache directory $CACHE is not writable"
CACHE=$(cd "$CACHE" && pwd)
mkdir -p "$CACHE/tmp" "$CACHE/debs" "$CACHE/staged" "$CACHE/images"

# ---- cleanup ---------------------------------------------------------------
TMP_OUT="$OUT.$$.tmp"
WORK=
CLEAN=()
cleanup()
{
    local rc=$?
    [ "$TTY" = 1 ] && [ $rc -ne 0 ] && printf '\r\033[K'
    rm -f -- "$TMP_OUT"
    if [ -n "$WORK" ] && [ -d "$WORK" ]; then
        chmod -R u+rwX -- "$WORK" 2>/dev/null || true
        rm -rf -- "$WORK"
    fi
    for f in "${CLEAN[@]}"; do rm -rf -- "$f"; done
    return $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

WORK=$(mktemp -d "$CACHE/tmp/work.XXXXXX")

hash_stdin() { sha256sum | cut -c1-16; }

# Hash of a directory's regular files' names, modes and contents.
hash_dir()
{
    (cd "$1" && find . -type f -print0 | sort -z |
        xargs -0 -r sha256sum && find . -printf '%p %m %y\n' | sort) |
        hash_stdin
}

SELF_HASH=$(sha256sum "${BASH_SOURCE[0]}" | cut -c1-16)

# ---- image builder ---------------------------------------------------------
# is_root: do we create root-owned files just by being who we are?
is_root() { [ "$(id -u)" -eq 0 ]; }

# build_image DIR KEY: make TMP_OUT from DIR, fix owners, rename to OUT.
# FIXUPS (debugfs commands) are applied after mke2fs.
FIXUPS=()
build_image()
{
    local dir=$1 key=$2 bytes files inodes size err
    step "building image $OUT"
    bytes=$(du -s --block-size=1 -- "$dir" | cut -f1)
    files=$(find "$dir" -xdev | wc -l)
    inodes=$((files * 2 + 4096))
    if [ -n "$SIZE_BYTES" ]; then
        # A size the user chose is for files to come: one inode per 16 KiB,
        # as mke2fs gives by default (the content's count ran out with
        # gigabytes free).
        size=$SIZE_BYTES
        inodes=$((size / 16384))
        [ "$inodes" -ge $((files + 16)) ] || inodes=$((files + 16))
    else
        size=$((bytes + bytes / 2 + (64 << 20)))
        size=$(((size + (1 << 20) - 1) >> 20 << 20))
    fi
    rm -f -- "$TMP_OUT"
    truncate -s "$size" -- "$TMP_OUT" 2>/dev/null ||
        die "cannot write output $OUT ($TMP_OUT)"

    local mkfs=(mke2fs -q -F -t ext4 -b 4096 -N "$inodes" -L kbox-root
        -E root_owner=0:0 -d "$dir" "$TMP_OUT")
    local fixowner=0
    if ! is_root; then
        # In a user namespace where our uid maps to 0, mke2fs -d records
        # our files as root-owned. Without one, debugfs fixes owners later.
        # (KBOX_MKROOTFS_NO_USERNS=1 forces the debugfs path, for tests.)
        if [ -z "${KBOX_MKROOTFS_NO_USERNS:-}" ] &&
            unshare --map-root-user true 2>/dev/null; then
            mkfs=(unshare --map-root-user "${mkfs[@]}")
        else
            fixowner=1
        fi
    fi
    if ! err=$("${mkfs[@]}" 2>&1); then
        err=$(printf '%s\n' "$err" | grep -v '^$' | tail -n1)
        die "mke2fs failed: ${err:-unknown error} (out of space? image size $((size >> 20)) MiB; try a larger --size)"
    fi

    local cmds=()
    if [ "$fixowner" = 1 ]; then
        while IFS= read -r -d '' p; do
            cmds+=("sif \"/$p\" uid 0" "sif \"/$p\" gid 0")
        done < <(cd "$dir" && find . -mindepth 1 -printf '%P\0')
    fi
    cmds+=("${FIXUPS[@]}") # after the owner reset
    if [ ${#cmds[@]} -gt 0 ]; then
        printf '%s\n' "${cmds[@]}" >"$WORK/debugfs.cmds"
        if ! err=$(debugfs -w -f "$WORK/debugfs.cmds" "$TMP_OUT" 2>&1 >/dev/null); then
            die "debugfs failed: $(tail -n1 <<<"$err")"
        fi
    fi
    # The packages' postinsts (base-files' /etc/profile, the
    # alternatives, libc-bin's ldconfig, python's .pyc files; with
    # --packages libpam-runtime's pam-auth-update, cron's crontab group...)
    [ -z "$CONFIGURE" ] || configure_in_image
    sync -f "$TMP_OUT" 2>/dev/null || true
    mv -f -- "$TMP_OUT" "$OUT" || die "cannot rename $TMP_OUT to $OUT"
    printf '%s %s\n' "$key" "$(stat -c '%s %Y' -- "$OUT")" >"$STAMP"
    [ "$QUIET" = 1 ] || echo "$PROG: wrote $OUT ($((size >> 20)) MiB, $files files)"
}

# configure_in_image: debootstrap's second stage for the packages recorded
# unpacked (all of them): their preinsts, then their postinsts in
# dependency order, as root in the image (noninteractive debconf;
# policy-rc.d, written with the tree, refuses service starts and is
# removed after). dpkg --audit must be empty after.
configure_in_image()
{
    local out line pkg msg st=0
    step "dpkg --configure -a in the image"
    # shellcheck disable=SC2016,SC2086 # for the guest's shell; word list
    out=$("$KBOX_BIN" -S "$TMP_OUT" -- /usr/bin/env -i \
        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        HOME=/root LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive \
        DEBCONF_NONINTERACTIVE_SEEN=true /bin/sh -c '
        # The preinsts first (dpkg runs them before unpacking; the files
        # are here already): sgml-base makes /etc/sgml in its preinst.
        # Their environment is what dpkg gives (dpkg-maintscript-helper
        # needs it).
        for p in "$@"; do
            for f in /var/lib/dpkg/info/$p.preinst /var/lib/dpkg/info/$p:*.preinst; do
                [ -x "$f" ] || continue
                a=$(dpkg-query -W -f="\${Architecture}" "$p" | head -n1)
                DPKG_MAINTSCRIPT_PACKAGE=$p DPKG_MAINTSCRIPT_ARCH=$a \
                    DPKG_MAINTSCRIPT_NAME=preinst DPKG_ADMINDIR=/var/lib/dpkg \
                    DPKG_ROOT= DPKG_RUNNING_VERSION=$(dpkg-query -W -f="\${Version}" dpkg) \
                    "$f" install </dev/null || {
                    echo "dpkg: error processing package $p (preinst install)"
                    exit 1
                }
            done
        done
        # As debootstrap: base-passwd and base-files first, whatever they
        # depend on (base-files makes /usr/local, which ca-certificates
        # stats; dpkg --configure -a would take it after mawk, its awk).
        first=
        for p in base-passwd base-files; do
            dpkg-query -W "$p" >/dev/null 2>&1 && first="$first $p"
        done
        [ -z "$first" ] || dpkg --force-depends --configure $first </dev/null || exit 1
        dpkg --configure -a </dev/null || exit 1
        rm -f /usr/sbin/policy-rc.d
        a=$(dpkg --audit 2>&1) && [ -z "$a" ] && exit 0
        printf "dpkg --audit: %s\n" "$a" | head -n 3 >&2; exit 2' sh $PREINST_ORDER 2>&1) || st=$?
    [ "$st" != 0 ] || return 0
    # One line: the failing package and the last thing its script said
    # before dpkg's own "error processing" line.
    pkg='' msg=''
    while IFS= read -r line; do
        if [[ $line =~ ^dpkg:\ error\ processing\ package\ ([^ ]+) ]]; then
            pkg=${BASH_REMATCH[1]}
            break
        fi
        [[ $line =~ ^(dpkg:\ warning|Setting\ up|Processing|Adding|Selecting)\  ]] ||
            [ -z "$line" ] || msg=$line
    done <<<"$out"
    if [ -n "$pkg" ]; then
        die "dpkg --configure -a in the image failed: $pkg: ${msg:-its postinst failed}"
    fi
    msg=$(grep -v '^$' <<<"$out" | tail -n1) || true
    # a kbox that could not start and said nothing (killed by a signal:
    # a seccomp sandbox's SIGSYS) still gets one clear line
    if [ -z "$msg" ]; then
        msg="$KBOX_BIN exited with status $st"
        [ "$st" -le 128 ] || msg="$KBOX_BIN was killed by signal $((st - 128))"
    fi
    die "dpkg --configure -a in the image failed: $msg"
}

# up_to_date KEY: OUT exists, was built by us from KEY and not changed since.
STAMP=$CACHE/images/$(printf '%s' "$OUT_ABS" | hash_stdin).stamp
up_to_date()
{
    [ "$FORCE" = 0 ] && [ -f "$OUT" ] && [ -f "$STAMP" ] &&
        [ "$(cat "$STAMP")" = "$1 $(stat -c '%s %Y' -- "$OUT")" ]
}

# ---- --from DIR|TARBALL ----------------------------------------------------
if [ -n "$FROM" ]; then
    [ -e "$FROM" ] || die "--from $FROM: no such file or directory"
    if [ -d "$FROM" ]; then
        { [ -r "$FROM" ] && [ -x "$FROM" ]; } ||
            die "--from $FROM: directory is not readable"
        if ! err=$(find "$FROM" -xdev -printf '' 2>&1) || [ -n "$err" ]; then
            die "--from $FROM: cannot read $(head -n1 <<<"$err" | sed 's/^find: //')"
        fi
        SRC=$(cd "$FROM" && pwd)
    elif [ -f "$FROM" ]; then
        [ -r "$FROM" ] || die "--from $FROM: file is not readable"
        case $FROM in
        *.tar | *.tar.gz | *.tgz | *.tar.xz | *.txz | *.tar.zst | *.tar.bz2) ;;
        *) die "--from $FROM: not a directory or a .tar/.tar.gz/.tar.xz tarball" ;;
        esac
        SRC=$WORK/root
        mkdir "$SRC"
        step "extracting $FROM"
        # --numeric-owner: keep the tarball's uids, not the host's names.
        if ! err=$(tar -x -f "$FROM" -C "$SRC" -p --numeric-owner 2>&1); then
            die "--from $FROM: cannot extract: $(head -n1 <<<"$err")"
        fi
    else
        die "--from $FROM: not a directory or a tarball"
    fi
    if [ "$TESTS_SET" = 1 ]; then
        die "--tests cannot be combined with --from (the tree is copied as is)"
    fi
    # Always rebuild --from images: hashing a large tree costs as much as
    # building it.
    build_image "$SRC" "from"
    exit 0
fi

# ---- default image: resolve packages ---------------------------------------
if [ -n "${EXTRA// /}" ]; then
    # Debian's Essential packages are on every system, so nothing depends
    # on them and postinsts use them freely (base-passwd's users and groups:
    # man, ...; util-linux's setpriv, runuser; perl-base for debconf and
    # update-rc.d). The default image has the others.
    EXTRA="$EXTRA $ESSENTIAL"
fi
# The maintainer scripts run in the image under kbox.
if [ -z "$KBOX_BIN" ] && [ -x "$ROOT/kbox" ] && [ -f "$ROOT/kbox" ]; then
    KBOX_BIN=$ROOT/kbox
fi
# shellcheck disable=SC2086 # the package lists are word lists
PKGS=$(printf '%s\n' $DEFAULT_PACKAGES $EXTRA | sort -u | tr '\n' ' ')
for p in $PKGS; do
    [[ $p =~ ^[a-z0-9][a-z0-9+.-]*(:[a-z0-9]+)?(=[A-Za-z0-9.+~:-]+)?$ ]] ||
        die "bad package name '$p'"
done

if [ "$TESTS_SET" = 0 ] && [ -d "$ROOT/build/guest" ]; then
    TESTS=$ROOT/build/guest
fi
if [ -n "$TESTS" ]; then
    { [ -d "$TESTS" ] && [ -r "$TESTS" ]; } || die "--tests $TESTS: not a readable directory"
fi

command -v apt-get >/dev/null 2>&1 || die "apt-get not found (Debian needed)"
ARCH=$(dpkg --print-architecture)
step "resolving packages"
: >"$WORK/status"
# Resolve against an empty dpkg status: apt computes the full dependency
# closure (alternatives, virtual packages) exactly as for a new system.
# shellcheck disable=SC2086
if ! res=$(apt-get -s -o Dir::State::status="$WORK/status" \
    -o APT::Install-Recommends=false -o APT::Install-Suggests=false \
    -o Debug::NoLocking=1 install $PKGS 2>&1); then
    e=$(grep -m1 '^E:' <<<"$res" || true)
    if [[ $e =~ Unable\ to\ locate\ package\ (.*)$ ]]; then
        hint=
        grep -q 'locate package libc6$' <<<"$res" &&
            hint=" (no package lists? run: sudo apt-get update)"
        die "unknown package: ${BASH_REMATCH[1]}$hint"
    fi
    die "cannot resolve packages: ${e#E: }"
fi
# "Inst NAME (VERSION RELEASE [ARCH])"
# (a trailing "[]" lists packages it breaks: ignore it).
LIST=$(awk '$1 == "Inst" && match($0, /\[[a-z0-9]+\]\)/) {
    a = substr($0, RSTART + 1, RLENGTH - 3); v = $3; sub(/^\(/, "", v);
    print $2, v, a }' <<<"$res" | sort)
[ -n "$LIST" ] || die "package resolution produced nothing"

# Every package is recorded unpacked and configured in the image by
# dpkg --configure -a, as debootstrap's second stage does.
[ -n "$KBOX_BIN" ] ||
    die "the default image needs --kbox KBOX (or a built ./kbox): the packages' maintainer scripts run in the image under kbox"
CONFIGURE=1
# The order apt would unpack them in (Pre-Depends first).
PREINST_ORDER=$(awk '$1 == "Inst" { print $2 }' <<<"$res" | tr '\n' ' ')

# ---- download (cached) -----------------------------------------------------
exec 9>"$CACHE/.lock"
flock 9
need=()
while read -r name ver arch; do
    f="$CACHE/debs/${name}_${ver//:/%3a}_${arch}.deb"
    [ -s "$f" ] || need+=("$name=$ver")
done <<<"$LIST"
if [ ${#need[@]} -gt 0 ]; then
    step "downloading ${#need[@]} packages into $CACHE/debs"
    dl=$WORK/dl
    mkdir -p "$dl"
    qopt=(-q)
    [ "$TTY" = 1 ] || qopt=(-qq)
    sbx=()
    is_root && sbx=(-o APT::Sandbox::User=root)
    if [ "$TTY" = 1 ]; then
        (cd "$dl" && apt-get "${qopt[@]}" "${sbx[@]}" download "${need[@]}") 2>&1 |
            tee "$WORK/dl.log" || true
    else
        (cd "$dl" && apt-get "${qopt[@]}" "${sbx[@]}" download "${need[@]}") \
            >"$WORK/dl.log" 2>&1 || true
    fi
    err=$(grep -m1 -E '^(E|Err):' "$WORK/dl.log" || true)
    for f in "$dl"/*.deb; do
        [ -e "$f" ] && mv -f -- "$f" "$CACHE/debs/"
    done
    while read -r name ver arch; do
        f="$CACHE/debs/${name}_${ver//:/%3a}_${arch}.deb"
        [ -s "$f" ] || die "download of $name $ver failed${err:+: $err}"
    done <<<"$LIST"
fi

# ---- stage the tree (cached by package list) -------------------------------
SKEY=$( (echo "layout $LAYOUT_VERSION $ARCH $SELF_HASH" && cat <<<"$LIST") | hash_stdin)
TKEY=none
[ -n "$TESTS" ] && TKEY=$(hash_dir "$TESTS")
KEY="$SKEY-$TKEY-${SIZE_BYTES:-auto}"
KEY="$KEY-configured"

if up_to_date "$KEY"; then
    [ "$QUIET" = 1 ] || echo "$PROG: $OUT is up to date"
    exit 0
fi

# record_installed DEB NAME ARCH TREE: what dpkg itself records when
# it unpacks DEB into TREE (/var/lib/dpkg status entry, file list, md5sums,
# conffiles and maintainer scripts), so dpkg -l/-s/-L/-V and dependency
# checks of later dpkg -i runs inside the image see the packages. They are
# recorded unpacked: dpkg --configure -a runs their postinsts in the image.
record_installed()
{
    local f=$1 name=$2 arch=$3 tree=$4 db=$4/var/lib/dpkg iname ctl c
    mkdir -p "$db/info" "$db/updates" "$db/alternatives" "$db/triggers"
    # db format 1: Multi-Arch: same packages' files are "name:arch.*"
    echo 1 >"$db/info/format"
    iname=$name
    [ "$(dpkg-deb -f "$f" Multi-Arch)" = same ] && iname="$name:$arch"
    ctl=$WORK/ctl
    rm -rf "$ctl" && mkdir -p "$ctl"
    dpkg-deb --ctrl-tarfile "$f" | tar -x -C "$ctl" ||
        die "cannot read the control part of $f"
    for c in "$ctl"/*; do
        case ${c##*/} in control) ;; *) cp -p "$c" "$db/info/$iname.${c##*/}" ;; esac
    done
    dpkg-deb --fsys-tarfile "$f" | tar -t |
        sed -e 's|^\./$|/.|' -e 's|^\.||' -e 's|/$||' >"$db/info/$iname.list"
    # Owners other than root, for build_image: a build that is not root
    # cannot give them (tar), and mke2fs in a user namespace or the debugfs
    # owner reset make every file root's (passwd's chage is root:shadow).
    # "UID GID PATH", with usrmerge's /bin -> /usr/bin applied.
    dpkg-deb --fsys-tarfile "$f" | tar -tv --numeric-owner |
        awk '$2 != "0/0" { split($2, o, "/"); p = $6; sub(/^\./, "", p);
            sub(/\/$/, "", p); if (p ~ /^\/(bin|sbin|lib|lib64)(\/|$)/) p = "/usr" p;
            print o[1], o[2], p }' >>"$tree/.kbox-owners"
    {
        # Status goes right after Package, as dpkg writes it
        sed -e "/^Package:/a Status: install ok unpacked" "$ctl/control"
        if [ -s "$ctl/conffiles" ]; then
            echo "Conffiles:"
            while read -r c; do
                [ -f "$tree$c" ] && echo " $c $(md5sum <"$tree$c" | cut -d' ' -f1)"
            done <"$ctl/conffiles"
        fi
        echo
    } >>"$db/status"
}

STAGE=$CACHE/staged/$SKEY
if [ ! -f "$STAGE/.kbox-staged" ]; then
    new=$WORK/stage
    mkdir -p "$new/usr/bin" "$new/usr/sbin" "$new/usr/lib" "$new/usr/lib64"
    # usrmerge, as on a bookworm system: the packages still ship /bin,
    # /sbin, /lib, /lib64 but these are symlinks into /usr.
    for d in bin sbin lib lib64; do ln -s "usr/$d" "$new/$d"; done
    n=$(wc -l <<<"$LIST")
    i=0
    while read -r name ver arch; do
        i=$((i + 1))
        progress "unpacking $i/$n $name"
        f="$CACHE/debs/${name}_${ver//:/%3a}_${arch}.deb"
        # tar instead of dpkg-deb -x to keep the usrmerge directory symlinks
        if ! err=$(dpkg-deb --fsys-tarfile "$f" 2>&1 |
            tar -x -p --keep-directory-symlink --numeric-owner -C "$new" 2>&1); then
            die "cannot unpack $f: $err"
        fi
        record_installed "$f" "$name" "$arch" "$new"
    done <<<"$LIST"
    progress ""
    for d in bin sbin lib lib64; do
        [ -L "$new/$d" ] || die "package tree replaced /$d (usrmerge broken)"
    done

    # The maintainer scripts need /bin/sh and awk before dash's and mawk's
    # postinsts make them (dash's diversion, mawk's alternative), as
    # debootstrap makes both by hand before the first dpkg run.
    ln -sf dash "$new/usr/bin/sh"
    [ -e "$new/usr/bin/awk" ] || [ ! -e "$new/usr/bin/mawk" ] || ln -s mawk "$new/usr/bin/awk"
    # debugfs 'cat' does not follow symlinks: make os-release a real file.
    if [ -L "$new/etc/os-release" ] && [ -f "$new/usr/lib/os-release" ]; then
        rm -f "$new/etc/os-release"
        cp "$new/usr/lib/os-release" "$new/etc/os-release"
    fi
    grep -q Debian "$new/etc/os-release" 2>/dev/null ||
        die "base-files gave no Debian /etc/os-release"

    e=$new/etc
    cat >"$e/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
bin:x:2:2:bin:/bin:/usr/sbin/nologin
sys:x:3:3:sys:/dev:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
user:x:1000:1000:kbox user:/home/user:/bin/bash
EOF
    cat >"$e/group" <<'EOF'
root:x:0:
daemon:x:1:
bin:x:2:
sys:x:3:
adm:x:4:
tty:x:5:
disk:x:6:
mail:x:8:
staff:x:50:
shadow:x:42:
utmp:x:43:
users:x:100:user
nogroup:x:65534:
user:x:1000:
EOF
    cat >"$e/shadow" <<'EOF'
root:*:19000:0:99999:7:::
daemon:*:19000:0:99999:7:::
bin:*:19000:0:99999:7:::
sys:*:19000:0:99999:7:::
nobody:*:19000:0:99999:7:::
user:*:19000:0:99999:7:::
EOF
    m=$new/usr/share/base-passwd
    if [ -f "$m/passwd.master" ] &&
        [ -f "$m/group.master" ]; then
        # What base-passwd's postinst does on a first install, before any
        # other package's postinst runs: the Debian system users and groups
        # (man, lp, sudo, ...), its master files; then user, as above.
        # (passwd's postinst moves the "*" into /etc/shadow and gshadow.)
        { cat "$m/passwd.master" && grep '^user:' "$e/passwd"; } >"$e/passwd.new"
        {
            sed -e 's/^users:\*:100:$/users:*:100:user/' "$m/group.master"
            grep '^user:' "$e/group"
        } >"$e/group.new"
        # Their /etc/shadow lines, as pwconv would add (its pwck -r
        # asked about each one missing).
        add=$(cut -d: -f1 "$m/passwd.master" | while read -r u; do
            grep -q "^$u:" "$e/shadow" || echo "$u:*:19000:0:99999:7:::"
        done)
        [ -z "$add" ] || printf '%s\n' "$add" >>"$e/shadow"
        mv -f "$e/passwd.new" "$e/passwd"
        mv -f "$e/group.new" "$e/group"
    fi
    chmod 640 "$e/shadow"
    echo kbox >"$e/hostname"
    printf '127.0.0.1\tlocalhost\n127.0.1.1\tkbox\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' >"$e/hosts"
    # (/etc/nsswitch.conf is libc-bin's postinst's, /etc/shells
    # debianutils', /etc/profile and /usr/local base-files'.)
    : >"$e/fstab"
    for d in proc sys dev run mnt root home/user var/tmp tmp opt; do
        mkdir -p "$new/$d"
    done
    # base-files' postinst makes /run/lock (/var/lock links to it), but
    # into the tmpfs kbox mounts on /run for the configure run.
    mkdir -p "$new/run/lock"
    chmod 1777 "$new/tmp" "$new/var/tmp" "$new/run/lock"
    chmod 700 "$new/root"
    chmod 755 "$new/home/user"
    touch "$new/.kbox-staged"

    # Publish atomically; keep the 4 most recent staged trees.
    rm -rf "$STAGE"
    mv -T "$new" "$STAGE"
    # shellcheck disable=SC2012 # names are our own hex keys
    ls -1t "$CACHE/staged" | tail -n +5 | while read -r old; do
        rm -rf "${CACHE:?}/staged/$old"
    done
fi
touch "$STAGE"
flock -u 9

# ---- assemble the image tree -----------------------------------------------
step "assembling tree"
TREE=$WORK/tree
cp -a --reflink=auto "$STAGE" "$TREE"
rm -f "$TREE/.kbox-staged"
if [ -n "$TESTS" ]; then
    mkdir -p "$TREE/opt/kbox-tests"
    find "$TESTS" -maxdepth 1 -type f -perm -u+x -exec cp -p -t "$TREE/opt/kbox-tests" {} +
    chmod -R go+rX "$TREE/opt/kbox-tests"
fi
# As debootstrap does: invoke-rc.d asks policy-rc.d, 101 = not now
# (configure_in_image removes it).
printf '#!/bin/sh\nexit 101\n' >"$TREE/usr/sbin/policy-rc.d"
chmod 755 "$TREE/usr/sbin/policy-rc.d"
# /etc/shadow is root:shadow as Debian's passwd makes it: chage, expiry and
# unix_chkpwd are set-group-ID shadow to read it (chage -l as a user failed)
FIXUPS=("sif /home/user uid 1000" "sif /home/user gid 1000" "sif /etc/shadow gid 42")
if [ -s "$TREE/.kbox-owners" ]; then
    while read -r u g p; do
        FIXUPS+=("sif \"$p\" uid $u" "sif \"$p\" gid $g")
    done <"$TREE/.kbox-owners"
fi
rm -f "$TREE/.kbox-owners"
build_image "$TREE" "$KEY"
