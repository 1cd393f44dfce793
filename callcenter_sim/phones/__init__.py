"""Scripted SIP phones for integration tests, load tests and ``python -m callcenter demo-calls``.

* :class:`SippCaller` — a citizen dialling the hotline (sipp, no registration, any caller number);
* :class:`AgentPhone` — an agent seat (pyVoIP): registers, auto-answers, plays a WAV, records what it hears.

They are simulators, not product parts: they talk to Asterisk on loopback only.
"""

from callcenter_sim.phones.agent import AgentPhone, AnsweredCall
from callcenter_sim.phones.caller import CallerResult, CallerScript, SippCaller

__all__ = ["AgentPhone", "AnsweredCall", "CallerResult", "CallerScript", "SippCaller"]
