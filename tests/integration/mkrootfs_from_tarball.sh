#!/bin/bash
# mkrootfs --from TARBALL (.tar, .tar.gz, .tar.xz) gives the same tree as
# the directory the tarball was made from, owners included when root.
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"
src=$TEST_TMP/src
mkdir -p "$src"/{bin,etc,var/tmp}
echo root >"$src/etc/motd"
cp "$KBOX_ROOT/build/guest/hello" "$src/bin/hello" 2>/dev/null || printf 'x' >"$src/bin/hello"
chmod 755 "$src/bin/hello"
chmod 1777 "$src/var/tmp"
ln -s bin "$src/sbin"
ln -s /etc/motd "$src/motd"
[ "$(id -u)" -eq 0 ] && chown -h 42:43 "$src/motd" "$src/etc/motd"

for ext in tar tar.gz tar.xz; do
    case $ext in
    tar) z=() ;;
    tar.gz) z=(-z) ;;
    tar.xz) z=(-J) ;;
    esac
    tar -C "$src" "${z[@]}" -cf "$TEST_TMP/root.$ext" .
    "$MKROOTFS" -q --cache "$TEST_TMP/cache" --from "$TEST_TMP/root.$ext" -o "$TEST_TMP/$ext.ext4"
    e2fsck_clean "$TEST_TMP/$ext.ext4"
    if [ "$(id -u)" -eq 0 ]; then
        compare_trees "$src" "$TEST_TMP/$ext.ext4"
    else
        # as a user, everything becomes root-owned: compare without owners
        dir_ls "$src" | awk '{$3 = 0; $4 = 0; print}' >"$TEST_TMP/want"
        image_ls "$TEST_TMP/$ext.ext4" >"$TEST_TMP/got"
        diff -u "$TEST_TMP/want" "$TEST_TMP/got" || fail "$ext tree differs"
    fi
    expect_eq "motd ($ext)" "$(image_cat "$TEST_TMP/$ext.ext4" /etc/motd)" root
done
exit 0
