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

# Extra suites (kernel diffs, fuzz smoke runs, stress...): each script in
# scripts/check.d gets the build directory and ends its output with a
# line "N passed, N failed[, N skipped]"; a skipped suite says why.
skipped=0
if [ "$what" = all ]; then
	for x in scripts/check.d/*.sh; do
		[ -x "$x" ] || continue
		log="$build/suite-$(basename "$x" .sh).log"
		"$x" "$build" > "$log" 2>&1
		rc=$?
		last=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
		p=$(echo "$last" | sed -nE 's/^([0-9]+) passed.*/\1/p')
		f=$(echo "$last" | sed -nE 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/p')
		s=$(echo "$last" | sed -nE 's/.*, ([0-9]+) skipped.*/\1/p')
		pass=$((pass + ${p:-0}))
		skipped=$((skipped + ${s:-0}))
		if [ "$rc" -ne 0 ] || [ -z "$last" ] || [ "${f:-1}" -ne 0 ]; then
			fail=$((fail + ${f:-1}))
			failed+=("$x")
			tail -n 30 "$log"
		fi
		grep -E '^skipped: ' "$log" || true
	done
fi

for f in "${failed[@]}"; do
	echo "FAILED: $f"
done
if [ "$skipped" -gt 0 ]; then
	echo "$pass passed, $fail failed, $skipped skipped"
else
	echo "$pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]
