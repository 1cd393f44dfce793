"""The simulated citizen's phone for calls the hotline places (missed-call call-backs 漏接回拨, callback
surveys 回访): a sipp UAS on the loopback port that the ``pstn-out`` trunk's contact names
(``pstn_outbound_uri`` of the Asterisk).

Behaviours per call: ``answer`` (answers at once, sends a pcap of keys and speech if given, and stays
until Asterisk hangs up, or hangs up itself after ``hang_up_after_ms``), ``no_answer`` (rings until
Asterisk cancels), ``busy`` (486 Busy Here). One sipp process takes ``calls`` calls in a row, all with
the same behaviour, and exits (or after ``limit_s``); ``markers`` reads back what happened from sipp's log.
Used by the tests, the survey bench and the demo (whose citizens answer survey calls with a key).
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlparse
from xml.sax.saxutils import quoteattr

from callcenter_sim.phones.ports import free_port_block

_REPLY_HEAD = """[last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:citizen@[local_ip]:[local_port]>"""

_RINGING = f"""  <send>
    <![CDATA[
      SIP/2.0 180 Ringing
      {_REPLY_HEAD}
      Content-Length: 0
    ]]>
  </send>
"""

_ANSWER = f"""  <send retrans="500">
    <![CDATA[
      SIP/2.0 200 OK
      {_REPLY_HEAD}
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=- 53655765 2353687637 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 0 101
      a=rtpmap:0 PCMU/8000
      a=rtpmap:101 telephone-event/8000
      a=fmtp:101 0-16
      a=sendrecv
    ]]>
  </send>
  <recv request="ACK" crlf="true"/>
  <nop><action><log message="answered"/></action></nop>
"""

_WAIT_BYE = """  <recv request="BYE"/>
  <nop><action><log message="remote-bye"/></action></nop>
  <send>
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0
    ]]>
  </send>
