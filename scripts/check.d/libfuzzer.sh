#!/bin/bash
# SPDX-License-Identifier: MIT
# The libFuzzer suite of `make check` (docs/libfuzzer.md):
#
#  1. canaries: fuzz_ops replays a seed with a historical bug switched on
#     (FUZZ_OPS_BUGS) and must report it, so the harness is shown able
#     to fail;
#  2. the trace of each fuzz_ops seed (FUZZ_OPS_TRACE=1), where the
#     scenario language can say it all, replays with `anonvma run --check`;
#  3. each harness (fuzz_parse, fuzz_ops, fuzz_run, fuzz_trace) fuzzes for
#     LIBFUZZER_SECONDS seconds (default 60) and must find nothing.
#
#   scripts/check.d/libfuzzer.sh BUILD
#
# It builds with clang-19 into its own directory (build-libfuzzer), so
# it runs once, in the plain build's `make check`; the sanitizer builds'
# checks skip it.  Without clang-19 and libFuzzer it installs them when
# run as root (scripts/install-fuzz-deps.sh) and otherwise skips.
set -u

# The suite's runs must not follow the caller's harness settings.
unset FUZZ_DESIGNS FUZZ_OPS_BUGS FUZZ_OPS_TRACE
build=${1:-build}
secs=${LIBFUZZER_SECONDS:-60}
lfbuild=build-libfuzzer
pass=0
fail=0

if [ "$(basename "$build")" != build ]; then
	echo "skipped: the fuzzers build their own ASan+UBSan binaries; they run in the plain build's make check, not in $build's"
	echo "0 passed, 0 failed, 1 skipped"
	exit 0
fi
if ! scripts/install-fuzz-deps.sh --check; then
	if [ "$(id -u)" = 0 ]; then
		scripts/install-fuzz-deps.sh
	fi
	if ! scripts/install-fuzz-deps.sh --check; then
		echo "skipped: clang-19 with libFuzzer is not installed (scripts/install-fuzz-deps.sh as root)"
		echo "0 passed, 0 failed, 1 skipped"
		exit 0
	fi
fi

# Two `make check`s at once would build into and fuzz the same directory.
mkdir -p "$lfbuild"
exec 9> "$lfbuild/.lock"
flock 9

echo "== building the harnesses (make libfuzzer)"
if ! make --no-print-directory libfuzzer > "$lfbuild/build.log" 2>&1; then
	tail -n 30 "$lfbuild/build.log"
	echo "FAILED: make libfuzzer"
	echo "0 passed, 1 failed"
	exit 1
fi

# bug switch : the seed that reaches it : what the report must say
canaries=(
	"dup-stale-anon-vma:dup-fail:invariant violations"
	"tag-child-nonexcl:swapin-after-fork:invariant violations"
	"merge-no-copied-from:mremap-dontunmap-merge:(invariant violations|heap-use-after-free)"
	"put-root-first:fork-cow:(WARN_ON|invariant violations|heap-use-after-free)"
)
for c in "${canaries[@]}"; do
	IFS=: read -r bug seed want <<< "$c"
	log=$lfbuild/canary-$bug.log
	mkdir -p "$lfbuild/canary"
	FUZZ_OPS_BUGS=$bug "$lfbuild/fuzz_ops" -artifact_prefix="$lfbuild/canary/" \
		"tests/libfuzzer-corpus/ops/$seed" > "$log" 2>&1
	rc=$?
	if [ "$rc" -ne 0 ] && grep -qE "$want" "$log"; then
		echo "ok: fuzz_ops reports bug $bug on seed $seed"
		pass=$((pass + 1))
	else
		echo "FAILED: fuzz_ops did not report bug $bug on seed $seed (exit status $rc)"
		tail -n 15 "$log"
		fail=$((fail + 1))
	fi
done

# The trace of every seed that the scenario language can say in full
# must replay on the scenario executor and pass: fuzz_ops and
# `anonvma run` drive the model the same way.
if [ -x "$build/anonvma" ]; then
	for seed in tests/libfuzzer-corpus/ops/*; do
		scn=$lfbuild/trace-$(basename "$seed").scn
		FUZZ_OPS_TRACE=1 "$lfbuild/fuzz_ops" "$seed" > "$scn" 2> /dev/null
		grep -q '^#!' "$scn" && continue
		if "$build/anonvma" run --check --quiet "$scn" > "$scn.log" 2>&1; then
			pass=$((pass + 1))
		else
			echo "FAILED: the trace of $seed does not replay ($scn)"
			tail -n 5 "$scn.log"
			fail=$((fail + 1))
		fi
	done
	echo "ok: seed traces replayed with $build/anonvma"
else
	echo "note: no $build/anonvma, the seed traces were not replayed"
fi

# A fixed seed, so that CI runs the same inputs (within its time).
for n in fuzz_parse fuzz_ops fuzz_run fuzz_trace; do
	if tools/libfuzzer/run.sh "$lfbuild" "$n" "$secs" -seed="${LIBFUZZER_SEED:-1}"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
	fi
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
