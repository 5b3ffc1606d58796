#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Every design against the whole corpus.  Each tests/scenarios/*.scn is
# run under each design (`anonvma run --check --quiet --design NAME`,
# which overrides a file's own `design` line) and the set of what failed
# is compared, exactly, with tests/designs/NAME.expected: a failure that
# is not listed, and a listed one that did not happen, both fail the
# suite.  A crash, a leak, a usage error, or a failing run that names no
# failure always fails it.  Then every tests/designs/*.scn (scenarios
# that show one design's nature, with their own `design` line) must
# pass as written.
#
# A failure is named FILE:LINE KIND, with FILE the scenario's base name:
#   expect          an expectation failed (`expect ...`, `read R == V`)
#   op              an operation failed that was not expected to
#   violation:INV   the invariant checker reported INV (I7, I11, VMA...)
#   locks           locks left held after the step
#   warn            kernel assertions (WARN_ON) fired in the step
#   FILE:end warn   WARN_ONs fired while the processes were torn down
# The .expected files hold one such name per line followed by "--" and
# the reason; '#' starts a comment.
#
#   scripts/check.d/designs.sh BUILD_DIR
# Ends with "N passed, N failed" (one check per design and scenario).
set -u

build=${1:?usage: designs.sh BUILD_DIR}
anonvma=$build/anonvma
# Keep in step with enum anonvma_design (include/anonvma/system.h).
designs="mainline v6.18 degree noreuse list single eager eager-rw"
pass=0
fail=0

if [ ! -x "$anonvma" ]; then
	echo "designs.sh: $anonvma not built"
	echo "0 passed, 1 failed"
	exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The failures a run reported on standard error, one name per line.
failure_names() {
	awk '
	/: expectation failed: / {
		split($0, a, ":"); n = split(a[1], p, "/")
		print p[n] ":" a[2] " expect"; next
	}
	/: operation failed: / {
		split($0, a, ":"); n = split(a[1], p, "/")
		print p[n] ":" a[2] " op"; next
	}
	/: invariant violation after step [0-9]+ \([^)]*\): / {
		split($0, a, ":"); n = split(a[1], p, "/")
		msg = $0; sub(/^.*: invariant violation after step [0-9]+ \([^)]*\): /, "", msg)
		if (msg ~ /^\.\.\. and [0-9]+ more$/) next
		if (msg ~ /^[0-9]+ locks still held$/) kind = "locks"
		else if (msg ~ /kernel assertions \(WARN_ON\) fired$/) kind = "warn"
		else { sub(/:.*/, "", msg); kind = "violation:" msg }
		print p[n] ":" a[2] " " kind; next
	}
	/kernel assertions \(WARN_ON\) fired at teardown$/ {
		split($0, a, ":"); n = split(a[1], p, "/")
		print p[n] ":end warn"; next
	}' | sort -u
}

# The names an .expected file lists for one scenario.
expected_names() {
	local file=$1 scn=$2

	sed -e 's/#.*//' "$file" |
		awk -v s="$scn" '{ split($1, a, ":"); if (a[1] == s) print $1, $2 }' |
		sort -u
}

for d in $designs; do
	exp=tests/designs/$d.expected
	if [ ! -f "$exp" ]; then
		echo "FAIL design $d: $exp is missing"
		fail=$((fail + 1))
		continue
	fi
	# Every listed line must give its reason.
	bad=$(sed -e 's/#.*//' "$exp" | awk 'NF && !($3 == "--" && NF > 3)' | head -n 3)
	if [ -n "$bad" ]; then
		echo "FAIL $exp: lines without 'NAME KIND -- reason':"
		echo "$bad" | sed 's/^/  /'
		fail=$((fail + 1))
	fi
	for s in tests/scenarios/*.scn; do
		scn=$(basename "$s")
		"$anonvma" run --check --quiet --design "$d" "$s" \
			> "$tmp/out" 2> "$tmp/err"
		rc=$?
		failure_names < "$tmp/err" > "$tmp/got"
		expected_names "$exp" "$scn" > "$tmp/want"
		problem=
		if [ "$rc" -gt 1 ]; then
			problem="exit status $rc (crash or usage error)"
		elif grep -q ': leak: ' "$tmp/err"; then
			problem="leaks: $(grep ': leak: ' "$tmp/err" | head -n 3 | tr '\n' ' ')"
		elif [ "$rc" -eq 1 ] && [ ! -s "$tmp/got" ]; then
			problem="failed without naming a failure"
		elif [ "$rc" -eq 0 ] && [ -s "$tmp/got" ]; then
			problem="passed while reporting failures"
		fi
		if [ -z "$problem" ] && cmp -s "$tmp/got" "$tmp/want"; then
			pass=$((pass + 1))
			continue
		fi
		fail=$((fail + 1))
		echo "FAIL design $d, $scn${problem:+: $problem}"
		comm -23 "$tmp/got" "$tmp/want" | while read -r name; do
			line=${name%% *}
			line=${line#*:}
			echo "  new:     $name: $(grep -m1 "$scn:$line: " "$tmp/err" | sed 's/^[^ ]* //')"
		done
		comm -13 "$tmp/got" "$tmp/want" | sed 's/^/  missing: /'
	done
	# Names for scenarios that no longer exist are stale.
	sed -e 's/#.*//' "$exp" | awk 'NF { split($1, a, ":"); print a[1] }' |
		sort -u | while read -r scn; do
			[ -f "tests/scenarios/$scn" ] ||
				echo "warning: $exp lists $scn, which is not in tests/scenarios"
		done
done

# Scenarios that show a design's nature, each with its own design line.
for s in tests/designs/*.scn; do
	[ -f "$s" ] || continue
	if "$anonvma" run --quiet "$s" > "$tmp/out" 2> "$tmp/err"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL $s:"
		sed 's/^/  /' "$tmp/err" | head -n 20
	fi
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
