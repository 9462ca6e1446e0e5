#!/usr/bin/env bash
# The tests: install what is needed, make (or reuse) every lab dump, build, run ctest (unit tests
# and the lab tests against real dumps); then the whole suite again built with ASan+UBSan (the
# `asan` preset, build-asan/), then every libFuzzer target replaying a fixed seed (scripts/fuzz.sh).
# Exits non-zero on any failure. KDIVE_TEST_QUICK=1 stops after the first suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
LAB=$(tests/lab/lab.sh)
# The lab on other Debian kernels (5.10, 6.12, unstable's): one directory per kernel.
KLABS=$(tests/lab-kernels/kernels.sh | paste -sd ';')
scripts/build.sh -DKDIVE_LAB_DIR="$LAB" -DKDIVE_LAB_KERNEL_DIRS="$KLABS"
# kernels-pending: lab checks on other kernels that kdive fails today (tests/CMakeLists.txt,
# docs/lab.md); run them with ctest -L kernels-pending.
(cd build && ctest --output-on-failure -j"$(nproc)" -LE kernels-pending)
[ "${KDIVE_TEST_QUICK:-0}" = 1 ] && exit 0

# Sanitizers: any report fails the test that triggered it (UBSan is made fatal at compile time
# too). Leaks are checked: kdive frees what it allocates (RAII), so a report is a real leak.
export ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:print_stacktrace=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp
cmake --preset asan -DKDIVE_LAB_DIR="$LAB" -DKDIVE_LAB_KERNEL_DIRS="$KLABS" >/dev/null
cmake --build build-asan -j"$(nproc)"
# A test that cannot run under ASan would get the ctest label no-asan (with the reason next to
# it in tests/CMakeLists.txt); none needs it today: the live guest test carries libasan in its
# initramfs (run-live.sh copies what ldd names) and passes, 10x slower under TCG.
(cd build-asan && ctest --output-on-failure -j"$(nproc)" -LE 'no-asan|kernels-pending')

# A fixed seed and, with it, a fixed number of runs per target: the same inputs on any machine,
# so CI is red for a bug a local run of the commit also finds, not by chance. Longer,
# exploring runs: scripts/fuzz.sh 3600 (docs/testing.md).
KDIVE_FUZZ_SEED=1 scripts/fuzz.sh 60
