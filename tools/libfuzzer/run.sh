#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Runs one libFuzzer harness for a given time with its seed corpora and
# options, then prints one summary line:
#   NAME: N runs in S s (R/s), cov C, ft F, corpus U inputs; findings: K
#
#   tools/libfuzzer/run.sh BUILD NAME SECONDS [libFuzzer options...]
#
# BUILD is the harness build directory (build-libfuzzer).  New inputs
# go to the working corpus BUILD/corpus/NAME, kept between runs; the
# seed directories are only read.  A finding (crash, leak, timeout,
# out-of-memory) is written to BUILD/findings/NAME/ and makes the
# script fail with the end of the fuzzer's log.  Extra options go to
# libFuzzer, e.g. -jobs=2 -workers=2 or -fork=2.
set -u

if [ $# -lt 3 ]; then
	echo "usage: $0 BUILD NAME SECONDS [libFuzzer options...]" >&2
	exit 2
fi
build=$1
name=$2
secs=$3
shift 3
bin=$build/$name

case $name in
fuzz_parse | fuzz_run)
	opts=(-max_len=8192 -dict=tools/libfuzzer/scenario.dict)
	seeds=(tests/libfuzzer-corpus/parse tests/scenarios)
	# the other scenario folders, where present
	for d in tests/bugs tests/designs; do
		[ -d "$d" ] && seeds+=("$d")
	done
	;;
fuzz_ops)
	opts=(-max_len=1025)
	seeds=(tests/libfuzzer-corpus/ops)
	;;
fuzz_trace)
	opts=(-max_len=16384 -dict=tools/libfuzzer/trace.dict)
	seeds=(tests/libfuzzer-corpus/trace)
	;;
*)
	echo "run.sh: unknown harness '$name'" >&2
	exit 2
	;;
esac
if [ ! -x "$bin" ]; then
	echo "run.sh: $bin not built (make libfuzzer)" >&2
	exit 2
fi

corpus=$build/corpus/$name
findings=$build/findings/$name
log=$build/$name.log
mkdir -p "$corpus" "$findings"
before=$(ls "$findings" | wc -l)

# -timeout: one input running longer than this is a hang (a finding).
"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	-print_final_stats=1 -artifact_prefix="$findings/" \
	"${opts[@]}" "$@" "$corpus" "${seeds[@]}" > "$log" 2>&1
rc=$?

after=$(ls "$findings" | wc -l)
new=$((after - before))
runs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$log" | tail -n 1)
time=$(sed -nE 's/^Done [0-9]+ runs in ([0-9]+) second.*/\1/p' "$log" | tail -n 1)
last=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
cov=$(echo "$last" | sed -nE 's/.* cov: ([0-9]+).*/\1/p')
ft=$(echo "$last" | sed -nE 's/.* ft: ([0-9]+).*/\1/p')
corp=$(echo "$last" | sed -nE 's/.* corp: ([0-9]+).*/\1/p')
time=${time:-$secs}
rate=0
[ "${time:-0}" -gt 0 ] && rate=$((${runs:-0} / time))
echo "$name: ${runs:-?} runs in ${time} s (${rate}/s), cov ${cov:-?}, ft ${ft:-?}, corpus ${corp:-?} inputs; findings: $new"

if [ "$rc" -ne 0 ] || [ "$new" -ne 0 ]; then
	echo "$name: FAILED (exit status $rc); the fuzzer's log ($log) ends:"
	grep -vE '^#[0-9]+' "$log" | tail -n 40
	ls -l "$findings" | tail -n 5
	exit 1
fi
exit 0
