#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Interactive zsh in a pty, as root and as user 1000, as a user at a
# terminal: prompt, echo, history recall (up-arrow), Ctrl-A/Ctrl-E, tab
# completion of a file name, Ctrl-C of sleep 30, Ctrl-Z/jobs/bg/fg, kill
# %1 + wait, a pipeline stopped and resumed, cat reading the terminal until
# Ctrl-D, a background job reading the terminal (SIGTTIN), exit 3 gives
# status 3. zsh comes from bookworm (image built once and cached; no
# fetch, no test). See lib/shelldrive.py and lib/shells.sh.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/shells.sh"
require
require_cmd python3
shells_img "$TMP/sh.ext4"
shell_session "zsh -S" zsh "$KBOX" -S "$TMP/sh.ext4" -- /bin/zsh -f -i
shell_session "zsh as 1000" zsh "$KBOX" -R "$TMP/sh.ext4" --change-id 1000:1000 \
	-- /bin/zsh -f -i
image_clean "$TMP/sh.ext4"
done_test
