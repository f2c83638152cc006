#!/bin/bash
# Bad input gives one clear "mkrootfs: error: ..." line, exit status 1, and
# no image (nor temporary file) under the output name; an existing image
# is left untouched.
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"
cd "$TEST_TMP" || exit 1
cache=$TEST_TMP/cache

# expect_error PATTERN ARGS...: mkrootfs fails with one matching error line
expect_error()
{
    local pat=$1 rc=0
    shift
    "$MKROOTFS" --cache "$cache" "$@" >out 2>err || rc=$?
    expect_eq "exit status of mkrootfs $*" "$rc" 1
    grep -q "^mkrootfs: error: $pat" err || {
        cat err >&2
        fail "mkrootfs $*: error does not match '$pat'"
    }
    expect_eq "error lines of mkrootfs $*" "$(grep -c . err)" 1
    compgen -G '*.tmp' >/dev/null && fail "temporary file left after mkrootfs $*"
    return 0
}

mkdir -p small && echo x >small/f
head -c 20000000 /dev/urandom >small/big

expect_error "unknown package: no-such-package-kbox" --packages "no-such-package-kbox" -o a.ext4
[ -e a.ext4 ] && fail "a.ext4 created for an unknown package"
expect_error "bad package name" --packages "Bad;Name" -o a.ext4
expect_error "--from $TEST_TMP/nonexistent: no such file" --from "$TEST_TMP/nonexistent" -o a.ext4
echo junk >notatarball.txt
expect_error "--from notatarball.txt: not a directory or a .tar" --from notatarball.txt -o a.ext4
echo junk >broken.tar.gz
expect_error "--from broken.tar.gz: cannot extract" --from broken.tar.gz -o a.ext4
expect_error "output directory $TEST_TMP/no/such/dir does not exist" --from small -o "$TEST_TMP/no/such/dir/a.ext4"
mkdir adir
expect_error "output adir is a directory" --from small -o adir
expect_error "cannot write" --from small -o /proc/kbox-test.ext4
expect_error "bad --size" --from small --size lots -o a.ext4
expect_error "unknown argument: --bogus" --bogus
expect_error "option --from needs an argument" --from
expect_error "--kbox $TEST_TMP/no-kbox: not an executable file" --kbox "$TEST_TMP/no-kbox" -o a.ext4

# the default image's maintainer scripts run under kbox: a tree without
# a built kbox and no --kbox is one error, before any download
mkdir -p nokbox/scripts && cp "$MKROOTFS" nokbox/scripts/
MKROOTFS=$PWD/nokbox/scripts/mkrootfs.sh expect_error "the default image needs --kbox" -o a.ext4
[ -e a.ext4 ] && fail "a.ext4 created without a kbox"

# no space: 20 MB of content into an 8 MB image
expect_error "mke2fs failed: .*out of space" --from small --size 8M -o a.ext4
[ -e a.ext4 ] && fail "a.ext4 left after running out of space"

# a failing rebuild leaves the previous image alone
echo previous >keep.ext4
expect_error "mke2fs failed" --from small --size 8M -o keep.ext4
expect_eq "previous image" "$(cat keep.ext4)" previous

if can_drop_root; then
    # real permission checks need an unprivileged user
    mkdir -p nobody-home locked/inner ro && echo x >locked/inner/f
    chmod 700 locked/inner
    chmod 755 "$TEST_TMP" locked ro
    chmod 555 ro
    chown -R 65534:65534 nobody-home
    for args in "--from $TEST_TMP/locked -o $TEST_TMP/nobody-home/a.ext4" \
        "--from $TEST_TMP/small -o $TEST_TMP/ro/a.ext4"; do
        rc=0
        # shellcheck disable=SC2086
        as_nobody "$MKROOTFS" --cache "$TEST_TMP/nobody-home/cache" $args >out 2>err || rc=$?
        expect_eq "exit status as nobody ($args)" "$rc" 1
        grep -Eq '^mkrootfs: error: (--from .*: cannot read .*Permission denied|cannot write output .*not writable)' err || {
            cat err >&2
            fail "unexpected error as nobody: $args"
        }
    done
    [ -e nobody-home/a.ext4 ] && fail "image left from an unreadable --from dir"
    [ -e ro/a.ext4 ] && fail "image in a read-only directory"
fi
exit 0
