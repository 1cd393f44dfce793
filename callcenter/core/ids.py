"""Identifiers. ``CallId`` is Asterisk's Linkedid of the caller's channel: stable across the whole call."""

from typing import NewType

CallId = NewType("CallId", str)
TicketId = NewType("TicketId", int)
JobId = NewType("JobId", str)
