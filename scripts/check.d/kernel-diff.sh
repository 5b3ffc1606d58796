#!/bin/bash
# Every corpus scenario through `anonvma diff`: run on the host kernel and
# on the model (following the host kernel's rules), compared step by step
# (docs/kernel-executor.md).  Needs root, tracefs and visible PFNs; where
# the kernel oracle is unavailable, says "skipped: <reason>" and counts
# every scenario as skipped.
#   scripts/check.d/kernel-diff.sh BUILD
# Ends with "N passed, N failed[, N skipped]".
set -u

build=${1:?usage: kernel-diff.sh BUILD}
cd "$(dirname "$0")/../.." || exit 2
anonvma="$build/anonvma"
if [ ! -x "$anonvma" ]; then
	echo "kernel-diff: $anonvma not built"
	echo "0 passed, 1 failed"
	exit 1
fi

scenarios=(tests/scenarios/*.scn)
total=${#scenarios[@]}

probe=$("$anonvma" kernel --probe 2>&1)
rc=$?
if [ "$rc" -eq 77 ]; then
	echo "skipped: ${probe#skipped: }"
	echo "0 passed, 0 failed, $total skipped"
	exit 0
elif [ "$rc" -ne 0 ]; then
	echo "kernel-diff: the probe failed: $probe"
	echo "0 passed, 1 failed"
	exit 1
fi
echo "kernel-diff: $probe"

pass=0
fail=0
skipped=0
start=$(date +%s%N)
for s in "${scenarios[@]}"; do
	out=$("$anonvma" diff --quiet "$s" 2>&1)
	rc=$?
	echo "$out"
	if [ "$rc" -eq 0 ]; then
		pass=$((pass + 1))
	elif [ "$rc" -eq 77 ]; then
		# This build cannot run it on the kernel (a sanitizer's limits).
		skipped=$((skipped + 1))
	else
		fail=$((fail + 1))
		echo "FAILED (exit $rc): anonvma diff $s"
		# The full report, with both sides of the first divergence.
		"$anonvma" diff "$s" 2>&1 | sed 's/^/    /'
	fi
done
end=$(date +%s%N)
echo "kernel-diff: $total scenarios in $(((end - start) / 1000000)) ms"
if [ "$skipped" -gt 0 ]; then
	echo "$pass passed, $fail failed, $skipped skipped"
else
	echo "$pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]
