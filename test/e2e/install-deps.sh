#!/usr/bin/env bash
# Installs the Debian packages that benchboot's end-to-end tests and benchmarks drive:
# real DHCP clients (dhclient, udhcpc, dhcpcd), real TFTP clients (tftp-hpa, atftp,
# curl, busybox), peer servers (dnsmasq, Kea with perfdhcp, tftpd-hpa, atftpd), QEMU
# with the iPXE ROM for the PXE test, tmux for the live-view test, chromium for the
# dashboard test (driven by puppeteer-core), nginx as the HTTP peer in the
# benchmarks. Idempotent; needs root. Services are not started (policy-rc.d).
set -euo pipefail

packages=(
  iproute2 procps psmisc
  isc-dhcp-client udhcpc dhcpcd-base busybox
  tftp-hpa atftp curl
  dnsmasq-base kea-dhcp4-server kea-admin atftpd libwrap0
  qemu-system-x86 ipxe-qemu
  tmux
  chromium nginx-light
)

# tftpd-hpa and atftpd conflict as Debian packages (both provide the tftpd
# service). atftpd is installed normally; tftpd-hpa's in.tftpd is unpacked from its
# .deb into PEER_DIR so both peers can run side by side in the benchmarks.
PEER_DIR=${BENCHBOOT_PEER_DIR:-/opt/benchboot-peers}

unpack_tftpd_hpa() {
  [ -x "$PEER_DIR/tftpd-hpa/usr/sbin/in.tftpd" ] && return 0
  local tmp; tmp=$(mktemp -d)
  (cd "$tmp" && apt-get download tftpd-hpa >/dev/null)
  mkdir -p "$PEER_DIR/tftpd-hpa"
  dpkg-deb -x "$tmp"/tftpd-hpa_*.deb "$PEER_DIR/tftpd-hpa"
  rm -rf "$tmp"
  echo "install-deps: tftpd-hpa unpacked in $PEER_DIR/tftpd-hpa"
}

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  unpack_tftpd_hpa
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: need root to install: ${missing[*]}" >&2
  exit 1
fi

# Keep package scripts from starting the peer servers as system services: they
# would take ports 67/69 on the host. Restore whatever policy was there before.
policy=/usr/sbin/policy-rc.d
saved=""
if [ -e "$policy" ]; then saved=$(mktemp); cp -p "$policy" "$saved"; fi
restore() { if [ -n "$saved" ]; then mv "$saved" "$policy"; else rm -f "$policy"; fi; }
trap restore EXIT
printf '#!/bin/sh\nexit 101\n' > "$policy"
chmod +x "$policy"

export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y --no-install-recommends "${missing[@]}"; then
  apt-get update
  apt-get install -y --no-install-recommends "${missing[@]}"
fi
echo "install-deps: installed ${missing[*]}"
unpack_tftpd_hpa
