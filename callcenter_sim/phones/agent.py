"""An agent seat's phone (坐席话机), played by pyVoIP 1.6.8: registers, auto-answers, talks, listens.

pyVoIP limits (see STACK_NOTES): PCMU/PCMA only and 8-bit samples, DTMF receive-only, UDP only, and it
crashes on SIP OPTIONS — the agent endpoints therefore have ``qualify_frequency = 0``.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from callcenter_sim.phones.audio import Pcm, from_unsigned8, load_telephone_wav, to_unsigned8
from callcenter_sim.phones.ports import free_port_block

HOST = "127.0.0.1"
FRAME_BYTES = 160  # 20 ms of 8 kHz audio, one byte per sample in pyVoIP's format
FRAME_SECONDS = 0.02
RTP_PORTS_PER_PHONE = 20
SIP_TIMEOUT_S = 5  # pyVoIP waits 30 s by default for a (de)registration answer
STOP_WITHIN_S = 2 * SIP_TIMEOUT_S + 2  # an un-registration: the request, the challenge, the answer

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AnsweredCall:
    """One call the phone answered: what it heard (8 kHz int16) and who ended it."""

    sip_call_id: str
    answered_at: float  # time.monotonic()
    ended_at: float
    heard: Pcm = field(repr=False)
    ended_by: str  # "agent" (we sent BYE) or "remote"

    @property
    def seconds(self) -> float:
        return self.ended_at - self.answered_at


class AgentPhone:
    """Agent ``agent`` (e.g. agent1001) registered to Asterisk's UDP ``sip_port`` on loopback.

    Every incoming call is answered after ``answer_after_s``; ``play`` (a WAV) is sent ``play_after_s`` after
    the answer; with ``hang_up_after_s`` the phone hangs up by itself that long after answering.
    """

    def __init__(
        self,
        agent: str,
        password: str,
        sip_port: int,
        *,
        play: Path | None = None,
        play_after_s: float = 0.5,
        answer_after_s: float = 0.0,
        hang_up_after_s: float | None = None,
    ) -> None:
        self.agent = agent
        self._password = password
        self._sip_port = sip_port
        self._play = load_telephone_wav(play) if play is not None else None
        self._play_after_s = play_after_s
        self._answer_after_s = answer_after_s
        self._hang_up_after_s = hang_up_after_s
        self._phone: Any = None
        self._lock = threading.Lock()
        self._calls: list[AnsweredCall] = []
        self._answered = threading.Event()
        self._ended = threading.Event()
        self._hang_up = threading.Event()

    # --- lifecycle ---------------------------------------------------------------------------------------

    def start(self, timeout: float = 10.0) -> None:
        """Register; raises TimeoutError when Asterisk has not accepted the registration in time."""
        from pyVoIP.VoIP import PhoneStatus, VoIPPhone  # imported here: pyVoIP pulls in deprecated audioop

        rtp_low = free_port_block(RTP_PORTS_PER_PHONE)
        self._phone = VoIPPhone(
            HOST,
            self._sip_port,
            self.agent,
            self._password,
            myIP=HOST,
            callCallback=self._on_call,
            sipPort=free_port_block(1),
            rtpPortLow=rtp_low,
            rtpPortHigh=rtp_low + RTP_PORTS_PER_PHONE - 1,
        )
        self._phone.sip.register_timeout = SIP_TIMEOUT_S
        self._phone.start()
        deadline = time.monotonic() + timeout
        while self._phone.get_status() != PhoneStatus.REGISTERED:
            if time.monotonic() > deadline:
                self.stop()
                raise TimeoutError(
                    f"{self.agent} not registered on 127.0.0.1:{self._sip_port} in {timeout} s"
                )
            time.sleep(0.05)

    def stop(self, within: float = STOP_WITHIN_S) -> bool:
        """Hang up whatever is active, unregister and close the sockets (always call this). Bounded: pyVoIP's
        own stop waits for the SIP receive lock and retries a refused un-registration every 5 s without end,
        so it runs in a thread of its own; after ``within`` seconds the sockets are closed under it, which
        ends its threads, and the reason is logged. True when the phone stopped cleanly."""
        self._hang_up.set()
        phone, self._phone = self._phone, None
        if phone is None:
            return True
        stopping = threading.Thread(target=phone.stop, name=f"stop-{self.agent}", daemon=True)
        stopping.start()
        stopping.join(within)
        if not stopping.is_alive():
            return True
        log.warning("phone %s: unregistering took over %.0f s; closing its sockets", self.agent, within)
        phone.sip.NSD = False  # ends pyVoIP's receive loop
        phone.sip._close_sockets()
        return False

    # --- call control ------------------------------------------------------------------------------------

    def hang_up(self) -> None:
        """Ask the active call to end (the phone sends BYE within 20 ms)."""
        self._hang_up.set()

    def wait_answered(self, timeout: float) -> bool:
        return self._answered.wait(timeout)

    def wait_ended(self, timeout: float) -> AnsweredCall:
        """The last call, once it has ended; raises TimeoutError."""
        if not self._ended.wait(timeout):
            raise TimeoutError(f"{self.agent}: no call ended within {timeout} s")
        with self._lock:
            return self._calls[-1]

    @property
    def calls(self) -> list[AnsweredCall]:
        with self._lock:
            return list(self._calls)

    # --- pyVoIP callback (runs in a pyVoIP thread) -------------------------------------------------------

    def _on_call(self, call: Any) -> None:
        time.sleep(self._answer_after_s)
        self._hang_up.clear()
        self._ended.clear()
        call.answer()
        answered_at = time.monotonic()
        self._answered.set()
        heard, ended_by = self._talk(call, answered_at)
        record = AnsweredCall(str(call.call_id), answered_at, time.monotonic(), heard, ended_by)
        with self._lock:
            self._calls.append(record)
        self._ended.set()

    def _talk(self, call: Any, answered_at: float) -> tuple[Pcm, str]:
        """Listen in real time (20 ms frames) until either side hangs up; speak when it is time to."""
        from pyVoIP.VoIP import CallState

        frames: list[bytes] = []
        spoken = self._play is None
        tick = answered_at
        while call.state == CallState.ANSWERED:
            now = time.monotonic()
            if not spoken and now - answered_at >= self._play_after_s:
                call.write_audio(
                    to_unsigned8(self._play if self._play is not None else np.zeros(0, np.int16))
                )
                spoken = True
            if self._should_hang_up(now - answered_at):
                call.hangup()
                return from_unsigned8(b"".join(frames)), "agent"
            frames.append(call.read_audio(FRAME_BYTES, blocking=False))
            tick += FRAME_SECONDS
            time.sleep(max(0.0, tick - time.monotonic()))
        return from_unsigned8(b"".join(frames)), "remote"

    def _should_hang_up(self, elapsed: float) -> bool:
        timed_out = self._hang_up_after_s is not None and elapsed >= self._hang_up_after_s
        return timed_out or self._hang_up.is_set()
