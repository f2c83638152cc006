#!/bin/bash
# SPDX-License-Identifier: MIT
# Integration tests: tests/integration/*.sh, 15 minutes each at most.
# usage: run.sh [NAME-FILTER...]
exec bash "$(dirname "$0")/../lib/runner.sh" "$(dirname "$0")" "${KBOX_TEST_TIMEOUT:-900}" "$@"
