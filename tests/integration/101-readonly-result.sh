#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/readonly-result: results stored into read-only guest
# memory are EFAULT (kbox wrote them through the page protection: uname
# into a PROT_READ page succeeded, stat overwrote a const array).
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" readonly-result
done_test
