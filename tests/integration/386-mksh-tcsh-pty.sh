#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Interactive mksh and tcsh in a pty: the checks of 384-zsh-pty.sh.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/shells.sh"
require
require_cmd python3
shells_img "$TMP/sh.ext4"
shell_session "mksh -S" sh "$KBOX" -S "$TMP/sh.ext4" -- /bin/mksh -i
shell_session "tcsh -S" tcsh "$KBOX" -S "$TMP/sh.ext4" -- /bin/tcsh -f -i
image_clean "$TMP/sh.ext4"
done_test
