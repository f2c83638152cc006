#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Interactive fish in a pty (the checks of 384-zsh-pty.sh, in fish's
# syntax), then its history, which fish writes at exit to a temporary
# file it renames into place, is in the image (kbox -S sets HOME=/root),
# and so is a universal variable (fish_variables, rewritten the same way).
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/shells.sh"
require
require_cmd python3
require_cmd debugfs
shells_img "$TMP/sh.ext4"
shell_session "fish -S" fish "$KBOX" -S "$TMP/sh.ext4" -- /bin/fish -i
hist=$(debugfs -R "cat /root/.local/share/fish/fish_history" "$TMP/sh.ext4" 2>/dev/null)
grep -q 'cmd: echo hist-' <<<"$hist" || fail "fish history not written: [$hist]"
grep -q 'cmd: cat /tmp/kbtabuniq_5d3f' <<<"$hist" ||
	fail "the tab-completed line is not in fish's history"
vars=$(debugfs -R "cat /root/.config/fish/fish_variables" "$TMP/sh.ext4" 2>/dev/null)
grep -qx 'SETUVAR kbox_uvar:uvar\\x2dok' <<<"$vars" ||
	fail "fish's universal variable not saved: [$(grep kbox_uvar <<<"$vars")]"
image_clean "$TMP/sh.ext4"
done_test
