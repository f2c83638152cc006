#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# busybox ash in a pty: the checks of 384-zsh-pty.sh plus vi and less
# stopped with Ctrl-Z and resumed with fg (the terminal's modes come back),
# a background write with `stty tostop` (SIGTTOU stops it); then zsh with
# the pty's master closed: the shell gets SIGHUP, kbox ends and leaves the
# image clean.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/shells.sh"
require
require_cmd python3
shells_img "$TMP/sh.ext4"
SHELL_CHECKS=edit,tab,intr,jobs,pipe,cat,vi,tostop,ttin,exit \
	shell_session "busybox ash -S" ash "$KBOX" -S "$TMP/sh.ext4" -- /bin/busybox ash -i
SHELL_CHECKS=hup shell_session "zsh, master closed" zsh "$KBOX" -S "$TMP/sh.ext4" \
	-- /bin/zsh -f -i
image_clean "$TMP/sh.ext4"
done_test
