#!/bin/bash
# SPDX-License-Identifier: MIT
# Stress tests: tests/stress/*.sh, each bounded by a timeout (default 300 s).
# usage: run.sh [NAME-FILTER...]
exec bash "$(dirname "$0")/../lib/runner.sh" "$(dirname "$0")" "${KBOX_STRESS_TIMEOUT:-300}" "$@"
