#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The historical-bug regression suite: proves that the invariant and
# lock checkers catch real bugs.  Each tests/bugs/NAME.scn replays the
# sequence that exposed the bug switch NAME (include/anonvma/system.h,
# enum anonvma_bug) and is run twice with the checker after every step:
#   - switch off (`anonvma run --check`): the run must pass;
#   - switch on (`--bug NAME`): the run must fail with an invariant
#     violation (which includes locks left held and kernel assertions)
#     or a lock-rule report - a failed expectation alone does not count.
# A file may not switch a bug on itself (`bug` line): the suite does.
#
#   scripts/check.d/bugs.sh BUILD_DIR
# Ends with "N passed, N failed" (two checks per file).
set -u

build=${1:?usage: bugs.sh BUILD_DIR}
anonvma=$build/anonvma
dir=tests/bugs
pass=0
fail=0

if [ ! -x "$anonvma" ]; then
	echo "bugs.sh: $anonvma not built"
	echo "0 passed, 1 failed"
	exit 1
fi

shopt -s nullglob
files=("$dir"/*.scn)
if [ ${#files[@]} -eq 0 ]; then
	echo "bugs.sh: no scenario in $dir"
	echo "0 passed, 1 failed"
	exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for f in "${files[@]}"; do
	bug=$(basename "$f" .scn)
	if grep -qE '^[[:space:]]*bug[[:space:]]' "$f"; then
		echo "FAIL $f: has its own 'bug' line; the suite switches $bug on and off"
		fail=$((fail + 2))
		continue
	fi

	# Switch off: a clean run.
	"$anonvma" run --check --quiet "$f" > "$tmp/off.out" 2> "$tmp/off.err"
	rc=$?
	if [ "$rc" -eq 0 ]; then
		pass=$((pass + 1))
	else
		echo "FAIL $f: does not pass with $bug off (exit $rc):"
		sed 's/^/  /' "$tmp/off.err" | head -n 20
		fail=$((fail + 1))
	fi

	# Switch on: the checker must say so.
	# In a subshell, so that the shell's report of an abort goes to the log.
	("$anonvma" run --check --quiet --bug "$bug" "$f" > "$tmp/on.out"; exit $?) \
		2> "$tmp/on.err"
	rc=$?
	if [ "$rc" -eq 2 ]; then
		echo "FAIL $f: '$bug' is not a bug switch, or the file does not parse:"
		sed 's/^/  /' "$tmp/on.err" | head -n 5
		fail=$((fail + 1))
	elif grep -q 'lock rule broken' "$tmp/on.err"; then
		echo "ok   $f: $bug caught by the lock checker"
		pass=$((pass + 1))
	elif [ "$rc" -eq 1 ] && grep -q ': invariant violation after step' "$tmp/on.err"; then
		echo "ok   $f: $bug caught: $(grep -m1 ': invariant violation after step' "$tmp/on.err" | sed 's/.*): //')"
		pass=$((pass + 1))
	else
		echo "FAIL $f: $bug on is not caught by the invariant or lock checker (exit $rc):"
		sed 's/^/  /' "$tmp/on.err" | head -n 20
		fail=$((fail + 1))
	fi
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
