#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# File capabilities are granted at exec, as Linux's commoncap does: a
# copy of cat marked cap_dac_read_search+ep (what setcap writes, as
# Debian's postinsts do for ping, newuidmap, ...) reads a root-only
# file for a guest user, and its /proc/self/status shows the capability
# permitted and effective; +p alone gives it permitted, not effective.
# kbox stored security.capability but ran such programs with the
# caller's capabilities (EACCES). Found running admin tools in a guest.
. "$(dirname "$0")/lib/common.sh"
require
require_cmd python3
# v2 values: magic|effective flag, permitted (bit 2: CAP_DAC_READ_SEARCH)
kbo "$TMP/setup" -S "$IMG" -- /usr/bin/python3 -c '
import os, struct
prog = open("/bin/cat", "rb").read()
for n, flags in (("capep", 1), ("capp", 0), ("nocap", None)):
    d = "/var/tmp/" + n
    with open(d, "wb") as f:
        f.write(prog)
    os.chmod(d, 0o755)
    if flags is not None:
        os.setxattr(d, "security.capability",
                    struct.pack("<5I", 0x02000000 | flags, 1 << 2, 0, 0, 0))
with open("/var/tmp/secret", "w") as f:
    f.write("root-only\n")
os.chmod("/var/tmp/secret", 0o600)
print("setup done")'
expect_status 0 $? "setup as guest root"
expect_grep "^setup done$" "$TMP/setup" "setup printed its line"

kbo "$TMP/ep" --change-id 1000:1000 -R "$IMG" -- /var/tmp/capep /var/tmp/secret
expect_status 0 $? "cap_dac_read_search+ep program reads a 0600 root file"
expect_grep "^root-only$" "$TMP/ep" "its content"

kbo "$TMP/eps" --change-id 1000:1000 -R "$IMG" -- /var/tmp/capep /proc/self/status
expect_grep "^CapPrm:[[:space:]]+0000000000000004$" "$TMP/eps" "+ep: permitted"
expect_grep "^CapEff:[[:space:]]+0000000000000004$" "$TMP/eps" "+ep: effective"

kbo "$TMP/p" --change-id 1000:1000 -R "$IMG" -- /var/tmp/capp /var/tmp/secret
expect_status 1 $? "cap_dac_read_search+p program: not effective, EACCES"
kbo "$TMP/ps" --change-id 1000:1000 -R "$IMG" -- /var/tmp/capp /proc/self/status
expect_grep "^CapPrm:[[:space:]]+0000000000000004$" "$TMP/ps" "+p: permitted"
expect_grep "^CapEff:[[:space:]]+0000000000000000$" "$TMP/ps" "+p: not effective"

kbo "$TMP/no" --change-id 1000:1000 -R "$IMG" -- /var/tmp/nocap /var/tmp/secret
expect_status 1 $? "the same program without capabilities: EACCES"
expect_grep "Permission denied" "$TMP/no" "its error"
kbo "$TMP/nos" --change-id 1000:1000 -R "$IMG" -- /var/tmp/nocap /proc/self/status
expect_grep "^CapEff:[[:space:]]+0000000000000000$" "$TMP/nos" "no capability gained"

done_test
