#!/bin/sh
# Entrypoint of the asterisk container: render the configuration for this container, then run Asterisk.
#
# Rendering happens at every start, because the rendered files hold secrets that only exist in the
# environment (CALLCENTER_AMI_SECRET, CALLCENTER_AGENT_PASSWORD). `python -m callcenter asterisk render`
# loads Settings from the CALLCENTER_* variables and runs AsteriskInstance.render(): every {{name}} in
# asterisk_conf/ filled in, prompts installed.
set -eu

# `asterisk render` writes the instance's configuration from asterisk_conf/ and prints its asterisk.conf path.
config="$(python -m callcenter asterisk render | tail -n 1)"
if [ ! -s "$config" ]; then
    echo "hotline-asterisk: rendering did not produce $config" >&2
    exit 1
fi

# Foreground, no console; runs as the image's user (asterisk), so no -U/-G.
exec /usr/sbin/asterisk -C "$config" -f
