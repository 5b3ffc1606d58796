#!/bin/bash
# SPDX-License-Identifier: MIT
#
# `anonvma record` on real programs (docs/record-replay.md): a shell
# loop and a python3 multiprocessing pool are recorded into the build
# directory, and each file is checked to be complete: the header, body
# lines in timestamp order, each snapshot marker followed by its block,
# no lost events, at least one exec snapshot, and an @end-of-trace line
# whose counts match the body.  Afterwards no anonvma-rec-* tracing
# instance may remain.  Needs root and tracefs; otherwise says
# "skipped: <reason>".
#   scripts/check.d/record.sh BUILD
# Ends with "N passed, N failed[, N skipped]".
set -u

build=${1:?usage: record.sh BUILD}
cd "$(dirname "$0")/../.." || exit 2
anonvma="$build/anonvma"
if [ ! -x "$anonvma" ]; then
	echo "record: $anonvma not built"
	echo "0 passed, 1 failed"
	exit 1
fi

pass=0
fail=0
ok() { echo "ok: $*"; pass=$((pass + 1)); }
bad() { echo "FAILED: $*"; fail=$((fail + 1)); }

names=(shell-loop python-pool)
if [ "$(id -u)" != 0 ]; then
	echo "skipped: not root (tracefs and ptrace need root)"
	echo "0 passed, 0 failed, ${#names[@]} skipped"
	exit 0
fi

pool=$build/record-pool.py
cat > "$pool" <<'PY'
import multiprocessing as mp

def square(x):
    return x * x

if __name__ == "__main__":
    with mp.Pool(2) as pool:
        assert sum(pool.map(square, range(100))) == 328350
PY

# The file is complete and consistent; prints what is wrong.
check_trace() {
	awk '
	NR == 1 && $0 != "anonvma-trace 1" { print "line 1: not a version 1 trace"; bad = 1 }
	!body { if ($0 == "events") body = 1; else hdr[$1] = 1; next }
	/^@end-of-trace / { end = $0; endline = NR; next }
	end { print "line " NR ": after @end-of-trace"; bad = 1 }
	/^@lost / {
		if ($3 != "overrun=0" || $4 != "dropped=0" || $5 != "commit-overrun=0") {
			print "line " NR ": lost events: " $0; bad = 1
		}
		next
	}
	/^@snapshot / {
		if (want != $2) { print "line " NR ": @snapshot " $2 " does not follow its marker"; bad = 1 }
		want = ""; snaps++; inblock = 1
		if ($3 == "exec") execs++
		next
	}
	/^@end$/ { inblock = 0; ends++; next }
	/^@/ { if (!inblock) { print "line " NR ": " $1 " outside a block"; bad = 1 } next }
	{
		if (want != "") { print "line " NR ": marker of snapshot " want " without its block"; bad = 1 }
		want = ""
		events++
		if (NF < 4) { print "line " NR ": not TS TID TGID EVENT"; bad = 1 }
		if ($1 + 0 < last) { print "line " NR ": timestamp " $1 " before " last; bad = 1 }
		last = $1 + 0
		if ($4 == "tracing_mark_write" && $5 == "anonvma-snapshot") want = $6
	}
	END {
		for (k in need) if (!(k in hdr)) { print "header: no " k; bad = 1 }
		if (!end) { print "no @end-of-trace: truncated"; exit 1 }
		if (end != "@end-of-trace events=" events " snapshots=" snaps) {
			print "line " endline ": " end ", but the body has " events " events and " snaps " snapshots"
			bad = 1
		}
		if (ends != snaps) { print snaps " @snapshot lines but " ends " @end lines"; bad = 1 }
		if (!execs) { print "no exec snapshot"; bad = 1 }
		exit bad
	}
	BEGIN { split("kernel machine page-size command root-pid", a, " "); for (i in a) need[a[i]] = 1 }
	' "$1"
}

skipped=0
for name in "${names[@]}"; do
	file=$build/record-$name.trace
	log=$build/record-$name.log
	case $name in
	shell-loop) cmd=(sh -c 'for i in 1 2 3; do /bin/true; done') ;;
	python-pool) cmd=(python3 "$pool") ;;
	esac
	"$anonvma" record --quiet -o "$file" -- "${cmd[@]}" > "$log" 2>&1
	rc=$?
	if [ "$rc" -eq 77 ]; then
		grep -m1 '^skipped: ' "$log"
		skipped=$((skipped + 1))
		continue
	fi
	if [ "$rc" -ne 0 ]; then
		bad "$name: anonvma record exited with $rc"
		tail -n 5 "$log"
		continue
	fi
	if why=$(check_trace "$file"); then
		ok "$name: $(tail -n 1 "$file" | cut -d' ' -f2-), $(stat -c %s "$file") bytes"
	else
		bad "$name: $file is not a complete trace:"
		echo "$why" | head -n 10 | sed 's/^/    /'
	fi
done

# No instance may outlive a recording (tracefs may be unmounted here:
# look in a private mount namespace then).
if [ "$skipped" -lt "${#names[@]}" ]; then
	left=$(unshare -m --propagation private sh -c '
		root=$(awk "\$3 == \"tracefs\" { print \$2; exit }" /proc/self/mounts)
		if [ -z "$root" ]; then
			root=/sys/kernel/tracing
			mount -t tracefs nodev "$root" || exit 1
		fi
		ls "$root/instances" | grep "^anonvma-rec-" || true' 2>&1)
	if [ -z "$left" ]; then
		ok "no anonvma-rec-* tracing instance remains"
	else
		bad "tracing instances left behind: $left"
	fi
fi

if [ "$skipped" -gt 0 ]; then
	echo "$pass passed, $fail failed, $skipped skipped"
else
	echo "$pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]
