#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# --change-id takes names as well as numbers, for each part, looked up in
# the IMAGE's /etc/passwd and /etc/group (the default image has
# user:x:1000:1000, staff 50, users 100 listing user); a user alone gets
# its primary group there, as su gives it. An unknown name is one line
# naming it and a non-zero exit before anything runs. It took numbers only.
. "$(dirname "$0")/lib/common.sh"
require

ids() { # SPEC WANT: `id -u; id -g; id -G` under --change-id SPEC
	kbo "$TMP/out" --change-id "$1" -R "$IMG" -- /bin/sh -c \
		'echo $(id -u) $(id -g) / $(id -G) $USER'
	local st=$?
	[ "$st" -eq 0 ] && [ "$(cat "$TMP/out")" = "$2" ] &&
		pass "--change-id $1: $2" ||
		fail "--change-id $1: status $st, '$(cat "$TMP/out")', want '$2'"
}
ids user "1000 1000 / 1000 100 user"
ids user:staff "1000 50 / 50 100 user"
ids 1000:staff "1000 50 / 50 100 user"
ids 1000 "1000 1000 / 1000 100 user"
ids user:100 "1000 100 / 100 user"
ids nobody:nogroup "65534 65534 / 65534 nobody"
ids 1000:1000 "1000 1000 / 1000 100 user"

unknown() { # SPEC MESSAGE
	kbo "$TMP/out" --change-id "$1" -R "$IMG" -- /bin/sh -c 'touch /ran'
	local st=$?
	[ "$st" -ne 0 ] && pass "--change-id $1 fails (status $st)" ||
		fail "--change-id $1: status 0"
	[ "$(wc -l <"$TMP/out")" -eq 1 ] && pass "--change-id $1: one line" ||
		fail "--change-id $1: $(cat "$TMP/out")"
	expect_grep "^kbox: --change-id: $2" "$TMP/out" "--change-id $1 says why"
}
unknown alice "no user 'alice' in the image's /etc/passwd$"
unknown user:wheel "no group 'wheel' in the image's /etc/group$"
unknown 4242 "uid 4242 has no entry in the image's /etc/passwd"
kbo "$TMP/out" -S "$IMG" -- /bin/sh -c 'ls /ran 2>&1'
expect_grep 'No such file' "$TMP/out" "nothing ran for an unknown name"
done_test
