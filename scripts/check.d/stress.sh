#!/bin/bash
# SPDX-License-Identifier: MIT
# The concurrency stress driver (docs/stress.md), short runs, in the build
# directory make check hands us (build, build-thread, build-address-undefined
# ...), so that under SANITIZE=thread or address the same runs are made by
# the sanitized driver.
#
#   scripts/check.d/stress.sh BUILD
#
# Environment: STRESS_SECONDS (main run, default 20), STRESS_SEED (1).
# Ends with "N passed, N failed".
set -u

build=${1:?usage: stress.sh BUILD}
bin=$build/stress/anonvma-stress
secs=${STRESS_SECONDS:-20}
seed=${STRESS_SEED:-1}
pass=0
fail=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

if [ ! -x "$bin" ]; then
	echo "stress: $bin not built (make stress, with this build's SANITIZE=)"
	echo "0 passed, 1 failed"
	exit 1
fi

ok() {
	echo "ok: $1"
	pass=$((pass + 1))
}

bad() {
	echo "FAILED: $1"
	tail -n 40 "$log"
	fail=$((fail + 1))
}

# run NAME EXPECTED_STATUS TIMEOUT PATTERN -- ARGS...: the driver must exit
# with EXPECTED_STATUS, its output must contain PATTERN (grep -E), and no
# sanitizer may have reported anything (UBSan goes on after a report, and
# TSan's exit status comes too late for a run that fails on purpose).
run() {
	local name=$1 want=$2 limit=$3 pattern=$4 rc
	shift 5
	timeout -s KILL "$limit" "$bin" "$@" > "$log" 2>&1
	rc=$?
	if grep -Eq 'WARNING: ThreadSanitizer|ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:' "$log"; then
		bad "$name: sanitizer report ($bin $*)"
	elif [ "$rc" -ne "$want" ]; then
		bad "$name: exit status $rc, expected $want ($bin $*)"
	elif ! grep -Eq -- "$pattern" "$log"; then
		bad "$name: output lacks /$pattern/ ($bin $*)"
	else
		ok "$name"
	fi
}

# The main run: operators and walkers on the mainline design, checks at
# pauses, everything torn down and counted at the end.
run "mainline, $secs s" 0 $((secs * 3 + 60)) '^PASS$' -- \
	--seconds "$secs" --threads 3 --walkers 2 --seed "$seed" \
	--check-every 2000 --watchdog 30

# Allocations failing now and then: every error path runs concurrently
# with walkers.  Mainline only: the host kernel's design (v6.18) has a
# real window there, two sibling forks reusing one anon_vma when a clone
# falls back to a sleeping allocation (docs/stress.md), which the checker
# reports as I11 (tests/unit/test_lockcheck.c reproduces it exactly).
run "mainline with injected allocation failures, 5 s" 0 120 '^PASS$' -- \
	--seconds 5 --fail-permille 5 --seed "$seed" --watchdog 30

# The host kernel's design.
run "v6.18, 5 s" 0 120 '^PASS$' -- \
	--seconds 5 --design v6.18 --seed "$seed" --watchdog 30

# The driver must be able to fail.  A hang: one thread stops with an mmap
# lock held; the watchdog names it and the walkers waiting behind it.
run "watchdog catches a hang" 3 120 '^anonvma-stress: HUNG .*: [a-z]+-[0-9]+ made no progress' -- \
	--seconds 100 --inject-hang --watchdog 3 --check-every 0 --seed "$seed"
if grep -A1 '"op-0" (innermost last):' "$log" | grep -Eq '#0 0x[0-9a-f]+ MMAP write' &&
   grep -Eq '^    waiting for 0x[0-9a-f]+ MMAP read$' "$log"; then
	ok "watchdog report: op-0 holds the mmap lock, walkers wait for it"
else
	bad "watchdog report does not show the holder and a waiter"
fi

# The seeds' bug (spec §6.8): clone returns with the root lock held after
# an allocation failure.  Caught as a lock left held or as the next lock
# taken out of order.
run "bug clone-no-unlock is caught" 1 120 \
	'FAILED .*(locks still held|lock rule broken)' -- \
	--seconds 30 --bug clone-no-unlock --fail-permille 20 --seed "$seed" \
	--watchdog 30

# The 2014 free order (spec §6.2): a child freed after its root.
run "bug put-root-first is caught" 1 120 'FAILED ' -- \
	--seconds 30 --bug put-root-first --seed "$seed" --watchdog 30

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
