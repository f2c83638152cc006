#!/bin/bash
# SPDX-License-Identifier: MIT
#
# check-format.sh [--fix] - clang-format check (or fix) of our own C files.
# Folders src, include, tests, web; kernel/ follows the Linux kernel's
# style and is left out, as is build/.
# Prints ok/FAIL per file and "N passed, N failed" last.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

fix=0
[ "${1:-}" = --fix ] && fix=1
command -v clang-format >/dev/null 2>&1 || {
    echo "check-format: clang-format not installed (bash scripts/deps.sh)"
    echo "0 passed, 1 failed"
    exit 1
}

# Only the project's own source folders: a tree unpacked into the
# checkout (an image dumped with debugfs for a comparison) is not ours,
# and formatting it in place rewrote thousands of files.
mapfile -d '' files < <(find src include tests web \
    \( -name '.*' -a ! -name . \) -prune -o \
    -type f \( -name '*.c' -o -name '*.h' \) -print0 2>/dev/null | sort -z)

passed=0 failed=0
for f in "${files[@]}"; do
    f=${f#./}
    if [ "$fix" = 1 ]; then
        clang-format -i "$f" && echo "formatted $f"
        continue
    fi
    if clang-format --dry-run -Werror "$f" >/dev/null 2>&1; then
        echo "ok   $f"
        passed=$((passed + 1))
    else
        echo "FAIL $f (run: make format)"
        clang-format --dry-run "$f" 2>&1 | head -n 6 | sed 's/^/  /'
        failed=$((failed + 1))
    fi
done
[ "$fix" = 1 ] && exit 0
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
