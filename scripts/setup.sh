#!/usr/bin/env bash
# Idempotent provisioning for the 12345 hotline: system packages, Python venv, Asterisk 22, speech models.
# Everything it builds is cached outside the repository, under $CALLCENTER_CACHE (default ~/.cache/callcenter12345).
# Prints "export" lines for the environment at the end (see scripts/env.sh, which sources the results).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${CALLCENTER_CACHE:-$HOME/.cache/callcenter12345}"
mkdir -p "$CACHE"
log() { printf '[setup] %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

APT_UPDATED=0
apt_install() {  # install only the Debian packages that are missing
  local missing=()
  for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$APT_UPDATED" = 0 ]; then as_root apt-get update -qq; APT_UPDATED=1; fi
  log "apt-get install ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

system_packages() {
  # sip-tester = sipp (scripted SIP caller that can send RFC 2833 DTMF); espeak-ng + sox synthesize prompts.
  apt_install python3-venv sip-tester espeak-ng sox libsndfile1 ca-certificates curl
  if ! (redis-cli -u "${REDIS_URL:-redis://127.0.0.1:6379/0}" ping >/dev/null 2>&1); then apt_install redis-server redis-tools; fi
}

python_env() {
  local py="${PYTHON:-python3}" key venv
  key="$( (cat "$REPO/requirements.lock"; "$py" --version) | sha256sum | cut -c1-16)"
  venv="$CACHE/venv-$key"
  if [ ! -f "$venv/.complete" ]; then
    log "creating Python venv $venv"
    rm -rf "$venv"; "$py" -m venv "$venv"
    "$venv/bin/pip" install -q --upgrade pip >&2
    "$venv/bin/pip" install -q -r "$REPO/requirements.lock" >&2
    touch "$venv/.complete"
  fi
  ln -sfn "$venv" "$CACHE/venv"
}

asterisk_runtime() {
  # Asterisk 22: the host's own package where apt has one; else a Debian sid root made with debootstrap.
  if command -v asterisk >/dev/null 2>&1 || [ -x /usr/sbin/asterisk ]; then
    echo "host" > "$CACHE/asterisk.mode"; return 0
  fi
  if apt-cache policy asterisk 2>/dev/null | grep -q 'Candidate: [0-9]'; then
    apt_install asterisk asterisk-modules; echo "host" > "$CACHE/asterisk.mode"; return 0
  fi
  local root="$CACHE/asterisk-sid-root"
  if [ ! -f "$root/.complete" ]; then
    apt_install debootstrap
    local mirror
    mirror="$( (cat /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null || true) \
      | grep -oE 'https?://[^ ]+/debian/?( |$)' | grep -v security | head -n1 | tr -d ' ' || true)"
    mirror="${mirror:-http://deb.debian.org/debian}"
    log "debootstrap Debian sid with asterisk into $root from $mirror (about a minute)"
    rm -rf "$root"
    as_root debootstrap --variant=minbase --include=asterisk,asterisk-modules sid "$root" "$mirror" >&2
    touch "$root/.complete"
  fi
  # The instance manager (callcenter/adapters/asterisk/runtime.py) mounts /proc and /dev and fixes permissions
  # at start-up; here only check that the binary runs.
  as_root chroot "$root" /usr/sbin/asterisk -V >&2
  echo "chroot:$root" > "$CACHE/asterisk.mode"
}

prompts() {
  # Chinese voice prompts (texts in callcenter/ivr/prompts.py) synthesized with espeak-ng's cmn-latn-pinyin
  # voice into 8 kHz mono WAV; idempotent (a sidecar fingerprint skips unchanged prompts). Each Asterisk
  # instance copies them from here when it starts.
  "$CACHE/venv/bin/python" -m callcenter.adapters.asterisk.prompts --out "$CACHE/sounds" >&2
}

main() {
  if [ $# -gt 0 ]; then for step in "$@"; do "$step"; done; return 0; fi  # e.g. setup.sh python_env
  system_packages
  python_env
  asterisk_runtime
  (cd "$REPO" && PYTHONPATH="$REPO" prompts)
  log "ready: cache=$CACHE asterisk=$(cat "$CACHE/asterisk.mode")"
}
main "$@"
