"""Several Asterisk servers: the ``asterisk_servers`` setting (text, env, TOML tables), its validation,
secrets only from the environment, and the bridge set by server name."""

from __future__ import annotations

from pathlib import Path

import pytest

from callcenter.adapters.ami.actions import AmiActions
from callcenter.adapters.ami.bridge import AmiBridge
from callcenter.adapters.ami.bridges import BridgeSet, endpoints
from callcenter.adapters.ami.translate import HotlineMatch
from callcenter.config.asterisk_servers import AsteriskServer, asterisk_servers
from callcenter.config.loading import describe, load
from callcenter.core.clock import SystemClock
from callcenter.core.errors import ConfigError, InvalidInput
from callcenter.wiring.telephony import queue_log_files
from callcenter.wiring.workers import settings_env
from tests.support.sinks import CallEvents


def test_empty_list_is_the_one_local_instance() -> None:
    settings = load(None, {}, asterisk_name="hotline", ami_port=5038, ami_user="callcenter")
    assert asterisk_servers(settings) == (AsteriskServer("hotline", "127.0.0.1", 5038, "callcenter"),)


def test_env_list_with_options() -> None:
    env = {
        "CALLCENTER_ASTERISK_SERVERS": (
            "east=10.0.0.11:5038;secret_env=AMI_SECRET_EAST;queue_log=/mnt/east/queue_log,"
            " west=10.0.0.12:6038;user=cc-west"
        )
    }
    east, west = asterisk_servers(load(None, env))
    assert east == AsteriskServer(
        "east", "10.0.0.11", 5038, "callcenter", "AMI_SECRET_EAST", "/mnt/east/queue_log"
    )
    assert west == AsteriskServer("west", "10.0.0.12", 6038, "cc-west")


def test_toml_array_of_tables_becomes_the_same_setting(tmp_path: Path) -> None:
    file = tmp_path / "cc.toml"
    file.write_text(
        "[callcenter]\n"
        '[[callcenter.asterisk_servers]]\nname = "east"\nhost = "10.0.0.11"\nami_port = 5038\n'
        'secret_env = "AMI_SECRET_EAST"\n'
        '[[callcenter.asterisk_servers]]\nname = "west"\nhost = "10.0.0.12"\nami_port = 5038\n'
        'ami_user = "cc-west"\n'
    )
    settings = load(file, {})
    assert [s.name for s in asterisk_servers(settings)] == ["east", "west"]
    assert asterisk_servers(settings)[1].ami_user == "cc-west"
    # The text form travels to child processes as a plain variable and comes back the same.
    again = load(None, {"CALLCENTER_ASTERISK_SERVERS": settings_env(settings)["CALLCENTER_ASTERISK_SERVERS"]})
    assert asterisk_servers(again) == asterisk_servers(settings)
    assert "AMI_SECRET_EAST" in describe(settings)["asterisk_servers"]  # the variable's name, no secret


@pytest.mark.parametrize(
    "value",
    [
        "east=10.0.0.11:5038, east=10.0.0.12:5038",  # duplicate name
        "east=10.0.0.11:5038, west=10.0.0.11:5038",  # same address twice
        "east=10.0.0.11:70000",
        "east=10.0.0.11",
        "East=10.0.0.11:5038",
        "east=10.0.0.11:5038;password=x",  # secrets never in the setting
        "east=10.0.0.11:5038;secret_env=lower-case",
        "east=10.0.0.11:5038;user=x;user=y",
        "east=bad host:5038",
    ],
)
def test_bad_server_lists_are_refused_naming_the_setting(value: str) -> None:
    with pytest.raises(ConfigError) as err:
        load(None, {"CALLCENTER_ASTERISK_SERVERS": value})
    assert err.value.details["key"] == "asterisk_servers"


def test_toml_server_table_with_an_unknown_key_is_refused(tmp_path: Path) -> None:
    file = tmp_path / "cc.toml"
    file.write_text(
        '[[callcenter.asterisk_servers]]\nname = "east"\nhost = "h"\nami_port = 1\nsecret = "x"\n'
    )
    with pytest.raises(ConfigError, match="ami_port"):
        load(file, {})


def test_secrets_come_from_the_named_variable_else_the_shared_secret() -> None:
    settings = load(None, {"CALLCENTER_ASTERISK_SERVERS": "a=h1:1;secret_env=SECRET_A, b=h2:2"})
    east, west = endpoints(asterisk_servers(settings), "shared-secret", {"SECRET_A": "secret-of-a"})
    assert (east.secret, west.secret) == ("secret-of-a", "shared-secret")
    with pytest.raises(ConfigError, match="SECRET_A"):
        endpoints(asterisk_servers(settings), "shared-secret", {})


def test_queue_logs_by_server() -> None:
    settings = load(None, {"CALLCENTER_ASTERISK_SERVERS": "a=h1:1;queue_log=/x/a, b=h2:2"})
    files = queue_log_files(settings)
    assert files.path("a") == Path("/x/a") and files.path("b") is None


async def test_bridge_set_by_server_name() -> None:
    settings = load(None, {"CALLCENTER_ASTERISK_SERVERS": "a=127.0.0.1:1, b=127.0.0.1:2"})
    match = HotlineMatch(contexts=frozenset({"from-pstn"}), numbers=frozenset({"12345"}))

    bridges = BridgeSet.build(
        endpoints(asterisk_servers(settings), "secret", {}),
        lambda ep: AmiBridge(AmiActions(ep, SystemClock()), match, CallEvents(), SystemClock()),
    )
    assert list(bridges) == ["a", "b"] and bridges.first is bridges["a"]
    assert bridges.for_server("b").endpoint.port == 2
    with pytest.raises(InvalidInput):
        bridges.for_server("c")
    assert bridges.down() == ("a", "b") and not bridges.synced()
    assert bridges.health()["b"] == {
        "address": "127.0.0.1:2",
        "connected": False,
        "synced": False,
        "logins": 0,
        "resyncs": 0,
    }