"""

_OWN_BYE = """  <pause milliseconds="{ms}"/>
  <nop><action><log message="citizen-bye"/></action></nop>
  <send retrans="500">
    <![CDATA[
      BYE [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:citizen@[local_ip]:[local_port]>;tag=[pid]SIPpTag01[call_number]
      To: [$remote_from]
      Call-ID: [call_id]
      CSeq: 2 BYE
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <recv response="200"/>
"""

_NO_ANSWER = f"""{_RINGING}  <recv request="CANCEL">
    <action>
      <ereg regexp="([0-9]+)" search_in="hdr" header="CSeq:" check_it="true" assign_to="cseq_all,cseq"/>
    </action>
  </recv>
  <nop><action><log message="cancelled [$cseq_all]"/></action></nop>
  <send>
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0
    ]]>
  </send>
  <send>
    <![CDATA[
      SIP/2.0 487 Request Terminated
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      CSeq: [$cseq] INVITE
      Content-Length: 0
    ]]>
  </send>
  <recv request="ACK" crlf="true"/>
"""

_BUSY = f"""  <send>
    <![CDATA[
      SIP/2.0 486 Busy Here
      {_REPLY_HEAD}
      Content-Length: 0
    ]]>
  </send>
  <recv request="ACK" crlf="true"/>
  <nop><action><log message="busy"/></action></nop>
"""


_PLAY = """  <nop><action><log message="playing"/><exec play_pcap_audio={pcap}/></action></nop>
"""


def _plays(pcaps: Sequence[Path]) -> str:
    """Play one of ``pcaps``: the only one, or one chosen per call uniformly at random."""
    if len(pcaps) == 1:
        return _PLAY.format(pcap=quoteattr(str(pcaps[0])))
    parts = [f'  <nop><action><sample assign_to="pick" distribution="uniform" min="0" max="{len(pcaps)}"/>'
             "</action></nop>\n"]  # fmt: skip
    for i in range(len(pcaps)):
        parts.append(
            f'  <nop><action><test assign_to="p{i}" variable="pick" compare="less_than" value="{i + 1}"/>'
            "</action></nop>\n"
        )
    parts += [f'  <nop test="p{i}" next="play{i}"/>\n' for i in range(len(pcaps))]
    for i, pcap in enumerate(pcaps):
        parts.append(f'  <label id="play{i}"/>\n' + _PLAY.format(pcap=quoteattr(str(pcap))))
        parts.append('  <nop next="played"/>\n')
    return "".join(parts) + '  <label id="played"/>\n'


def scenario(
    behaviour: str, hang_up_after_ms: int | None = None, pcap: Path | Sequence[Path] | None = None
) -> str:
    invite = """  <recv request="INVITE" crlf="true" rrs="true">
    <action>
      <ereg regexp="^.*$" search_in="hdr" header="From:" check_it="true" assign_to="remote_from"/>
      <ereg regexp="sip:([0-9]+)@" search_in="msg" check_it="true" assign_to="uri,dialled"/>
      <log message="invite [$dialled] [$uri] [$remote_from]"/>
    </action>
  </recv>
"""
    if behaviour == "answer":
        pcaps = [pcap] if isinstance(pcap, Path) else list(pcap or ())
        play = _plays(pcaps) if pcaps else ""
        ending = _WAIT_BYE if hang_up_after_ms is None else _OWN_BYE.format(ms=hang_up_after_ms)
        body = _ANSWER + play + ending
    elif behaviour == "no_answer":
        body = _NO_ANSWER
    elif behaviour == "busy":
        body = _BUSY
    else:
        raise ValueError(behaviour)
    return (
        '<?xml version="1.0" encoding="UTF-8" ?>\n<!DOCTYPE scenario SYSTEM "sipp.dtd">\n'
        f'<scenario name="citizen {behaviour}">\n{invite}{body}</scenario>\n'
    )


def udp_port_bound(port: int) -> bool:
    """Whether some socket on this machine holds UDP ``port`` (IPv4), from /proc/net/udp."""
    lines = Path("/proc/net/udp").read_text(encoding="ascii").splitlines()[1:]
    return any(int(line.split()[1].rsplit(":", 1)[1], 16) == port for line in lines if line.strip())


class PhoneUnavailable(RuntimeError):
    """sipp is missing or could not take its port: the message says how to fix it."""


class CitizenPhone:
    """sipp as the citizen's phone on ``uri``'s port (loopback)."""

    def __init__(self, uri: str, workdir: Path) -> None:
        parsed = urlparse(uri.replace("sip:", "sip://", 1))
        if parsed.hostname != "127.0.0.1" or not parsed.port:
            raise PhoneUnavailable(f"the citizen's phone runs on loopback only, not on {uri}")
        self.port = parsed.port
        self.workdir = workdir
        self._process: subprocess.Popen[bytes] | None = None
        sipp = shutil.which("sipp")
        if sipp is None:
            raise PhoneUnavailable("sipp not found: install Debian's sip-tester (./hotline setup)")
        self._sipp = sipp

    def start(
        self,
        behaviour: str,
        calls: int = 1,
        hang_up_after_ms: int | None = None,
        pcap: Path | Sequence[Path] | None = None,
        limit_s: int | None = 120,
    ) -> None:
        """Take ``calls`` calls with ``behaviour``; on ``answer``, ``pcap`` (``write_answer_pcap``: keys,
        speech) is what the citizen's phone sends once the call is up; several pcaps: one of them per call,
        at random (sipp's uniform sample), e.g. a key 1, 2 or 3 for a load of surveys. ``limit_s``: sipp
        exits after this long whatever happens (None: only after its calls, or when stopped)."""
        self.stop()
        self.workdir.mkdir(parents=True, exist_ok=True)
        for name in ("calls.log", "messages.log", "errors.log"):
            (self.workdir / name).unlink(missing_ok=True)
        xml = self.workdir / "citizen.xml"
        xml.write_text(scenario(behaviour, hang_up_after_ms, pcap), encoding="utf-8")
        argv = [
            self._sipp, "-sf", str(xml), "-i", "127.0.0.1", "-p", str(self.port), "-m", str(calls),
            "-mi", "127.0.0.1", "-mp", str(free_port_block(4)), "-nostdin",
            "-trace_logs", "-log_file", str(self.workdir / "calls.log"),
            "-trace_msg", "-message_file", str(self.workdir / "messages.log"),
            "-trace_err", "-error_file", str(self.workdir / "errors.log"),
        ]  # fmt: skip
        if limit_s is not None:
            argv += ["-timeout", f"{limit_s}s"]
        with (self.workdir / "sipp.out").open("wb") as out:
            self._process = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT
            )
        self._wait_listening(10.0)

    def _wait_listening(self, within: float) -> None:
        """Return once sipp holds its UDP port, so a call dialled right after ``start`` reaches this
        behaviour and not an empty port (read from /proc: probing by binding would race sipp)."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if udp_port_bound(self.port):
                return
            if self._process is not None and self._process.poll() is not None:
                break
            time.sleep(0.02)
        out = (self.workdir / "sipp.out").read_text(encoding="utf-8", errors="replace")
        raise PhoneUnavailable(f"the citizen's sipp did not bind UDP port {self.port}: {out[-2000:]}")

    def markers(self) -> list[str]:
        log = self.workdir / "calls.log"
        return log.read_text(encoding="utf-8", errors="replace").split() if log.is_file() else []

    def dialled_numbers(self) -> list[str]:
        words = self.markers()
        return [words[i + 1] for i, w in enumerate(words[:-1]) if w == "invite"]

    def diagnostics(self) -> str:
        """What sipp saw and said, for a failing assertion's message."""
        parts = []
        for name in ("sipp.out", "messages.log", "errors.log"):
            path = self.workdir / name
            if path.is_file():
                parts.append(f"--- {name}\n{path.read_text(encoding='utf-8', errors='replace')[-3000:]}")
        return "\n".join(parts) or "no sipp output"

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait(timeout=5)
        self._process = None
