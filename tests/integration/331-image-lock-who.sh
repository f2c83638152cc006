#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Two kbox runs on one image: the refusal says which kind of run holds
# it, so its advice is the one that helps. A writer holding it refused a
# second writer with "-m ro shares", and the -m ro run that advice led to
# was refused too; a read-only holder refused a writer as if it were a
# second writer. Each kind of refusal is one line; two read-only runs
# still share the image.
. "$(dirname "$0")/lib/common.sh"
require
img=$(own_img)

# hold IMG-OPTS...: a kbox that holds the image for 3 s, in the background
hold() {
	"$KBOX" "$@" "$img" -- /bin/sleep 3 </dev/null >"$TMP/holder.out" 2>&1 &
	holder=$!
	sleep 1 # it locks the image within milliseconds
}

hold -S
kbo "$TMP/rw-rw.out" -S "$img" -- /bin/true
expect_status 1 $? "a writer holds it: a second writer is refused"
expect_grep "^kbox: image '.*' is in use by a read-write kbox" "$TMP/rw-rw.out" "the second writer is told a writer holds it"
expect_no_grep "ro shares" "$TMP/rw-rw.out" "and not sent to -m ro, which is refused too"
kbo "$TMP/rw-ro.out" -m ro -S "$img" -- /bin/true
expect_status 1 $? "a writer holds it: a reader is refused"
expect_grep "^kbox: image '.*' is in use by a read-write kbox" "$TMP/rw-ro.out" "the reader is told a writer holds it"
wait "$holder"

hold -m ro -S
kbo "$TMP/ro-rw.out" -S "$img" -- /bin/true
expect_status 1 $? "a reader holds it: a writer is refused"
expect_grep "^kbox: image '.*' is in use by a read-only kbox .*-m ro shares it" "$TMP/ro-rw.out" "the writer is told a reader holds it and -m ro shares"
kbo "$TMP/ro-ro.out" -m ro -S "$img" -- /bin/echo shared
expect_status 0 $? "a reader holds it: a second reader runs"
expect_grep '^shared$' "$TMP/ro-ro.out" "and its command ran"
wait "$holder"
for f in rw-rw rw-ro ro-rw; do
	check "$f: the refusal is one line" [ "$(wc -l <"$TMP/$f.out")" -eq 1 ]
done
done_test
