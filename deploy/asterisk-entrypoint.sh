#!/bin/sh
# Entrypoint of the asterisk container: render the configuration for this container, then run Asterisk.
#
# Rendering happens at every start, because the rendered files hold secrets that only exist in the
# environment (CALLCENTER_AMI_SECRET, CALLCENTER_AGENT_PASSWORD). It calls the renderer module,
# `python -m callcenter.adapters.asterisk.render`, which is expected to load Settings from CALLCENTER_*
# variables and run AsteriskInstance.render(): every {{name}} in asterisk_conf/ filled in, written to
# $CALLCENTER_CACHE/instances/$CALLCENTER_ASTERISK_NAME/etc, prompts installed. When the lead's CLI offers
# `python -m callcenter asterisk render`, call that instead.
set -eu

name="${CALLCENTER_ASTERISK_NAME:-hotline}"
config="${CALLCENTER_CACHE:?}/instances/${name}/etc/asterisk.conf"

python -m callcenter.adapters.asterisk.render

if [ ! -s "$config" ]; then
    echo "hotline-asterisk: rendering did not produce $config; is the renderer's command line in place?" >&2
    exit 1
fi

# Foreground, no console; runs as the image's user (asterisk), so no -U/-G.
exec /usr/sbin/asterisk -C "$config" -f
