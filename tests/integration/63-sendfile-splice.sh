#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# sendfile and splice with an image file at one end (tests/guest/
# sendfile-splice): file to file, to a pipe, to a socket, pipe to file,
# EAGAIN, EPIPE, a signal in a blocked call, and the misuse errors. They
# failed with EINVAL whenever an image file was involved (a web server
# sending a file from the image to a socket could not).
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" sendfile-splice /var/tmp
run_guest_test "--change-id 1000:1000 -R" sendfile-splice /tmp
run_guest_test "-0 -r" sendfile-splice /root
done_test
