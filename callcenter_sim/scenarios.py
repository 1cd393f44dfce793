"""sipp scenarios of a drill: many citizens in one sipp process, many agent seats in another.

Citizen (UAC, one line of the injection file per call: number;start_ms;patience_ticks;handle_ticks):
wait ``start_ms`` (Poisson arrivals), INVITE 12345, speak the Mandarin pcap while hearing the greeting,
then wait for an agent. The agent side cannot be seen in SIP on the citizen's leg, so the seat tells it:
right after answering, the seat sends an in-dialog ``MESSAGE``; Asterisk carries it across the bridge as
a text frame and sends it to the citizen as an in-dialog MESSAGE. Until then the citizen counts down its
patience in ticks and hangs up when it runs out (an abandon); after it, it speaks again and hangs up after
its handle time (in ticks). A BYE from Asterisk at any point ends the call.

Why ticks: sipp's receive timeouts are constants, so a per-call time is a loop of fixed ``TICK_MS``
receive timeouts with a counter taken from the injection file.

Seats (UAC main scenario + out-of-call scenario, one process, one UDP socket): the main scenario
REGISTERs every seat (digest auth from the injection file) with this socket as contact and then idles;
every INVITE Asterisk sends to a seat is handled by the out-of-call scenario: 200 OK, the MESSAGE, then
wait for the citizen's BYE (or send one after ``max_call_ms``). Production configuration is untouched:
the seats register like any phone.

Every outcome is a log line ``<marker> <number>`` (see ``Marker``) read back by the adapter.
"""

from __future__ import annotations

from enum import StrEnum
from xml.sax.saxutils import quoteattr

from callcenter_sim.phones.scenario import dial_steps

TICK_MS = 500


class Marker(StrEnum):
    ANSWERED = "answered"  # Asterisk answered (greeting starts)
    AGENT = "agent"  # an agent took the call
    ABANDON = "abandon"  # the citizen gave up waiting
    CALLER_BYE = "caller-bye"  # the citizen hung up (after talking or abandoning)
    REMOTE_BYE = "remote-bye"  # Asterisk hung up on the citizen
    REGISTERED = "registered"  # a seat's phone registered
    SEAT_ANSWERED = "seat-answered"  # a seat answered a call from this number


_HEAD = """<?xml version="1.0" encoding="UTF-8" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
"""

_BYE_FROM_CALLER = """
      BYE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:[field0]@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 2 BYE
      Contact: <sip:[field0]@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Length: 0
"""

_OK_TO_REQUEST = """
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0
"""

_CITIZEN = """<scenario name="12345 citizen (drill)">
  <nop><action>
    <assignstr assign_to="start_s" value="[field1]"/>
    <todouble assign_to="start_ms" variable="start_s"/>
    <assignstr assign_to="patience_s" value="[field2]"/>
    <todouble assign_to="patience" variable="patience_s"/>
    <assignstr assign_to="handle_s" value="[field3]"/>
    <todouble assign_to="handle" variable="handle_s"/>
  </action></nop>
  <pause variable="start_ms"/>
{dial}  <nop><action><log message="answered [field0]"/>{speak}</action></nop>
  <label id="waiting"/>
  <recv request="MESSAGE" optional="true" timeout="{tick}" ontimeout="wait_tick" next="agent_on"/>
  <recv request="BYE" next="remote_bye"/>
  <label id="wait_tick"/>
  <nop><action>
    <subtract assign_to="patience" value="1"/>
    <test assign_to="gave_up" variable="patience" compare="less_than" value="0.5"/>
  </action></nop>
  <nop next="abandon" test="gave_up"/>
  <nop next="waiting"/>
  <label id="agent_on"/>
  <send><![CDATA[{ok}]]></send>
  <nop><action><log message="agent [field0]"/>{speak}</action></nop>
  <label id="talking"/>
  <recv request="BYE" timeout="{tick}" ontimeout="talk_tick" next="remote_bye"/>
  <label id="talk_tick"/>
  <nop><action>
    <subtract assign_to="handle" value="1"/>
    <test assign_to="done_talking" variable="handle" compare="less_than" value="0.5"/>
  </action></nop>
  <nop next="hang_up" test="done_talking"/>
  <nop next="talking"/>
  <label id="abandon"/>
  <nop><action><log message="abandon [field0]"/></action></nop>
  <label id="hang_up"/>
  <send retrans="500"><![CDATA[{bye}]]></send>
  <recv response="200" crlf="true"/>
  <nop next="done"><action><log message="caller-bye [field0]"/></action></nop>
  <label id="remote_bye"/>
  <send><![CDATA[{ok}]]></send>
  <nop><action><log message="remote-bye [field0]"/></action></nop>
  <label id="done"/>
</scenario>
"""

