"""Pure parts of the web doors: origins in the form browsers send them, trusted proxy networks, strict
numbers and days, JSON values checked for depth and storable text."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from callcenter.adapters.http.bodies import MAX_DEPTH, InvalidText, JsonTooDeep, check_value, parse
from callcenter.adapters.http.client import normal_origin
from callcenter.adapters.http.params import MAX_ID, iso_day, record_id, whole_number
from callcenter.core.errors import ConfigError, InvalidInput
from callcenter.core.proxies import TrustedProxies, address_of


@pytest.mark.parametrize(
    ("origin", "normal"),
    [
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("HTTPS://12345.Example.GOV.cn", "https://12345.example.gov.cn"),
        ("https://12345.example.gov.cn:443", "https://12345.example.gov.cn"),
        ("http://host:80", "http://host"),
        ("http://[::1]:8080", "http://[::1]:8080"),
        ("null", ""),
        ("", ""),
        ("ftp://host", ""),
        ("http://host/path", ""),
        ("http://", ""),
    ],
)
def test_origins_are_compared_in_one_form(origin: str, normal: str) -> None:
    assert normal_origin(origin) == normal


def test_trusted_proxies_are_addresses_and_networks() -> None:
    proxies = TrustedProxies.parse(" 10.0.0.5 , 172.18.0.0/16,::1,")
    assert [proxies.trusts(a) for a in ("10.0.0.5", "10.0.0.6", "172.18.255.1", "::1", "[::1]", "x")] == [
        True, False, True, True, True, False,
    ]  # fmt: skip
    assert not TrustedProxies.parse("").trusts("127.0.0.1")
    assert TrustedProxies.parse(["127.0.0.1"]).trusts("127.0.0.1")
    assert address_of("fe80::1%eth0") is not None and address_of("999.1.1.1") is None
    with pytest.raises(ConfigError) as bad:
        TrustedProxies.parse("10.0.0.1, proxy.example")
    assert bad.value.details["key"] == "trusted_proxies"


@pytest.mark.parametrize(
    "raw", ["²", "٣", "３", "+1", " 1", "1_0", "1e3", "-1", "", "2147483648", "9" * 5000]
)
def test_ids_are_ascii_digits_within_the_integer_columns(raw: str) -> None:
    with pytest.raises(InvalidInput):
        record_id(raw, "ticket_id")


def test_whole_numbers_in_range() -> None:
    assert (record_id("1", "id"), record_id(str(MAX_ID), "id")) == (1, MAX_ID)
    assert whole_number("0", "offset", 0, 10) == 0
    with pytest.raises(InvalidInput):
        whole_number("11", "offset", 0, 10)
    with pytest.raises(InvalidInput):
        record_id("0", "id")


FAR_OR_ODD_DAYS = (
    "9999-12-31", "0001-01-01", "1969-12-31", "2200-01-01", "20261124", "2026-W48-2", "2026-02-30",
    "２０２６-01-01", "2026-1-1",
)  # fmt: skip


@pytest.mark.parametrize("raw", FAR_OR_ODD_DAYS)
def test_days_are_iso_and_within_the_supported_years(raw: str) -> None:
    with pytest.raises(InvalidInput):
        iso_day(raw, "from")


def test_a_plain_day_passes() -> None:
    assert iso_day("2026-11-24", "from") == date(2026, 11, 24)


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("\ud800", InvalidText),
        ({"ok": ["a\udfffb"]}, InvalidText),
        ({"\udc00": 1}, InvalidText),
        ("a\x00b", InvalidText),
        ([[[[[]]]]], None),
    ],
)
def test_values_are_checked_for_storable_text(value: Any, error: type[Exception] | None) -> None:
    if error is None:
        check_value(value)
    else:
        with pytest.raises(error):
            check_value(value)


def test_depth_is_limited_without_recursion() -> None:
    at_limit: Any = 1
    for _ in range(MAX_DEPTH):
        at_limit = [at_limit]
    check_value(at_limit)
    with pytest.raises(JsonTooDeep):
        check_value([at_limit])
    with pytest.raises(JsonTooDeep):
        parse("[" * 100_000 + "]" * 100_000)  # Python's parser gives up first: RecursionError
    with pytest.raises(InvalidInput):
        parse("{")
