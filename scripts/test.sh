#!/usr/bin/env bash
# The tests: install what is needed, make (or reuse) every lab dump, build, run ctest (unit tests
# and the lab tests against real dumps). Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
LAB=$(tests/lab/lab.sh)
scripts/build.sh -DKDIVE_LAB_DIR="$LAB"
cd build
ctest --output-on-failure -j"$(nproc)"
