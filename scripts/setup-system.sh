#!/usr/bin/env bash
# Installs the system packages ServeTune needs on Debian bookworm, idempotently:
#  - Mesa's lavapipe (software Vulkan) from bookworm-backports: Dawn rejects bookworm's own Mesa 22.
#  - Chromium and the native build dependencies of code-server, for the end-to-end tests
#    (pass --no-e2e to skip them).
# Safe to run again: it only installs what is missing.
set -euo pipefail

want_e2e=1
for arg in "$@"; do
  case "$arg" in
    --no-e2e) want_e2e=0 ;;
    *) echo "setup-system: unknown option $arg" >&2; exit 2 ;;
  esac
done

if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
    echo "setup-system: needs root (or sudo) to install system packages" >&2; exit 1
  fi
else
  SUDO=
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup-system: apt-get not found; this script supports Debian bookworm. Install a Vulkan driver (Mesa >= 24 lavapipe) by hand." >&2
  exit 1
fi

is_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

lavapipe_ok() {
  is_installed libvulkan1 && is_installed mesa-vulkan-drivers || return 1
  local version
  version=$(dpkg-query -W -f='${Version}' mesa-vulkan-drivers)
  # Dawn needs Mesa 24 or newer.
  [ "${version%%.*}" -ge 24 ] 2>/dev/null
}

backports=/etc/apt/sources.list.d/servetune-backports.sources
add_backports() {
  if grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then return; fi
  local src=/etc/apt/sources.list.d/debian.sources
  if [ -f "$src" ]; then
    # Reuse the machine's own mirror: the first stanza, with the suite switched to backports.
    awk 'BEGIN{RS="";ORS="\n\n"} NR==1' "$src" | sed 's/^Suites:.*/Suites: bookworm-backports/' | $SUDO tee "$backports" >/dev/null
  else
    echo 'deb http://deb.debian.org/debian bookworm-backports main' | $SUDO tee /etc/apt/sources.list.d/servetune-backports.list >/dev/null
  fi
}

updated=0
apt_update() { if [ $updated -eq 0 ]; then $SUDO apt-get update -qq; updated=1; fi; }
export DEBIAN_FRONTEND=noninteractive

if ! lavapipe_ok; then
  add_backports
  apt_update
  $SUDO apt-get install -y -qq libvulkan1
  $SUDO apt-get install -y -qq -t bookworm-backports mesa-vulkan-drivers
fi

if [ $want_e2e -eq 1 ]; then
  missing=()
  for pkg in chromium libkrb5-dev libsecret-1-dev libx11-dev libxkbfile-dev; do
    is_installed "$pkg" || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    apt_update
    $SUDO apt-get install -y -qq "${missing[@]}"
  fi
fi

echo "setup-system: mesa-vulkan-drivers $(dpkg-query -W -f='${Version}' mesa-vulkan-drivers)"
