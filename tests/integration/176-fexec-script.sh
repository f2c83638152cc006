#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/fexec-script: fexecve of a #! script in the image names it
# /dev/fd/N to its interpreter (it was "": "sh: cannot open"); from a
# close-on-exec fd it is ENOENT (it ran), there and in a bind.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" fexec-script /tmp
run_guest_test "--change-id 1000:1000 -R" fexec-script /tmp
done_test