_SEATS_REGISTER = """<scenario name="12345 seats register (drill)">
  <send retrans="500">
    <![CDATA[
      REGISTER sip:[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:[field0]@[remote_ip]:[remote_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[field0]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 REGISTER
      Contact: {contact}
      Expires: {expires}
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <recv response="401" auth="true"/>
  <send retrans="500">
    <![CDATA[
      REGISTER sip:[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:[field0]@[remote_ip]:[remote_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[field0]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 2 REGISTER
      Contact: {contact}
      [field1]
      Expires: {expires}
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <recv response="200"/>
  <nop><action><log message="{marker} [field0]"/></action></nop>
  <pause milliseconds="{idle_ms}"/>
</scenario>
"""

_SEAT_ANSWERS = """<scenario name="12345 seat answers (drill)">
  <recv request="INVITE">
    <action>
      <ereg regexp="sip:[0-9]+" search_in="hdr" header="From:" assign_to="caller"/>
      <ereg regexp=".*" search_in="hdr" header="From:" assign_to="from_hdr"/>
      <ereg regexp="sip:[^&gt;]*" search_in="hdr" header="Contact:" assign_to="contact"/>
    </action>
  </recv>
  <send>
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:];tag=seat-[call_id]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:seat@[local_ip]:[local_port]>
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=- 53655765 2353687637 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 0
      a=rtpmap:0 PCMU/8000
    ]]>
  </send>
  <recv request="ACK"/>
  <nop><action><log message="seat-answered [$caller]"/></action></nop>
  <pause milliseconds="{settle_ms}"/>
  <send retrans="500">
    <![CDATA[
      MESSAGE [$contact] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=z9hG4bK-msg-[call_id]
      From: <sip:seat@[local_ip]:[local_port]>;tag=seat-[call_id]
      To: [$from_hdr]
      [last_Call-ID:]
      CSeq: 2 MESSAGE
      Max-Forwards: 70
      Content-Type: text/plain
      Content-Length: [len]

      agent-answered
    ]]>
  </send>
  <recv response="202"/>
  <recv request="BYE" timeout="{max_call_ms}" ontimeout="seat_hangs_up" next="caller_bye"/>
  <label id="seat_hangs_up"/>
  <send retrans="500">
    <![CDATA[
      BYE [$contact] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=z9hG4bK-bye-[call_id]
      From: <sip:seat@[local_ip]:[local_port]>;tag=seat-[call_id]
      To: [$from_hdr]
      [last_Call-ID:]
      CSeq: 3 BYE
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <recv response="200" next="done"/>
  <label id="caller_bye"/>
  <send><![CDATA[{ok}]]></send>
  <label id="done"/>
</scenario>
"""


def citizen_scenario(pcap: str | None) -> str:
    """The citizens' scenario; ``pcap`` (RTP capture of Mandarin speech) is played after the answer and
    again when the agent comes on."""
    speak = f"<exec play_pcap_audio={quoteattr(pcap)}/>" if pcap else ""
    return _HEAD + _CITIZEN.format(
        dial=dial_steps("[field0]", "callcenter12345-drill", 101),
        speak=speak,
        tick=TICK_MS,
        ok=_OK_TO_REQUEST,
        bye=_BYE_FROM_CALLER,
    )


def seats_register_scenario(expires_s: int, idle_ms: int, unregister: bool = False) -> str:
    """REGISTER every seat of the injection file (``seat;[authentication …]``), then idle ``idle_ms``.
    ``unregister``: Expires 0 with ``Contact: *`` (removes the seat's contacts whatever their port)."""
    contact = "*" if unregister else "<sip:[field0]@[local_ip]:[local_port]>"
    return _HEAD + _SEATS_REGISTER.format(
        expires=0 if unregister else expires_s,
        contact=contact,
        marker="unregistered" if unregister else Marker.REGISTERED,
        idle_ms=max(idle_ms, 0),
    )


def seat_answers_scenario(max_call_ms: int, settle_ms: int = 200) -> str:
    """The out-of-call scenario of the seats' process: answer, say so (MESSAGE), wait for the BYE."""
    return _HEAD + _SEAT_ANSWERS.format(max_call_ms=max_call_ms, settle_ms=settle_ms, ok=_OK_TO_REQUEST)


def ticks(seconds: float) -> int:
    """A duration as a number of ``TICK_MS`` ticks (at least one)."""
    return max(1, round(seconds * 1000 / TICK_MS))
