"""The ``pstn`` trunk is identified by its source address only (issue 11, item 9), on the real Asterisk."""

from __future__ import annotations

import pytest

from callcenter.adapters.asterisk import AsteriskInstance
from tests.support.sip import SipClient

REFUSED = (401, 403)


@pytest.mark.asterisk
def test_a_from_user_of_pstn_from_another_address_is_not_the_trunk(asterisk: AsteriskInstance) -> None:
    """The ``pstn`` trunk matches 127.0.0.1 only: a request naming it in its From user, sent from
    127.0.0.2, used to be identified as the trunk by user name and put straight into the hotline."""
    with SipClient(asterisk.settings.sip_port, source="127.0.0.2") as sip:
        for spoofed in ("pstn", "pstn-out"):
            assert sip.invite(spoofed, "12345") in REFUSED, spoofed
