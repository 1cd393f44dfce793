"""Limits shared by the life cycle and the deadline rules, so each rule is stated once."""

from __future__ import annotations

MAX_EXTENSION_WORKING_DAYS = 10
"""延期: all extensions of one work order together, in working days (common 12345 practice; configurable
through ``LifecyclePolicy.max_extension_days`` and ``DeadlineRules.max_extension``, set from this)."""
