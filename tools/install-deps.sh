#!/usr/bin/env bash
# Installs the Debian packages the compiler needs to build, if any is missing.
# Called by `make`; safe to run again. Needs root (apt-get) only when something is missing.
set -e
need=()
[ -f /usr/include/doctest/doctest.h ] || need+=(doctest-dev)
[ -f /usr/include/xxhash.h ]          || need+=(libxxhash-dev)
[ -f /usr/include/utf8proc.h ]        || need+=(libutf8proc-dev)
[ -f /usr/include/CLI/CLI.hpp ]       || need+=(libcli11-dev)
command -v g++ >/dev/null             || need+=(g++)
command -v make >/dev/null            || need+=(make)
if [ ${#need[@]} -gt 0 ]; then
  echo "install-deps: installing ${need[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
