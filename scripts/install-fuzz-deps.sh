#!/bin/bash
# SPDX-License-Identifier: MIT
# Installs what the libFuzzer harnesses (tools/libfuzzer, docs/libfuzzer.md)
# need on Debian 12 (bookworm), from Debian's own packages:
#   clang-19            the compiler (-fsanitize=fuzzer needs clang)
#   libclang-rt-19-dev  its runtimes: libFuzzer, ASan, UBSan
#   llvm-19             llvm-profdata-19 and llvm-cov-19 for coverage reports
# and with --afl also
#   afl++               AFL++ 4.04c (afl-clang-fast, afl-fuzz; built on clang-14)
#
#   scripts/install-fuzz-deps.sh [--afl]   install what is missing (root)
#   scripts/install-fuzz-deps.sh --check   exit 0 if clang-19 can build a
#                                          libFuzzer target, 1 if not
# Safe to run again; does nothing when everything is present.
set -u

# Can clang-19 build and link a libFuzzer target with ASan and UBSan?
have_libfuzzer() {
	local dir rc
	command -v clang-19 > /dev/null 2>&1 || return 1
	dir=$(mktemp -d) || return 1
	printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
		'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)' \
		'{ return 0; }' > "$dir/t.c"
	clang-19 -fsanitize=fuzzer,address,undefined "$dir/t.c" -o "$dir/t" \
		> /dev/null 2>&1
	rc=$?
	rm -rf "$dir"
	return $rc
}

afl=0
case ${1:-} in
--check)
	have_libfuzzer
	exit $?
	;;
--afl)
	afl=1
	;;
"") ;;
*)
	echo "usage: $0 [--afl | --check]" >&2
	exit 2
	;;
esac

need=()
have_libfuzzer || need+=(clang-19 libclang-rt-19-dev)
command -v llvm-cov-19 > /dev/null 2>&1 || need+=(llvm-19)
if [ "$afl" = 1 ] && ! command -v afl-clang-fast > /dev/null 2>&1; then
	need+=(afl++)
fi
[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "install-fuzz-deps: need root to install: ${need[*]}" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
echo "install-fuzz-deps: installing ${need[*]}"
if ! apt-get update -qq || ! apt-get install -y -qq "${need[@]}" > /dev/null; then
	echo "install-fuzz-deps: apt-get install ${need[*]} failed" >&2
	exit 1
fi
if ! have_libfuzzer; then
	echo "install-fuzz-deps: clang-19 still cannot build a libFuzzer target" >&2
	exit 1
fi
exit 0
