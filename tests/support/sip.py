"""A few raw SIP requests over UDP for tests that ask "does Asterisk accept this?" with one exact answer:
a REGISTER with digest authentication (MD5, qop=auth) and a bare INVITE from a chosen source address.

Deliberately tiny and synchronous (no dialogs, no media): pyVoIP and sipp play real phones elsewhere; here
the tests need the status code Asterisk answers, from any loopback address (127.0.0.2 is loopback too).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import socket
from dataclasses import dataclass

_CHALLENGE = re.compile(r'(\w+)=(?:"([^"]*)"|([^\s,]+))')


@dataclass(frozen=True, slots=True)
class SipReply:
    status: int
    headers: dict[str, list[str]]  # lower-case names, every value in order

    def first(self, name: str) -> str:
        return self.headers.get(name.lower(), [""])[0]


def parse_reply(data: bytes) -> SipReply:
    head = data.decode("utf-8", "replace").split("\r\n\r\n", 1)[0].split("\r\n")
    status = int(head[0].split()[1])
    headers: dict[str, list[str]] = {}
    for line in head[1:]:
        name, _, value = line.partition(":")
        headers.setdefault(name.strip().lower(), []).append(value.strip())
    return SipReply(status, headers)


class SipClient:
    """One UDP socket on ``source`` talking to Asterisk on 127.0.0.1:``port``."""

    def __init__(self, port: int, source: str = "127.0.0.1", timeout: float = 3.0) -> None:
        self.port = port
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((source, 0))
        self.sock.settimeout(timeout)
        self.local = f"{source}:{self.sock.getsockname()[1]}"
        self._cseq = 0

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> SipClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def request(self, method: str, uri: str, user: str, extra: str = "", body: str = "") -> SipReply:
        """Send one request; the final reply (1xx are skipped)."""
        self._cseq += 1
        call_id = secrets.token_hex(8)
        lines = [
            f"{method} {uri} SIP/2.0",
            f"Via: SIP/2.0/UDP {self.local};branch=z9hG4bK{secrets.token_hex(6)};rport",
            "Max-Forwards: 70",
            f"From: <sip:{user}@127.0.0.1>;tag={secrets.token_hex(4)}",
            f"To: <{uri if method == 'INVITE' else f'sip:{user}@127.0.0.1'}>",
            f"Call-ID: {call_id}",
            f"CSeq: {self._cseq} {method}",
            f"Contact: <sip:{user}@{self.local}>",
        ]
        message = "\r\n".join(lines) + "\r\n" + extra + f"Content-Length: {len(body.encode())}\r\n\r\n" + body
        self.sock.sendto(message.encode(), ("127.0.0.1", self.port))
        while True:
            reply = parse_reply(self.sock.recvfrom(65535)[0])
            if reply.status >= 200:
                return reply

    def register(self, user: str, password: str, expires: int = 60) -> int:
        """REGISTER ``user`` (answering the digest challenge with ``password``); the final status code."""
        uri = "sip:127.0.0.1"
        first = self.request("REGISTER", uri, user, f"Expires: {expires}\r\n")
        if first.status != 401:
            return first.status
        challenge = next(
            (
                c
                for c in first.headers.get("www-authenticate", [])
                if "md5" in c.lower() or "algorithm" not in c.lower()
            ),
            first.first("www-authenticate"),
        )
        auth = digest(challenge, user, password, "REGISTER", uri)
        return self.request("REGISTER", uri, user, f"Expires: {expires}\r\nAuthorization: {auth}\r\n").status

    def invite(self, from_user: str, number: str) -> int:
        """INVITE ``number`` as ``from_user`` with a G.711 offer; the final status. An answered call is
        acknowledged and hung up at once (BYE), so nothing is left running in Asterisk."""
        uri = f"sip:{number}@127.0.0.1"
        host, port = self.local.split(":")
        sdp = (
            f"v=0\r\no=- 1 1 IN IP4 {host}\r\ns=-\r\nc=IN IP4 {host}\r\nt=0 0\r\n"
            f"m=audio {int(port) + 2} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
        )
        call_id, tag = secrets.token_hex(8), secrets.token_hex(4)
        head = self._head(uri, from_user, call_id, tag)
        self._send(f"INVITE {uri} SIP/2.0", [*head, "CSeq: 1 INVITE", "Content-Type: application/sdp"], sdp)
        while True:
            reply = parse_reply(self.sock.recvfrom(65535)[0])
            if reply.status >= 200:
                break
        to = reply.first("to")
        self._send(f"ACK {uri} SIP/2.0", [*self._head(uri, from_user, call_id, tag, to), "CSeq: 1 ACK"])
        if reply.status == 200:
            self._send(f"BYE {uri} SIP/2.0", [*self._head(uri, from_user, call_id, tag, to), "CSeq: 2 BYE"])
        return reply.status

    def _head(self, uri: str, user: str, call_id: str, tag: str, to: str = "") -> list[str]:
        return [
            f"Via: SIP/2.0/UDP {self.local};branch=z9hG4bK{secrets.token_hex(6)};rport",
            "Max-Forwards: 70",
            f"From: <sip:{user}@127.0.0.1>;tag={tag}",
            f"To: {to or f'<{uri}>'}",
            f"Call-ID: {call_id}",
            f"Contact: <sip:{user}@{self.local}>",
        ]

    def _send(self, start: str, headers: list[str], body: str = "") -> None:
        text = "\r\n".join([start, *headers, f"Content-Length: {len(body.encode())}", "", body])
        self.sock.sendto(text.encode(), ("127.0.0.1", self.port))


def digest(challenge: str, user: str, password: str, method: str, uri: str) -> str:
    """The Authorization header answering a Digest challenge (RFC 2617, MD5, qop=auth)."""
    fields = {m[0].lower(): m[1] or m[2] for m in _CHALLENGE.findall(challenge)}
    realm, nonce = fields["realm"], fields["nonce"]
    ha1 = _md5(f"{user}:{realm}:{password}")
    ha2 = _md5(f"{method}:{uri}")
    cnonce, nc = secrets.token_hex(4), "00000001"
    parts = [f'username="{user}"', f'realm="{realm}"', f'nonce="{nonce}"', f'uri="{uri}"', "algorithm=MD5"]
    if "auth" in fields.get("qop", ""):
        response = _md5(f"{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}")
        parts += ["qop=auth", f"nc={nc}", f'cnonce="{cnonce}"']
    else:
        response = _md5(f"{ha1}:{nonce}:{ha2}")
    if "opaque" in fields:
        parts.append(f'opaque="{fields["opaque"]}"')
    return "Digest " + ", ".join([*parts, f'response="{response}"'])


def _md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()
