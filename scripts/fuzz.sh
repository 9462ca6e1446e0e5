#!/usr/bin/env bash
# The libFuzzer targets of tests/fuzz, each run for SECONDS (default 60) from a copy of its seed
# corpus (tests/fuzz/corpus/NAME; the repository is never written). Builds the `fuzz` preset
# (clang, build-fuzz/). Prints one summary line per target; exits non-zero if any target
# crashed, leaked, hit a sanitizer report or timed out, leaving the reproducer and log in the
# kept work directory.
#   scripts/fuzz.sh [SECONDS] [TARGET...]      TARGET: line bpf_insn expression dump vmcoreinfo dwarf btf
# Longer runs: scripts/fuzz.sh 3600 dump; or run build-fuzz/tests/fuzz/kdive_fuzz_NAME directly
# with libFuzzer's options (-jobs=N -workers=N, -max_total_time, a corpus directory of your own).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SECONDS_PER_TARGET=${1:-60}
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(line bpf_insn expression vmcoreinfo dump dwarf btf)

mkdir -p build-fuzz
cmake --preset fuzz > build-fuzz/fuzz-build.log 2>&1 &&
    cmake --build build-fuzz -j"$(nproc)" --target "${TARGETS[@]/#/kdive_fuzz_}" >> build-fuzz/fuzz-build.log 2>&1 ||
    { cat build-fuzz/fuzz-build.log; echo "[fuzz] build failed" >&2; exit 1; }

# allocator_may_return_null: libkdumpfile asks malloc for what a corrupt header says (terabytes)
# and handles NULL; kdive's own allocations still fail loudly (bad_alloc is a crash). Leaks
# inside libraries kdive cannot fix are suppressed by name (tests/lsan.supp says which).
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}allocator_may_return_null=1
export LSAN_OPTIONS=suppressions=$ROOT/tests/lsan.supp
# Did the crash in LOG happen inside libkdumpfile/libaddrxlat: is one of them on the stack
# above the first frame of kdive's own code (libc's memcpy under it counts as theirs)?
in_library() {
    awk '/^==[0-9]+==ERROR: AddressSanitizer/ { on = 1; next }
         on && /#[0-9]+ / {
             if ($0 ~ /\/lib(kdumpfile|addrxlat)\.so/) { found = 1; exit }
             if ($0 ~ / in (kdive::|LLVMFuzzerTestOneInput)/ || $0 ~ /\.(cpp|hpp):[0-9]+/) exit
         }
         END { exit !found }' "$1"
}
# KDIVE_FUZZ_SEED fixes libFuzzer's random seed and turns SECONDS into a fixed number of runs
# (SECONDS x the target's nominal rate below, about half of what an idle 2-core machine
# does under ASan): the test command then replays exactly the same inputs every time, so a CI
# run fails on a bug that a local run of the same commit also finds, not on how busy the
# machine was. A time cap of 3 x SECONDS still bounds a slow machine. Unset: time-bound runs
# that explore anew each time.
declare -A NOMINAL_RATE=([line]=6000 [bpf_insn]=4000 [expression]=3000 [vmcoreinfo]=8000 [dump]=150 [dwarf]=1500 [btf]=20000)
SEED=${KDIVE_FUZZ_SEED:+-seed=$KDIVE_FUZZ_SEED}
WORK=$(mktemp -d /tmp/kdive-fuzz.XXXXXX)
failed=0 keep=0
for t in "${TARGETS[@]}"; do
    bin=$ROOT/build-fuzz/tests/fuzz/kdive_fuzz_$t
    corpus=$WORK/$t/corpus
    mkdir -p "$corpus" "$WORK/$t/artifacts"
    [ -d "tests/fuzz/corpus/$t" ] && cp -r tests/fuzz/corpus/"$t"/. "$corpus"/
    # The DWARF target's seeds are the sample program compiled by the build (executable, .o).
    [ "$t" = dwarf ] && cp build-fuzz/tests/fuzz/types_sample build-fuzz/tests/fuzz/types_sample.o "$corpus"/
    # -rss_limit_mb: a dump header asking for gigabytes is a bug to report, not to swap for.
    # -timeout: one input taking 25 s is a hang (walks of mutated page tables included).
    # A crash inside libkdumpfile or libaddrxlat themselves (frame #0 in the library, kdive's
    # checks passed) is counted and kept, and fuzzing goes on for the time left: kdive can
    # only refuse such input before the library sees it, case by case.
    rc=0 execs=0 rate= cov= libcrash=0 n=0 budget=0 limit=
    wall=$SECONDS_PER_TARGET
    if [ -n "$SEED" ]; then
        budget=$(( SECONDS_PER_TARGET * ${NOMINAL_RATE[$t]:-1000} ))
        wall=$(( SECONDS_PER_TARGET * 3 ))
    fi
    end=$(( $(date +%s) + wall ))
    while left=$(( end - $(date +%s) )); [ "$left" -gt 2 ]; do
        if [ "$budget" -gt 0 ]; then
            [ "$execs" -lt "$budget" ] || break
            limit=-runs=$(( budget - execs ))
        fi
        n=$((n + 1))
        log=$WORK/$t/log.$n
        rc=0
        (cd "$WORK/$t" && "$bin" -max_total_time="$left" $limit -rss_limit_mb=2048 -timeout=25 $SEED \
            -print_final_stats=1 -artifact_prefix="$WORK/$t/artifacts/" "$corpus") > "$log" 2>&1 || rc=$?
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
        execs=$((execs + ${runs:-1}))
        rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
        cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
        [ "$rc" -eq 0 ] && break
        if in_library "$log"; then
            libcrash=$((libcrash + 1))
            mkdir -p "$WORK/$t/library"
            mv "$WORK/$t/artifacts/"* "$WORK/$t/library/" 2>/dev/null || true
            cp "$log" "$WORK/$t/library/"
            rc=0
            continue
        fi
        break
    done
    if [ "$rc" -eq 0 ]; then
        note=
        [ "$libcrash" -gt 0 ] && note=", $libcrash crash(es) inside libkdumpfile/libaddrxlat kept in $WORK/$t/library"
        printf '[fuzz] %-11s ok      %s, %s runs (%s/s), coverage %s, corpus %s%s\n' "$t" \
            "${SEED:+seed ${KDIVE_FUZZ_SEED}, }$(( $(date +%s) - end + wall ))s" "$execs" "${rate:-?}" \
            "${cov:-?}" "$(ls "$corpus" | wc -l)" "$note"
        [ "$libcrash" -gt 0 ] && keep=1
    else
        failed=1
        printf '[fuzz] %-11s FAILED  exit %s after %s runs; log %s, reproducer %s\n' "$t" "$rc" \
            "$execs" "$log" "$(ls -d "$WORK/$t/artifacts/"* 2>/dev/null | head -1)"
        grep -m1 -E 'ERROR: (AddressSanitizer|libFuzzer|LeakSanitizer)|runtime error' "$log" || true
    fi
done
if [ "$failed" -eq 0 ] && [ "$keep" -eq 0 ]; then
    rm -rf "$WORK"
else
    echo "[fuzz] kept $WORK (reproduce: build-fuzz/tests/fuzz/kdive_fuzz_NAME ARTIFACT)" >&2
fi
exit "$failed"
