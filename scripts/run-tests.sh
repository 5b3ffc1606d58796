#!/bin/bash
# Runs the unit-test binaries and the scenario corpus of one build
# directory and prints one closing line "N passed, N failed".
#   scripts/run-tests.sh BUILD [unit|corpus|all]
set -u
build=$1
what=${2:-all}
pass=0
fail=0
failed=()

if [ "$what" != corpus ]; then
	for t in "$build"/tests/test_*; do
		[ -x "$t" ] || continue
		if "$t" > "$t.log" 2>&1; then
			pass=$((pass + 1))
		else
			fail=$((fail + 1))
			failed+=("$(basename "$t")")
			tail -n 30 "$t.log"
		fi
	done
fi

if [ "$what" != unit ]; then
	for s in tests/scenarios/*.scn; do
		[ -f "$s" ] || continue
		log="$build/corpus-$(basename "$s" .scn).log"
		if "$build/anonvma" run --check --quiet "$s" > "$log" 2>&1; then
			pass=$((pass + 1))
		else
			fail=$((fail + 1))
			failed+=("$s")
			tail -n 30 "$log"
		fi
	done
fi

for f in "${failed[@]}"; do
	echo "FAILED: $f"
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
