#!/bin/bash
# Installs what the design lab's pictures need, from Debian packages:
#   graphviz      `dot`, which turns `anonvma draw` DOT files into SVG/PNG
#   gnuplot-nox   `gnuplot`, which turns `anonvma bench --plot` data into charts
# Safe to run again: does nothing when both commands are present.  The
# tools work without them (DOT files and plot data/scripts only) and say so.
set -u

need=()
command -v dot >/dev/null 2>&1 || need+=(graphviz)
command -v gnuplot >/dev/null 2>&1 || need+=(gnuplot-nox)
if [ ${#need[@]} -eq 0 ]; then
	echo "install-lab-deps: graphviz and gnuplot already installed"
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "install-lab-deps: need root to install: ${need[*]}" >&2
	exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
	echo "install-lab-deps: apt-get not found (Debian or Ubuntu needed); install ${need[*]} by hand" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
echo "install-lab-deps: installing ${need[*]}"
if ! apt-get update -qq; then
	echo "install-lab-deps: apt-get update failed" >&2
	exit 1
fi
if ! apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; then
	echo "install-lab-deps: apt-get install ${need[*]} failed" >&2
	exit 1
fi
for c in dot gnuplot; do
	if ! command -v "$c" >/dev/null 2>&1; then
		echo "install-lab-deps: '$c' still missing after the install" >&2
		exit 1
	fi
done
echo "install-lab-deps: done"
