"""Rendering ``asterisk_conf/`` templates into an instance's etc directory.

Templates are plain Asterisk .conf files with ``{{name}}`` placeholders. Rule: every placeholder must have a
value and every value is a single line, so a rendered file is never half-filled and a value can never
inject a new section or option. ``*.part`` files are fragments repeated by the renderer (one per agent).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

from callcenter.adapters.asterisk.errors import InvalidInstanceSettings
from callcenter.adapters.asterisk.runtime import AsteriskRuntime
from callcenter.adapters.asterisk.settings import InstanceLayout, InstanceSettings

TEMPLATE_DIR = Path(__file__).resolve().parents[3] / "asterisk_conf"
AGENT_FRAGMENT = "pjsip_agent.conf.part"
_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}")


def fill(template: str, values: Mapping[str, str]) -> str:
    """Replace every ``{{name}}``; a name without a value raises (no silent empty options)."""

    def value_of(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in values:
            raise InvalidInstanceSettings(f"template placeholder {{{{{key}}}}} has no value", key=key)
        return values[key]

    return _PLACEHOLDER.sub(value_of, template)


def template_values(
    settings: InstanceSettings, layout: InstanceLayout, runtime: AsteriskRuntime, agent_sections: str = ""
) -> dict[str, str]:
    """The placeholder values of one instance; paths are as Asterisk sees them."""
    values = {
        "name": settings.name,
        "sip_port": str(settings.sip_port),
        "ami_port": str(settings.ami_port),
        "rtp_start": str(settings.rtp_start),
        "rtp_end": str(settings.rtp_end),
        "ami_user": settings.ami_user,
        "ami_secret": settings.ami_secret,
        "wrapup_time": str(settings.wrapup_time),
        "hotline_number": settings.hotline_number,
        "pstn_match": settings.pstn_match,
        "ami_bind": settings.ami_bind,
        "ami_permit": settings.ami_permit,
        "sip_bind": settings.sip_bind,
        "media_address": settings.media_address,
        # RTP sockets on the media address when it is the transport's own (one machine); behind NAT the
        # advertised address is not local and RTP binds every interface (rtp.conf).
        "bind_rtp_to_media": "yes" if settings.media_address == settings.sip_bind else "no",
        "agi_port": str(settings.agi_port),
        "agi_host": settings.agi_host,
        "pstn_outbound_uri": settings.pstn_outbound_uri,
        "verbose": str(settings.verbose),
        "module_dir": str(runtime.module_dir),
        "data_dir": str(runtime.data_dir),
        **_layout_values(layout),
    }
    _reject_multiline(values)
    values["agent_sections"] = agent_sections
    return values


def _layout_values(layout: InstanceLayout) -> dict[str, str]:
    return {
        "etc_dir": str(layout.etc_dir),
        "run_dir": str(layout.run_dir),
        "log_dir": str(layout.log_dir),
        "lib_dir": str(layout.lib_dir),
        "spool_dir": str(layout.spool_dir),
        "cache_dir": str(layout.cache_dir),
        "sounds_dir": str(layout.sounds_dir),
        "moh_dir": str(layout.moh_dir),
        "recording_dir": str(layout.recording_dir),
        "seats_db": str(layout.seats_db),
    }


def _reject_multiline(values: Mapping[str, str]) -> None:
    for key, value in values.items():
        if "\n" in value or "\r" in value:
            raise InvalidInstanceSettings(f"value of {key!r} spans several lines", key=key)


def agent_sections(settings: InstanceSettings, template_dir: Path = TEMPLATE_DIR) -> str:
    """The PJSIP endpoint and aor sections of every agent seat, from the agent fragment (their auth
    objects, one secret per seat, come from the seat secrets file: seats.py)."""
    fragment = (template_dir / AGENT_FRAGMENT).read_text(encoding="utf-8")
    return "".join(fill(fragment, {"agent": agent}) for agent in settings.agents)


def render_config(
    settings: InstanceSettings,
    layout: InstanceLayout,
    runtime: AsteriskRuntime,
    template_dir: Path = TEMPLATE_DIR,
) -> list[Path]:
    """Write every ``*.conf`` template, filled, into the instance's etc dir (host paths returned)."""
    values = template_values(settings, layout, runtime, agent_sections(settings, template_dir))
    etc = runtime.host_path(layout.etc_dir)
    etc.mkdir(parents=True, exist_ok=True)
    written = []
    for template in sorted(template_dir.glob("*.conf")):
        target = etc / template.name
        _write_if_changed(target, fill(template.read_text(encoding="utf-8"), values))
        written.append(target)
    return written


def _write_if_changed(target: Path, text: str) -> None:
    """Atomic write, owner-only (the files hold the AMI secret); ownership.py then lets Asterisk read them."""
    if target.is_file() and target.read_text(encoding="utf-8") == text:
        return
    temporary = target.with_name(f".{target.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.chmod(0o600)
    os.replace(temporary, target)
