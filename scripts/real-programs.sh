#!/bin/bash
# SPDX-License-Identifier: MIT
# Records eight real programs on this machine, replays each under every
# design, and writes docs/results/real-programs.md: whether the host's
# rules reproduce the kernel exactly, and what each design would have
# allocated for the same program.  Needs root and tracefs (anonvma
# record); takes a few minutes, most of it the build of this project.
#
#   scripts/real-programs.sh [BUILD] [OUT.md]
set -eu

build=${1:-build}
out=${2:-docs/results/real-programs.md}
cd "$(dirname "$0")/.."
anonvma=$build/anonvma
work=$build/real-programs
src=tests/traces/programs
rm -rf "$work"
mkdir -p "$work"
# The clone that make -j2 builds lives outside BUILD: a source tree
# inside it would be found by the Makefile's search for .d files.
self=$(mktemp -d)
trap 'rm -rf "$self"' EXIT

cc -O2 -pthread -o "$work/threads_fork" "$src/threads_fork.c"
cc -O2 -o "$work/prefork_server" "$src/prefork_server.c"
git clone -q . "$self/anonvma"

names=(shell-loop python-pool gcc-compile make-j2-self python-http-fork prefork-server threads-fork git-log)
run() {
	case $1 in
	shell-loop) sh -c 'for i in $(seq 20); do /bin/true; done' ;;
	python-pool) python3 "$src/pool.py" ;;
	gcc-compile) cc -O2 -c "$src/hello.c" -o "$work/hello.o" ;;
	make-j2-self) make -s -C "$self/anonvma" -j2 all > /dev/null ;;
	python-http-fork) python3 "$src/http_fork.py" ;;
	prefork-server) "$work/prefork_server" ;;
	threads-fork) "$work/threads_fork" ;;
	git-log) git -C "$self/anonvma" log --stat > /dev/null ;;
	esac
}
export -f run
export src work self

for n in "${names[@]}"; do
	echo "recording $n" >&2
	"$anonvma" record -q -o "$work/$n.trace" -- bash -c "run $n"
	"$anonvma" replay --design all --json "$work/$n.trace" > "$work/$n.json" || true
done

python3 - "$work" "$out" "${names[@]}" <<'EOF'
import json, platform, subprocess, sys, datetime
work, out, names = sys.argv[1], sys.argv[2], sys.argv[3:]
designs = None
rows = []
for n in names:
    res = [json.loads(l) for l in open(f"{work}/{n}.json")]
    designs = [r["design"] for r in res]
    host = next(r for r in res if r["design"] == "v6.18")
    av = {r["design"]: sum(r["model"]["anon_vma"]["alloc"].values()) for r in res}
    avc = {r["design"]: sum(r["model"]["anon_vma_chain"]["alloc"].values()) for r in res}
    rows.append((n, host, av, avc))
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
with open(out, "w") as f:
    f.write("# Real programs under every design\n\n")
    f.write(f"Recorded and replayed by `scripts/real-programs.sh` on {datetime.date.today()}, "
            f"Linux {platform.release()}, {cpu}, {subprocess.check_output(['nproc']).decode().strip()} CPUs.\n\n")
    f.write("## The host's rules against the kernel\n\n")
    f.write("| program | events | images | operations | differ | exit layouts | verdict |\n|---|---|---|---|---|---|---|\n")
    for n, h, av, avc in rows:
        f.write(f"| {n} | {h['events']} | {h['images']} | {h['operations']} | {h['ops_differ']} | "
                f"{h['layouts'] - h['layouts_differ']} of {h['layouts']} agree | {'exact' if h['agree'] else 'DIFFERS'} |\n")
    f.write("\n## anon_vmas allocated (anon_vma_chains in brackets)\n\n")
    f.write("| program | " + " | ".join(designs) + " |\n|---|" + "---|" * len(designs) + "\n")
    for n, h, av, avc in rows:
        f.write(f"| {n} | " + " | ".join(f"{av[d]} ({avc[d]})" for d in designs) + " |\n")
    f.write("\n## Relative to the host's rules (anon_vmas)\n\n")
    f.write("| program | " + " | ".join(designs) + " |\n|---|" + "---|" * len(designs) + "\n")
    for n, h, av, avc in rows:
        base = av["v6.18"] or 1
        f.write(f"| {n} | " + " | ".join(f"{av[d] / base:.2f}x" for d in designs) + " |\n")
print(open(out).read())
EOF
