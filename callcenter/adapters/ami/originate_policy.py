"""What the hotline may Originate through AMI, as data; the bridge refuses anything else (pure).

AMI has no per-context or per-application permission: a user with the ``originate`` write class may start a
channel into *any* dialplan context or application. Two defences follow (docs/security notes in
docs/ivr-and-queues.md, "AMI"): the dialplan holds no context that is dangerous to enter (no ``System()``,
``TrySystem()`` or ``SHELL()``; app_system and func_shell are not even loaded), and the app itself only ever
asks for what it needs — a missed-call call-back leg into ``callback-leg``, a callback survey leg into
``survey-leg`` and a live-transcription tap that runs ``ChanSpy`` — so a bug or an injected value in the app
cannot make the bridge ask for more.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from callcenter.core.errors import DomainError


class OriginateRefused(DomainError):
    """An Originate the hotline never sends (context, application or channel not on the allow-list)."""

    code = "originate_refused"


@dataclass(frozen=True, slots=True)
class OriginatePolicy:
    # callback-leg: extensions_callback.conf (漏接回拨); survey-leg: extensions_survey.conf (回访)
    contexts: frozenset[str] = frozenset({"callback-leg", "survey-leg"})
    applications: frozenset[str] = frozenset({"ChanSpy"})  # adapters/ami/live_tap.py (live transcription)
    # Channel technologies: PJSIP (the outbound trunk), AudioSocket (the live worker). Never Local/…, whose
    # other half would run any context named in the channel string.
    technologies: frozenset[str] = frozenset({"PJSIP", "AudioSocket"})


HOTLINE_ORIGINATES = OriginatePolicy()


def check_originate(fields: Mapping[str, object], policy: OriginatePolicy = HOTLINE_ORIGINATES) -> None:
    """Raise OriginateRefused unless ``fields`` start an allowed channel into an allowed target."""
    channel = str(fields.get("Channel", ""))
    technology = channel.split("/", 1)[0]
    if "/" not in channel or technology not in policy.technologies:
        raise OriginateRefused(f"Originate of channel technology {technology!r} refused", field="Channel")
    context, application = fields.get("Context"), fields.get("Application")
    if (context is None) == (application is None):
        raise OriginateRefused("an Originate names exactly one of Context and Application", field="Context")
    if context is not None and context not in policy.contexts:
        raise OriginateRefused(f"Originate into context {context!r} refused", field="Context")
    if application is not None and application not in policy.applications:
        raise OriginateRefused(f"Originate of application {application!r} refused", field="Application")
