#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/clone-share threadself: /proc/thread-self/status (and
# /proc/self/task/<tid>/status) of a thread that unshared CLONE_FS and
# set its umask, or changed its euid by a raw setresuid, shows the
# thread's Umask and Uid; kbox showed the process's (its main thread's).
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" clone-share threadself /var/tmp
run_guest_test "--change-id 1000:1000 -R" clone-share threadself /tmp
done_test
