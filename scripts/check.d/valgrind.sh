#!/bin/bash
# SPDX-License-Identifier: MIT
#
# valgrind --leak-check=full over the corpus, the unit tests and the
# error paths (`--fail-each`): no invalid access, no use of undefined
# memory, no leak.
#
#   scripts/check.d/valgrind.sh BUILD_DIR          the subset make check runs
#   scripts/check.d/valgrind.sh BUILD_DIR full     everything (make valgrind)
#
# The subset: every scenario of tests/scenarios and tests/bugs, every
# unit test except the slow ones (VALGRIND_SLOW, minutes under
# valgrind), and --fail-each over FAIL_EACH_SAMPLE (each point runs in a
# child, which valgrind follows: a leak or an invalid access on an error
# path makes that child exit with status 1, a violation of the sweep).
# `full` adds the slow unit tests and --fail-each over the whole corpus
# (about ten minutes).  test_kernel_exec never runs under valgrind: it
# drives host processes in the scenario window, where valgrind's own
# mappings may lie, and uses system calls valgrind does not know.
#
# A sanitizer build cannot run under valgrind: the suite is skipped.
# Ends with "N passed, N failed" or "N passed, N failed, N skipped".
set -u

build=${1:?usage: valgrind.sh BUILD_DIR [full]}
mode=${2:-subset}
anonvma=$build/anonvma
VALGRIND=${VALGRIND:-valgrind}
VALGRIND_SLOW=${VALGRIND_SLOW:-test_fuzz test_rbtree}
VALGRIND_NEVER="test_kernel_exec"
FAIL_EACH_SAMPLE=${FAIL_EACH_SAMPLE:-"tests/scenarios/5.3-02-mprotect-restore.scn tests/scenarios/6.10-fork-exit-loop.scn tests/scenarios/extra-swap-migrate-keep-sharing.scn tests/scenarios/6.6-mremap-dontunmap-uaf.scn tests/bugs/dup-stale-anon-vma.scn"}
# valgrind's own exit status, told apart from the programs' failures.
VG_STATUS=99
VG_FLAGS=(--leak-check=full --errors-for-leak-kinds=definite,indirect,possible
	  --show-leak-kinds=definite,indirect,possible
	  --error-exitcode=$VG_STATUS -q)

if ! command -v "$VALGRIND" > /dev/null 2>&1; then
	echo "skipped: valgrind is not installed (apt-get install valgrind)"
	echo "0 passed, 0 failed, 1 skipped"
	exit 0
fi
if [ ! -x "$anonvma" ]; then
	echo "valgrind.sh: $anonvma not built"
	echo "0 passed, 1 failed"
	exit 1
fi
if grep -qaE '__asan_init|__tsan_init' "$anonvma"; then
	echo "skipped: $build is a sanitizer build; valgrind runs on the plain build"
	echo "0 passed, 0 failed, 1 skipped"
	exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

# vg NAME CMD...: one program under valgrind; it must pass, and valgrind
# must find nothing.
vg() {
	local name=$1
	shift
	if "$VALGRIND" "${VG_FLAGS[@]}" "$@" > "$tmp/out" 2>&1; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL $name:"
		grep -vE '^\[ +(OK|RUN) +\]' "$tmp/out" | head -n 40 | sed 's/^/  /'
	fi
}

# vg_sweep FILE: --fail-each under valgrind.  Only what valgrind finds
# counts here, in the sweep or in one of its child runs (exit status
# $VG_STATUS); the sweep's own verdicts are fail-each.sh's.
vg_sweep() {
	local f=$1 rc
	"$VALGRIND" "${VG_FLAGS[@]}" "$anonvma" run --fail-each "$f" \
		> "$tmp/out" 2>&1
	rc=$?
	if [ "$rc" -ne "$VG_STATUS" ] && [ "$rc" -ne 2 ] &&
	   ! grep -q "the run died (exit status $VG_STATUS)" "$tmp/out"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL --fail-each $f under valgrind (exit $rc):"
		grep -v '^fail-each ' "$tmp/out" | head -n 40 | sed 's/^/  /'
	fi
}

in_list() {
	local x=$1 w
	shift
	for w in "$@"; do
		[ "$x" = "$w" ] && return 0
	done
	return 1
}

shopt -s nullglob
for f in tests/scenarios/*.scn tests/bugs/*.scn; do
	vg "$f" "$anonvma" run --check --quiet "$f"
done

for t in "$build"/tests/test_*; do
	[ -x "$t" ] && [ -f "$t" ] || continue
	case "$t" in *.d | *.log) continue ;; esac
	n=$(basename "$t")
	# shellcheck disable=SC2086
	in_list "$n" $VALGRIND_NEVER && continue
	# shellcheck disable=SC2086
	if [ "$mode" != full ] && in_list "$n" $VALGRIND_SLOW; then
		echo "not in the subset: $n (make valgrind runs it)"
		continue
	fi
	vg "$n" "$t"
done

if [ "$mode" = full ]; then
	sample=(tests/scenarios/*.scn tests/bugs/*.scn)
else
	# shellcheck disable=SC2206
	sample=($FAIL_EACH_SAMPLE)
fi
for f in "${sample[@]}"; do
	vg_sweep "$f"
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
