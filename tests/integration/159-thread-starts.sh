#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/thread-starts: starting 2,000 threads that each make a
# supervised call took 15 s (native 0.12 s): each new thread's first call
# asked the host about every earlier thread of the process. Sweeps of gone
# threads are now amortized (src/dispatch/thread.c).
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" thread-starts 250
done_test
