#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/mt-restart: a signal sent to a process of several threads
# ends an flock wait or a FIFO read served by lx as natively: with
# SA_RESTART the handler runs and the call waits again (without it,
# EINTR), and SIGSTOP + SIGCONT leave it waiting - whether the waiting
# thread is the leader (the kernel flags it first) or the only thread not
# blocking the signal. kbox failed every such call with EINTR as soon as
# the process had a second thread, and a stop of a process whose
# non-leader thread waited in lx never completed (the thread never joined
# the group stop: WUNTRACED waited for ever). Found by sig-fuzz.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" mt-restart /root
run_guest_test "--change-id 1000:1000 -R" mt-restart /tmp
done_test
