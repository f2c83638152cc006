#!/bin/bash
# As an ordinary user, files in the image are root-owned: through a user
# namespace, and through the debugfs fallback when there is none.
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"
can_drop_root || [ "$(id -u)" -ne 0 ] || skip "needs setpriv to drop root"
src=$TEST_TMP/src
mkdir -p "$src/etc" "$src/bin" "$src/home"
echo hi >"$src/etc/motd"
ln -s ../etc/motd "$src/bin/motd"
run=()
if [ "$(id -u)" -eq 0 ]; then
    mkdir -p "$TEST_TMP/nobody-home"
    chmod 755 "$TEST_TMP"
    chown -R 65534:65534 "$src" "$TEST_TMP/nobody-home"
    run=(as_nobody)
fi
chmod 4755 "$src/etc/motd" # after chown, which clears set-uid
out=$TEST_TMP/nobody-home
mkdir -p "$out"
for mode in userns debugfs; do
    env=()
    [ "$mode" = debugfs ] && env=(KBOX_MKROOTFS_NO_USERNS=1)
    if [ "$mode" = userns ] && ! "${run[@]}" unshare --map-root-user true 2>/dev/null; then
        echo "no user namespaces here; only the debugfs path is tested"
        continue
    fi
    "${run[@]}" env "${env[@]}" "$MKROOTFS" -q --cache "$out/cache" --from "$src" -o "$out/$mode.ext4"
    e2fsck_clean "$out/$mode.ext4"
    image_ls "$out/$mode.ext4" >"$TEST_TMP/$mode.ls"
    cat "$TEST_TMP/$mode.ls"
    expect_eq "entries ($mode)" "$(wc -l <"$TEST_TMP/$mode.ls")" 5
    bad=$(awk '$3 != 0 || $4 != 0' "$TEST_TMP/$mode.ls")
    [ -z "$bad" ] || fail "not root-owned ($mode): $bad"
    grep -qxF "/etc/motd 104755 0 0 size=3" "$TEST_TMP/$mode.ls" || fail "setuid mode lost ($mode)"
    grep -qxF "/bin/motd 120777 0 0 -> ../etc/motd" "$TEST_TMP/$mode.ls" || fail "symlink lost ($mode)"
    root=$(debugfs -R "stat /" "$out/$mode.ext4" 2>/dev/null | grep -o 'User: *[0-9]* *Group: *[0-9]*')
    [[ $root =~ User:\ *0\ *Group:\ *0 ]] || fail "root directory not owned by root ($mode): $root"
done

# The default image, built by a user through the debugfs fallback: all
# root-owned but /home/user (1000:1000), /etc/shadow (group shadow),
# base-files' /var/local (group staff: the package's owners are kept, where
# the debugfs owner reset made them root), and what base-files' postinst
# makes in the image under kbox: /var/mail (group mail) and the login
# records in /var/log (group utmp).
if [ -d "$KBOX_CACHE/debs" ]; then
    mkdir -p "$out/cache2"
    cp -r "$KBOX_CACHE/debs" "$out/cache2/" # no downloads
    [ "$(id -u)" -eq 0 ] && chown -R 65534:65534 "$out/cache2"
    "${run[@]}" env KBOX_MKROOTFS_NO_USERNS=1 "$MKROOTFS" -q --cache "$out/cache2" \
        --tests "$src/etc" -o "$out/default.ext4"
    e2fsck_clean "$out/default.ext4"
    bad=$(image_ls "$out/default.ext4" | awk '$3 != 0 || $4 != 0' | sed 's/ size=.*//')
    expect_eq "non-root-owned files in the default image" "$bad" "/etc/shadow 100640 0 42
/home/user 40755 1000 1000
/var/local 42775 0 50
/var/log/btmp 100660 0 43
/var/log/lastlog 100664 0 43
/var/log/wtmp 100664 0 43
/var/mail 42775 0 8"
fi
exit 0
