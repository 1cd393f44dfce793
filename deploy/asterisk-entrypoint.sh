#!/bin/sh
# Entrypoint of the asterisk container: render the configuration for this container, then run Asterisk.
#
# Rendering happens at every start, because the rendered files hold a secret that only exists in the
# environment (CALLCENTER_AMI_SECRET). `python -m callcenter asterisk render` loads Settings from the
# CALLCENTER_* variables and runs AsteriskInstance.render(): every {{name}} in asterisk_conf/ filled in,
# prompts installed. The seat phones' secrets are the app's (the seats volume, read-only here).
set -eu

# Nothing Asterisk creates (recordings, logs, astdb) is for others: 0660 files, 0770 directories, in the
# group of their directory (recordings: the app's group). Issue 11.
umask 007

# The app writes the seat secrets file at its first start; Asterisk reads it live for every seat phone's
# REGISTER. Wait for it (bounded): without it no seat phone could register until Asterisk restarts.
seats="${CALLCENTER_SEATS_DB:-}"
if [ -n "$seats" ]; then
    waited=0
    while [ ! -s "$seats" ] && [ "$waited" -lt 120 ]; do sleep 1; waited=$((waited + 1)); done
    [ -s "$seats" ] || echo "hotline-asterisk: $seats still missing after 120 s; seat phones cannot register" >&2
fi

# `asterisk render` writes the instance's configuration from asterisk_conf/ and prints its asterisk.conf path.
config="$(python -m callcenter asterisk render | tail -n 1)"
if [ ! -s "$config" ]; then
    echo "hotline-asterisk: rendering did not produce $config" >&2
    exit 1
fi

# Foreground, no console; runs as the image's user (asterisk), so no -U/-G.
exec /usr/sbin/asterisk -C "$config" -f
