#!/bin/sh
# Installs what building and testing anonvma needs on Debian 12 beyond
# gcc, make and python3: cmocka for the unit tests, pkg-config to find it.
# Safe to run again; does nothing when everything is present.
set -e
need=""
pkg-config --exists cmocka 2>/dev/null || need="$need libcmocka-dev"
command -v pkg-config >/dev/null 2>&1 || need="$need pkg-config"
[ -z "$need" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "install-deps: need root to install:$need" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq $need >/dev/null
