#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/shmap-seek-data: a store through a shared mapping into a
# hole of a sparse file is data to SEEK_DATA/SEEK_HOLE at once, without
# msync, as on Linux (guest_programs_native.sh runs it natively): lx had
# not seen the store in the map's memfd and answered with the hole (cp's
# and tar's sparse copies then skip the data). Found by tests/guest/fsx.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" shmap-seek-data /root
run_guest_test "-S" shmap-seek-data /tmp
run_guest_test "--change-id 1000:1000 -R" shmap-seek-data /var/tmp
done_test
