#!/bin/bash
# SPDX-License-Identifier: MIT
# Real programs through the model (docs/record-replay.md):
#
#  1. every recording in tests/traces/ (made on a 6.18 host, the kernel's
#     anon_vma and anon_vma_chain events inside) replays with exact
#     agreement, operation by operation and layout by layout, with the
#     invariant checker every 1000 operations; no root needed;
#  2. image 2 of each (the command's first program) extracted as a
#     scenario (replay --extract) passes on the model with --check: the
#     expectations hold the kernel's counts, and the replay agreed;
#  3. when root and tracefs are there, fresh recordings of real programs
#     (a shell loop, a python multiprocessing pool, a gcc compile, make -j2
#     of a small project, a preforking server on 127.0.0.1) replay with
#     exact agreement too; elsewhere they
#     are "skipped: <reason>".
#
#   scripts/check.d/replay.sh BUILD
# Ends with "N passed, N failed[, N skipped]".
set -u

build=${1:?usage: replay.sh BUILD}
cd "$(dirname "$0")/../.." || exit 2
anonvma=$build/anonvma
work=$build/replay-suite
pass=0
fail=0
skipped=0

if [ ! -x "$anonvma" ]; then
	echo "replay: $anonvma not built"
	echo "0 passed, 1 failed"
	exit 1
fi
rm -rf "$work"
mkdir -p "$work"

replay_one() {	# NAME TRACE
	local log=$work/$1.replay.log

	if "$anonvma" replay --check=1000 --images "$2" > "$log" 2>&1; then
		echo "ok: $1 ($(grep -m1 '^  operations' "$log" | sed 's/^ *//'))"
		pass=$((pass + 1))
	else
		echo "FAILED: $1 does not replay exactly ($2, log $log)"
		grep -A2 -m3 '^trace:' "$log"
		tail -n 3 "$log"
		fail=$((fail + 1))
	fi
}

extract_one() {	# NAME TRACE
	local scn=$work/$1.scn log=$work/$1.extract.log

	if "$anonvma" replay --extract 2 -o "$scn" "$2" > "$log" 2>&1 &&
	   "$anonvma" run --check --quiet "$scn" >> "$log" 2>&1; then
		echo "ok: $1 image 2 extracted, passes on the model ($(tail -n 1 "$log"))"
		pass=$((pass + 1))
	else
		echo "FAILED: $1 image 2 extracted ($scn) does not pass on the model (log $log)"
		tail -n 5 "$log"
		fail=$((fail + 1))
	fi
}

for t in tests/traces/*.trace.gz; do
	[ -f "$t" ] || continue
	replay_one "$(basename "$t" .trace.gz)" "$t"
	extract_one "$(basename "$t" .trace.gz)" "$t"
done

# ---- fresh recordings -----------------------------------------------------
# Not threads-fork: in a fresh recording, a sibling thread's munmap that
# the kernel ordered before a fork (by the mmap lock) can trace its
# sys_exit after the fork's task_newtask, and replay applies system calls
# at sys_exit (docs/record-replay.md, "Limits"); its stored recording in
# tests/traces is replayed above, and exactly.
programs=(shell-loop python-pool gcc-compile make-j2 prefork-server)

probe=$("$anonvma" record -q -o "$work/probe.trace" -- /bin/true 2>&1)
rc=$?
if [ "$rc" -eq 77 ]; then
	echo "skipped: ${probe#skipped: }"
	skipped=${#programs[@]}
else
	cc=${CC:-cc}
	src=tests/traces/programs
	# A small project for make -j2: four units and a link.
	proj=$work/proj
	mkdir -p "$proj"
	for i in 1 2 3 4; do
		printf 'int f%d(int x);\nint f%d(int x) { return x * %d + 1; }\n' "$i" "$i" "$i" > "$proj/u$i.c"
	done
	printf 'int f1(int), f2(int), f3(int), f4(int);\nint main(void) { return f1(1) + f2(2) + f3(3) + f4(4) == 31 ? 0 : 1; }\n' > "$proj/main.c"
	printf 'prog: main.o u1.o u2.o u3.o u4.o\n\t$(CC) -o $@ $^\n%%.o: %%.c\n\t$(CC) -O2 -c $< -o $@\n' > "$proj/Makefile"
	if ! $cc -O2 -o "$work/prefork_server" "$src/prefork_server.c"; then
		echo "FAILED: cannot build the test programs with $cc"
		fail=$((fail + 1))
	fi
	for p in "${programs[@]}"; do
		case $p in
		shell-loop) cmd=(sh -c 'for i in 1 2 3 4 5; do /bin/true; done') ;;
		python-pool) cmd=(python3 "$src/pool.py") ;;
		gcc-compile) cmd=("$cc" -O2 -c "$src/hello.c" -o "$work/hello.o") ;;
		make-j2) cmd=(make -s -B -C "$proj" -j2 CC="$cc") ;;
		prefork-server) cmd=("$work/prefork_server") ;;
		esac
		trace=$work/$p.trace
		"$anonvma" record -q -o "$trace" -- "${cmd[@]}" > "$work/$p.record.log" 2>&1
		rc=$?
		if [ "$rc" -ne 0 ]; then
			echo "FAILED: recording $p (exit status $rc)"
			tail -n 5 "$work/$p.record.log"
			fail=$((fail + 1))
			continue
		fi
		replay_one "$p (fresh)" "$trace"
	done
fi

if [ "$skipped" -gt 0 ]; then
	echo "$pass passed, $fail failed, $skipped skipped"
else
	echo "$pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]
