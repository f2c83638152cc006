#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# kbox's own lookup of the command on PATH cut a candidate longer than a
# path short (snprintf into PATH_MAX) and judged what was left: a PATH
# entry of 4083 slashes and usr/bin made `truezzzz` into
# ////...usr/bin/true, which kbox ran (status 0) where execvp's execve
# fails with ENAMETOOLONG, passes the entry over and the command is not
# found (127). With and without a bind (its walk), and the same entry
# before a real one still finds the real command.
. "$(dirname "$0")/lib/common.sh"
require
pad=$(printf '%*s' 4083 '' | tr ' ' /)
long="${pad}usr/bin" # + "/true" is 4095 characters: a path; + "/truezzzz" is not
[ "$((${#long} + 5))" -eq 4095 ] || fail "the entry's length: ${#long}"
mkdir -p "$TMP/tools"

KB_WRAP="env PATH=$long" kbo "$TMP/o1" -S "$IMG" -- truezzzz
expect_status 127 $? "a command whose candidate is too long is not found"
expect_grep 'truezzzz' "$TMP/o1" "kbox names it"
KB_WRAP="env PATH=$long" kbo "$TMP/o2" -S "$IMG" -b "$TMP/tools:/opt/tools" -- truezzzz
expect_status 127 $? "the same with a bind (kbox's walk)"
KB_WRAP="env PATH=$long" kbo "$TMP/o3" -S "$IMG" -- true
expect_status 0 $? "the entry itself is fine for a shorter name"
KB_WRAP="env PATH=$long:/bin" kbo "$TMP/o4" -S "$IMG" -- sh -c 'echo found'
expect_status 0 $? "the next entry is looked in"
expect_grep '^found$' "$TMP/o4" "the real command runs"
done_test
