"""Errors of the Asterisk instance manager: domain errors with stable codes, no HTTP in them."""

from __future__ import annotations

from callcenter.core.errors import ConfigError, TelephonyUnavailable

HOW_TO_GET_ASTERISK = (
    "Asterisk 22 is provisioned by `bash scripts/setup.sh` (the host's package where apt has one, "
    "else a Debian sid chroot under $CALLCENTER_CACHE, default ~/.cache/callcenter12345)."
)


class AsteriskNotInstalled(TelephonyUnavailable):
    """Neither a host ``asterisk`` binary nor a provisioned sid chroot was found."""

    code = "asterisk_not_installed"


class AsteriskStartFailed(TelephonyUnavailable):
    """Asterisk did not reach "fully booted" with AMI accepting connections in time."""

    code = "asterisk_start_failed"


class AsteriskCommandFailed(TelephonyUnavailable):
    """A CLI command (``asterisk -rx``) could not be run against the instance."""

    code = "asterisk_command_failed"


class InvalidInstanceSettings(ConfigError):
    """Instance settings that would render a broken or unsafe configuration."""

    code = "invalid_asterisk_settings"
