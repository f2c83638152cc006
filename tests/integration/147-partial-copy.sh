#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/partial-copy: reads and writes of image files whose buffer
# runs into an unmapped page copy up to it and return that count, a read
# moving the offset by that much only (kbox returned EFAULT, and a read
# had consumed the bytes); an iovec no address space holds is EFAULT.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" partial-copy /root
run_guest_test "--change-id 1000:1000 -R" partial-copy /var/tmp
done_test
