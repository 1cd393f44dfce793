"""The sipp scenario of a citizen's call: INVITE, wait, speak (RTP from a pcap), hang up — or hear a BYE.

Rule: the call ends by whichever comes first — the remote side's BYE (the agent or Asterisk hung up) or
our own BYE after the audio plus a tail, or after ``hang_up_after_ms`` (an abandoned call). Every step writes
a marker line to sipp's log so the outcome can be read back without parsing SIP.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from xml.sax.saxutils import quoteattr

_KEYS = re.compile(r"^[0-9*#]{1,32}$")

_HEAD = """<?xml version="1.0" encoding="UTF-8" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="12345 caller">
{dial}  <nop><action><log message="answered"/></action></nop>
"""

_DIAL = """  <send retrans="500">
    <![CDATA[
      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:{caller}@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:{caller}@[local_ip]:[local_port]>
      Max-Forwards: 70
      User-Agent: {user_agent}
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=- 53655765 2353687637 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 0 {dtmf}
      a=rtpmap:0 PCMU/8000
      a=rtpmap:{dtmf} telephone-event/8000
      a=fmtp:{dtmf} 0-16
      a=ptime:20
      a=sendrecv
    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="183" optional="true"/>
  <recv response="200" rtd="true"/>
  <send>
    <![CDATA[
      ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:{caller}@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Contact: <sip:{caller}@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
"""


def dial_steps(caller: str, user_agent: str = "callcenter12345-caller", dtmf_payload: int = 96) -> str:
    """The scenario steps of placing a call to the hotline and acknowledging its answer (INVITE … ACK).
    ``caller`` is the From user (a number, or a sipp field such as ``[field0]``). sipp sends DTMF as
    telephone-event payload 96, so that is what the SDP offers by default."""
    return _DIAL.format(caller=caller, user_agent=user_agent, dtmf=dtmf_payload)


_WAIT = """  <recv request="BYE" timeout="{ms}" ontimeout="{then}" next="remote_bye"/>
  <label id="{then}"/>
"""

_DTMF = """  <nop><action><log message="dtmf-{digits}"/><exec play_dtmf="{digits}"/></action></nop>
"""

_SPEAK = """  <nop><action><log message="speaking"/><exec play_pcap_audio={pcap}/></action></nop>
"""

_TAIL = """  <send retrans="500">
    <![CDATA[
      BYE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:{caller}@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 2 BYE
      Contact: <sip:{caller}@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <recv response="200" crlf="true"/>
  <nop next="done"><action><log message="caller-bye"/></action></nop>
  <label id="remote_bye"/>
  <send>
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:{caller}@[local_ip]:[local_port]>
      Content-Length: 0
    ]]>
  </send>
  <nop><action><log message="remote-bye"/></action></nop>
  <label id="done"/>
</scenario>
"""


def caller_scenario(
    caller: str,
    pcap: str | None,
    speak_after_ms: int,
    talk_ms: int,
    keys: Sequence[tuple[int, str]] = (),
) -> str:
    """The scenario XML: key ``keys`` (wait ms, digits) one after the other, then wait ``speak_after_ms``,
    start ``pcap`` (if any), stay ``talk_ms``, then BYE.

    Keys are RFC 4733 telephone-events (sipp ``play_dtmf``). sipp 3.6.1 sends them with payload type 96
    whatever was negotiated, so the SDP offers telephone-event as 96 (Asterisk answers with the same type
    and accepts them). Each digit lasts 250 ms. A remote BYE at any waiting step is answered with 200 OK
    and ends the call.
    """
    if not caller.isdigit():
        raise ValueError(f"caller number must be digits: {caller!r}")
    parts = [_HEAD.format(dial=dial_steps(caller))]
    for index, (wait_ms, digits) in enumerate(keys):
        if not _KEYS.match(digits):
            raise ValueError(f"keys must be DTMF digits 0-9 * #: {digits!r}")
        if wait_ms > 0:
            parts.append(_WAIT.format(ms=wait_ms, then=f"key{index}"))
        parts.append(_DTMF.format(digits=digits))
    if pcap is not None:
        if speak_after_ms > 0:
            parts.append(_WAIT.format(ms=speak_after_ms, then="speak"))
        parts.append(_SPEAK.format(pcap=quoteattr(pcap)))
    parts.append(_WAIT.format(ms=max(talk_ms, 1), then="hang_up"))
    parts.append(_TAIL.format(caller=caller))
    return "".join(parts)
