#!/bin/bash
# SPDX-License-Identifier: MIT
#
# A smoke run of the fuzzer (docs/fuzzing.md), with fixed seeds so that
# `make check` stays repeatable:
#   1. 500 random scenarios on the model, invariant checker after every
#      step, under each of the two kernel designs: all must pass;
#   2. two historical bugs switched on (--bug): the fuzzer must find each
#      and shrink it to at most 12 operations, and the written file must
#      fail on its own under `anonvma run --check`;
#   3. 200 random scenarios against the host kernel (`--kernel`), all
#      must agree, when the kernel oracle can run here (root, tracefs,
#      PFNs); otherwise "skipped: <reason>".
#
#   scripts/check.d/fuzz-smoke.sh BUILD_DIR
# Ends with "N passed, N failed[, N skipped]" (one check per numbered
# run above and per design or bug).
set -u

build=${1:?usage: fuzz-smoke.sh BUILD_DIR}
anonvma=$build/anonvma
pass=0
fail=0
skipped=0

if [ ! -x "$anonvma" ]; then
	echo "fuzz-smoke.sh: $anonvma not built"
	echo "0 passed, 1 failed"
	exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { echo "ok: $*"; pass=$((pass + 1)); }
# The rate from a fuzz log's closing "fuzz: N scenarios in T s (R scenarios/s ..." line.
rate() { grep -E '^fuzz: [0-9]+ scenarios in' "$1" | grep -oE '[0-9.]+ scenarios/s' | head -n 1; }
bad() { echo "FAILED: $*"; fail=$((fail + 1)); }

# 1. The model alone.
for design in mainline v6.18; do
	log=$tmp/model-$design.log
	"$anonvma" fuzz --seed 1000 --count 500 --steps 40 --design "$design" \
		--out "$tmp/found-$design" > "$log" 2>&1
	rc=$?
	if [ "$rc" -eq 0 ] && grep -qx '500 passed, 0 failed' "$log"; then
		ok "500 scenarios on the model, design $design ($(rate "$log"))"
	else
		bad "fuzz on the model, design $design (exit $rc):"
		tail -n 20 "$log"
		cat "$tmp/found-$design"/*.scn 2>/dev/null | head -n 40
	fi
done

# 2. Known bugs are found and shrunk.
for bug in tag-child-nonexcl merge-no-copied-from; do
	log=$tmp/bug-$bug.log
	out=$tmp/bug-$bug
	"$anonvma" fuzz --seed 1 --count 600 --steps 40 --bug "$bug" \
		--max-failures 1 --out "$out" > "$log" 2>&1
	rc=$?
	file=$(ls "$out"/*.scn 2>/dev/null | head -n 1)
	if [ "$rc" -ne 1 ] || [ -z "$file" ]; then
		bad "--bug $bug: nothing found (exit $rc)"
		tail -n 20 "$log"
		continue
	fi
	ops=$(grep -o 'to [0-9]* operations' "$file" | head -n 1 | grep -o '[0-9]*')
	if [ -z "$ops" ] || [ "$ops" -gt 12 ]; then
		bad "--bug $bug: shrunk to ${ops:-?} operations, more than 12"
		cat "$file"
	elif "$anonvma" run --check --quiet "$file" > "$tmp/replay.log" 2>&1; then
		bad "--bug $bug: $file passes when replayed"
		cat "$file"
	else
		ok "--bug $bug found and shrunk to $ops operations"
	fi
done

# 3. Against the host kernel.
probe=$("$anonvma" fuzz --kernel --probe 2>&1)
if [ $? -ne 0 ]; then
	echo "skipped: kernel fuzz: ${probe#kernel oracle: unavailable: }"
	skipped=$((skipped + 1))
else
	log=$tmp/kernel.log
	"$anonvma" fuzz --kernel --seed 2000 --count 200 --steps 30 \
		--out "$tmp/found-kernel" > "$log" 2>&1
	rc=$?
	if [ "$rc" -eq 0 ] && grep -qx '200 passed, 0 failed' "$log"; then
		ok "200 scenarios on the model and the host kernel agree ($(rate "$log"))"
	else
		bad "fuzz against the kernel (exit $rc):"
		tail -n 20 "$log"
		cat "$tmp/found-kernel"/*.scn 2>/dev/null | head -n 60
	fi
fi

if [ "$skipped" -gt 0 ]; then
	echo "$pass passed, $fail failed, $skipped skipped"
else
	echo "$pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]
