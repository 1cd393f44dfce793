"""The service-level definition and alarm from Settings (docs/adr/0013-service-level-definition.md)."""

from __future__ import annotations

from datetime import timedelta

from callcenter.config.settings import Settings
from callcenter.queue.service_level.alarm import AlarmPolicy
from callcenter.queue.service_level.ledger import ServiceLevelPolicy


def _names(text: str) -> frozenset[str]:
    return frozenset(part.strip() for part in text.split(",") if part.strip())


def service_level_policy(settings: Settings) -> ServiceLevelPolicy:
    return ServiceLevelPolicy(
        threshold_seconds=settings.sl_threshold_s,
        target=settings.sl_target,
        short_abandon_seconds=settings.short_abandon_s,
        excluded_queues=_names(settings.sl_excluded_queues),
        decide_after=timedelta(seconds=settings.sl_decide_after_s),
    )


def alarm_policy(settings: Settings) -> AlarmPolicy:
    return AlarmPolicy(
        target=settings.sl_target, margin=settings.sl_alarm_margin, min_offered=settings.sl_alarm_min_offered
    )


def call_me_back_keys(settings: Settings) -> frozenset[str]:
    return _names(settings.sl_call_me_back_keys)
