#!/bin/bash
# scripts/deps.sh is silent and runs no apt-get when everything is
# installed (its time is printed, not asserted), and, when it cannot
# install, says what to run and fails.
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"
# an apt-get that records being called
mkdir "$TEST_TMP/bin"
printf '#!/bin/sh\necho "$*" >>"%s/apt-calls"\nexit 1\n' "$TEST_TMP" >"$TEST_TMP/bin/apt-get"
chmod 755 "$TEST_TMP/bin/apt-get"
start=$(date +%s%N)
out=$(PATH="$TEST_TMP/bin:$PATH" bash "$KBOX_ROOT/scripts/deps.sh" 2>&1) ||
    skip "packages missing here: $out"
ms=$((($(date +%s%N) - start) / 1000000))
echo "deps.sh took ${ms} ms"
expect_eq "deps.sh output" "$out" ""
[ ! -e "$TEST_TMP/apt-calls" ] || fail "deps.sh ran apt-get: $(cat "$TEST_TMP/apt-calls")"

# `make bench`'s group adds proot: asked for, it is checked (and would be
# installed); an unknown group is refused in one line.
rm -f "$TEST_TMP/apt-calls"
rc=0
out=$(PATH="$TEST_TMP/bin:$PATH" bash "$KBOX_ROOT/scripts/deps.sh" bench 2>&1) || rc=$?
if dpkg-query -W -f='${db:Status-Abbrev}' proot 2>/dev/null | grep -q '^ii'; then
    expect_eq "deps.sh bench output" "$out" ""
    expect_eq "deps.sh bench status" "$rc" 0
else
    grep -q "missing packages: proot" <<<"$out" || fail "deps.sh bench did not ask for proot: $out"
fi
rc=0
out=$(bash "$KBOX_ROOT/scripts/deps.sh" no-such-group 2>&1) || rc=$?
expect_eq "deps.sh unknown group status" "$rc" 2
expect_eq "deps.sh unknown group message" "$out" "deps.sh: unknown package group 'no-such-group' (known: bench)"

# A missing package, for a user who cannot install: the command to run.
if can_drop_root && ! command -v sudo >/dev/null 2>&1; then
    sed 's/^    e2fsprogs busybox-static cpio$/    e2fsprogs busybox-static cpio kbox-no-such-package/' \
        "$KBOX_ROOT/scripts/deps.sh" >"$TEST_TMP/deps.sh"
    chmod 755 "$TEST_TMP" "$TEST_TMP/deps.sh"
    rc=0
    as_nobody bash "$TEST_TMP/deps.sh" >"$TEST_TMP/out" 2>&1 || rc=$?
    cat "$TEST_TMP/out"
    expect_eq "deps.sh status" "$rc" 1
    grep -q "apt-get install -y --no-install-recommends kbox-no-such-package" "$TEST_TMP/out" ||
        fail "deps.sh did not print the install command"
fi
exit 0
