"""Refusals of the web layer itself (not of a feature): each a domain error with a stable ``code``, mapped
to its HTTP status in errors.py like every other."""

from __future__ import annotations

from callcenter.core.errors import DomainError, InvalidInput
from callcenter.ticketing.errors import AccessDenied


class CrossSiteRequest(AccessDenied):
    """A state-changing request sent by another site's page (its ``Origin`` is not this app's). 403."""

    code = "cross_site_request"


class UnsupportedMediaType(InvalidInput):
    """A body of a type the route does not take. 415."""

    code = "unsupported_media_type"


class TooManyStreams(DomainError):
    """This session already holds as many live streams (SSE) as it may. 429."""

    code = "too_many_streams"
