"""The production compose file (docker-compose.yml) and its Dockerfiles, checked without Docker.

The CI machines have the docker client but no engine and no ``docker compose`` plugin, so the file is parsed
with PyYAML and checked for what matters to us: the services exist, every build context, Dockerfile and
COPY source exists, no secret is written down, every volume and network is declared, ``depends_on`` names
exist, services have health checks, and the settings passed are ones ``callcenter.config.settings`` knows.

When ``docker compose version`` works, ``docker compose config -q`` also runs. Where the compose plugin is
absent that one test is skipped (``pytest.skip``): this is the skip the README counts.
"""

from __future__ import annotations

import ipaddress
import os
import re
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from dataclasses import fields
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]  # PyYAML ships no stubs

from callcenter.config.loading import load
from callcenter.config.settings import PLAIN_ENV, Settings
from callcenter.core.errors import ConfigError

REPO = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO / "docker-compose.yml"
ENV_EXAMPLE = REPO / "deploy" / "env.example"

REQUIRED_SERVICES = {"asterisk", "postgres", "redis", "app", "asr-worker"}
SECRET_NAME = re.compile(r"SECRET|PASSWORD|TOKEN|API_KEY", re.IGNORECASE)
REQUIRED_REFERENCE = re.compile(r"^\$\{[A-Z][A-Z0-9_]*:\?[^}]*\}$")  # ${VAR:?message}: no default, no value
VARIABLE = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)")
URL_PASSWORD = re.compile(r"^[a-z][a-z0-9+.-]*://[^:/@\s]*:(?P<password>\$\{[^}]*\}|[^@\s]*)@", re.IGNORECASE)
# Read by the CLI (log level) and the Asterisk runtime (cache dir), not by Settings.
NON_SETTING_VARIABLES = {"CALLCENTER_CACHE", "CALLCENTER_LOG_LEVEL"}
RECORDINGS_VOLUME = "recordings"


@cache
def compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(data, dict), "docker-compose.yml must be a mapping"
    return data


def services() -> dict[str, dict[str, Any]]:
    return dict(compose()["services"])


def long_running() -> dict[str, dict[str, Any]]:
    """Services started by a plain ``up`` (one-shot jobs sit behind a profile)."""
    return {name: svc for name, svc in services().items() if not svc.get("profiles")}


def environment(service: Mapping[str, Any]) -> dict[str, str]:
    """A service's environment as a mapping, whether written as a mapping or as a list of NAME=value."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        return dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {str(k): "" if v is None else str(v) for k, v in env.items()}


def volume_mounts(service: Mapping[str, Any]) -> Iterator[tuple[str | None, str, bool]]:
    """(source, target, read_only) of each mount, short or long syntax; source None for anonymous volumes."""
    for mount in service.get("volumes") or []:
        if isinstance(mount, str):
            parts = mount.split(":")
            if len(parts) == 1:
                yield None, parts[0], False
            else:
                yield parts[0], parts[1], len(parts) > 2 and "ro" in parts[2].split(",")
        else:
            yield mount.get("source"), mount["target"], bool(mount.get("read_only"))


def is_named_volume(source: str) -> bool:
    return not source.startswith(("/", ".", "~", "$"))


def dependencies(service: Mapping[str, Any]) -> dict[str, str]:
    """depends_on as {name: condition}, list or mapping syntax."""
    deps = service.get("depends_on") or {}
    if isinstance(deps, list):
        return {name: "service_started" for name in deps}
    return {name: (spec or {}).get("condition", "service_started") for name, spec in deps.items()}


def builds() -> Iterator[tuple[str, Path, Path]]:
    """(service, context dir, Dockerfile) of every service that builds an image."""
    for name, svc in services().items():
        build = svc.get("build")
        if build is None:
            continue
        spec = {"context": build} if isinstance(build, str) else build
        context = (REPO / spec.get("context", ".")).resolve()
        yield name, context, (context / spec.get("dockerfile", "Dockerfile")).resolve()


def copy_sources(dockerfile: Path) -> Iterator[str]:
    """Sources of every COPY/ADD that reads the build context (not ``--from`` another stage)."""
    joined = re.sub(r"\\\n", " ", dockerfile.read_text(encoding="utf-8"))
    for line in joined.splitlines():
        words = line.split()
        if not words or words[0].upper() not in ("COPY", "ADD"):
            continue
        args = words[1:]
        if any(a.startswith("--from") for a in args):
            continue
        args = [a for a in args if not a.startswith("--")]
        yield from args[:-1]


def all_strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, Mapping):
        for key, value in node.items():
            yield str(key)
            yield from all_strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from all_strings(item)


# --- services ------------------------------------------------------------------------------------------


def test_the_hotline_services_are_all_there() -> None:
    assert set(services()) >= REQUIRED_SERVICES


def test_app_serves_and_workers_run_the_worker_command() -> None:
    app = " ".join(services()["app"]["command"])
    worker = " ".join(services()["asr-worker"]["command"])
    assert "-m callcenter serve" in app
    assert "-m callcenter asr-worker" in worker


def test_asr_workers_are_replicated_with_distinct_consumer_names() -> None:
    worker = services()["asr-worker"]
    assert int(worker["deploy"]["replicas"]) >= 1
    assert "--consumer" in " ".join(worker["command"]), "replicas would share the CLI's default consumer name"


# --- builds --------------------------------------------------------------------------------------------


def test_every_build_context_and_dockerfile_exists_in_the_repository() -> None:
    found = list(builds())
    assert found, "no service builds an image"
    for name, context, dockerfile in found:
        assert context.is_dir() and context.is_relative_to(REPO), f"{name}: build context {context}"
        assert dockerfile.is_file() and dockerfile.is_relative_to(REPO), f"{name}: Dockerfile {dockerfile}"


def test_every_copied_source_exists_and_is_not_ignored() -> None:
    for name, context, dockerfile in builds():
        ignore = dockerfile.with_name(dockerfile.name + ".dockerignore")
        allowed = [line[1:].rstrip("/") for line in _lines(ignore) if line.startswith("!")]
        for source in copy_sources(dockerfile):
            assert (context / source).exists(), f"{name}: {dockerfile.name} copies missing {source}"
            if ignore.is_file():
                assert source.rstrip("/") in allowed, f"{name}: {source} is excluded by {ignore.name}"


def test_the_asterisk_entrypoint_is_executable() -> None:
    entrypoint = REPO / "deploy" / "asterisk-entrypoint.sh"
    assert entrypoint.stat().st_mode & 0o111
    assert entrypoint.read_text(encoding="utf-8").startswith("#!/bin/sh")


def test_base_images_are_tagged() -> None:
    images = [svc["image"] for svc in services().values() if "image" in svc and "build" not in svc]
    bases = [
        line.split()[1]
        for _, _, dockerfile in builds()
        for line in _lines(dockerfile)
        if line.upper().startswith("FROM ")
    ]
    for image in images + bases:
        assert ":" in image and not image.endswith(":latest"), f"unpinned image {image}"


# --- secrets -------------------------------------------------------------------------------------------


def test_secrets_are_required_references_never_values() -> None:
    for name, svc in services().items():
        for key, value in environment(svc).items():
            if SECRET_NAME.search(key):
                assert REQUIRED_REFERENCE.match(value), f"{name}: {key} must be ${{{key}:?...}}, not a value"


def test_passwords_inside_urls_are_references() -> None:
    for name, svc in services().items():
        for key, value in environment(svc).items():
            match = URL_PASSWORD.match(value)
            if match:
                assert REQUIRED_REFERENCE.match(match["password"]), f"{name}: {key} holds a literal password"


def test_env_example_lists_every_variable_and_no_secret_value() -> None:
    example = dict(line.split("=", 1) for line in _lines(ENV_EXAMPLE) if "=" in line)
    referenced = {v for text in all_strings(compose()) for v in VARIABLE.findall(text)}
    assert referenced <= set(example), f"not in deploy/env.example: {sorted(referenced - set(example))}"
    for key, value in example.items():
        if SECRET_NAME.search(key):
            assert value == "", f"deploy/env.example gives {key} a value"


def test_filled_in_env_files_are_git_ignored() -> None:
    assert ".env" in _lines(REPO / "deploy" / ".gitignore")


# --- volumes, networks, dependencies, health -----------------------------------------------------------


def test_every_named_volume_is_declared_and_every_declared_one_used() -> None:
    declared = set(compose().get("volumes") or {})
    used = {
        source
        for svc in services().values()
        for source, _, _ in volume_mounts(svc)
        if source is not None and is_named_volume(source)
    }
    assert used <= declared, f"undeclared volumes: {sorted(used - declared)}"
    assert declared <= used, f"declared but unused volumes: {sorted(declared - used)}"


def test_bind_mounts_point_into_the_repository() -> None:
    for name, svc in services().items():
        for source, _, _ in volume_mounts(svc):
            if source is not None and source.startswith("."):
                assert (REPO / source).exists(), f"{name}: bind mount {source} does not exist"


def mounts_of(volume: str) -> dict[str, tuple[str, bool]]:
    """{service: (target, read_only)} of every mount of the named volume."""
    return {
        name: (target, read_only)
        for name, svc in services().items()
        for source, target, read_only in volume_mounts(svc)
        if source == volume
    }


def test_recordings_are_shared_at_one_path_written_by_asterisk_and_pruned_by_the_app() -> None:
    """AMI reports recording paths as Asterisk sees them; the readers use them unchanged. The app may
    delete (the header-only files of calls that recorded nothing); the workers only read."""
    mounts = mounts_of(RECORDINGS_VOLUME)
    assert {"asterisk", "app", "asr-worker"} <= set(mounts)
    assert len({target for target, _ in mounts.values()}) == 1
    assert sorted(name for name, (_, read_only) in mounts.items() if not read_only) == ["app", "asterisk"]
    assert environment(services()["app"])["CALLCENTER_RECORDINGS_DIR"] == mounts["app"][0]


def test_the_seat_secrets_are_written_by_the_app_and_read_by_asterisk() -> None:
    mounts = mounts_of("seats")
    assert mounts["app"][1] is False and mounts["asterisk"][1] is True
    (target,) = {t for t, _ in mounts.values()}
    assert environment(services()["app"])["CALLCENTER_SEATS_DB"].startswith(target + "/")


# --- issue 11: AMI on the backend network only, SIP per deployment, Redis with a password ----------------


def backend_address(service: str) -> str:
    return str(services()[service]["networks"]["backend"]["ipv4_address"])


def test_ami_listens_on_the_backend_network_only_and_its_acl_names_that_network() -> None:
    subnet = ipaddress.ip_network(compose()["networks"]["backend"]["ipam"]["config"][0]["subnet"])
    assert compose()["networks"]["backend"]["internal"] is True
    asterisk = environment(services()["asterisk"])
    address = backend_address("asterisk")
    assert asterisk["CALLCENTER_AMI_BIND"] == address and ipaddress.ip_address(address) in subnet
    permit = ipaddress.ip_network(asterisk["CALLCENTER_AMI_PERMIT"])
    assert permit == subnet and permit.prefixlen > 0  # never 0.0.0.0/0
    assert environment(services()["app"])["CALLCENTER_AMI_HOST"] == address
    published = [str(p) for svc in services().values() for p in svc.get("ports") or []]
    assert not any("5038" in p for p in published), published
    manager = (REPO / "asterisk_conf" / "manager.conf").read_text(encoding="utf-8")
    assert "bindaddr = {{ami_bind}}" in manager and "permit = {{ami_permit}}" in manager
    settings = load(None, {"CALLCENTER_AMI_BIND": address, "CALLCENTER_AMI_PERMIT": str(permit)})
    assert settings.ami_permit == str(permit)
    with pytest.raises(ConfigError):
        load(None, {"CALLCENTER_AMI_PERMIT": "0.0.0.0/0"})


def test_sip_and_rtp_are_published_on_the_deployments_address() -> None:
    ports = [str(p) for p in services()["asterisk"]["ports"]]
    assert ports and all(p.startswith("${CALLCENTER_SIP_PUBLISH:-127.0.0.1}:") for p in ports), ports
    env = environment(services()["asterisk"])
    assert env["CALLCENTER_MEDIA_ADDRESS"].startswith("${CALLCENTER_MEDIA_ADDRESS")
    assert env["CALLCENTER_PSTN_MATCH"].startswith("${CALLCENTER_PSTN_MATCH")


def test_redis_requires_a_password_that_only_the_environment_holds() -> None:
    redis = services()["redis"]
    command = " ".join(redis["command"])
    assert "requirepass" in command and "$$REDIS_PASSWORD" in command  # the container's variable, no value
    assert REQUIRED_REFERENCE.match(environment(redis)["REDIS_PASSWORD"])
    assert "REDISCLI_AUTH" in " ".join(redis["healthcheck"]["test"])
    for name in ("app", "asr-worker", "live-asr"):
        url = environment(services()[name])["REDIS_URL"]
        match = URL_PASSWORD.match(url)
        assert match and match["password"].startswith("${REDIS_PASSWORD:?"), (name, url)


def test_asterisk_creates_nothing_for_others() -> None:
    entrypoint = (REPO / "deploy" / "asterisk-entrypoint.sh").read_text(encoding="utf-8")
    assert "\numask 007\n" in entrypoint


def test_vosk_model_path_lies_on_a_mounted_volume() -> None:
    worker = services()["asr-worker"]
    model = environment(worker)["VOSK_MODEL_PATH"]
    assert any(model.startswith(target.rstrip("/") + "/") for _, target, _ in volume_mounts(worker))


def test_depends_on_names_existing_services_and_health_conditions_have_checks() -> None:
    all_services = services()
    for name, svc in all_services.items():
        for dependency, condition in dependencies(svc).items():
            assert dependency in all_services, f"{name} depends on unknown {dependency}"
            if condition == "service_healthy":
                assert "healthcheck" in all_services[dependency], f"{dependency} has no healthcheck"


def test_networks_used_are_declared() -> None:
    declared = set(compose().get("networks") or {})
    for name, svc in services().items():
        nets = svc.get("networks") or []
        assert set(nets) <= declared, f"{name} uses undeclared networks"


def test_long_running_services_have_health_checks_and_restart() -> None:
    for name, svc in long_running().items():
        assert svc.get("healthcheck", {}).get("test"), f"{name} has no healthcheck"
        assert svc.get("restart") in ("unless-stopped", "always", "on-failure"), f"{name} is not restarted"


# --- settings ------------------------------------------------------------------------------------------


def test_callcenter_variables_are_known_settings() -> None:
    """config.py silently ignores an unknown CALLCENTER_* name, so a typo here would go unnoticed."""
    settings = {f"CALLCENTER_{f.name.upper()}" for f in fields(Settings)}
    for name in ("app", "asr-worker", "asterisk"):
        for key in environment(services()[name]):
            if key.startswith("CALLCENTER_"):
                assert key in settings | NON_SETTING_VARIABLES, f"{name}: unknown setting {key}"
            else:
                assert key in PLAIN_ENV, f"{name}: {key} is not read by callcenter.config.settings"


def test_the_main_process_listens_beyond_loopback_inside_its_container() -> None:
    env = environment(services()["app"])
    assert env["CALLCENTER_HTTP_HOST"] == "0.0.0.0"
    assert env["CALLCENTER_AMI_HOST"] == backend_address("asterisk")
    assert env["DATABASE_URL"].startswith("postgresql+asyncpg://")


# --- docker compose itself -----------------------------------------------------------------------------


def _compose_plugin() -> bool:
    if shutil.which("docker") is None:
        return False
    done = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False, timeout=30)
    return done.returncode == 0


def test_docker_compose_accepts_the_file() -> None:
    """Skipped where the compose plugin is absent (the CI machines): the one skip the README counts."""
    if not _compose_plugin():
        pytest.skip("the `docker compose` plugin is not installed; the file was checked structurally only")
    dummy = {v: "x" * 16 for v in set(VARIABLE.findall(COMPOSE_FILE.read_text(encoding="utf-8")))}
    done = subprocess.run(
        ["docker", "compose", "-f", str(COMPOSE_FILE), "config", "-q"],
        cwd=REPO,
        env={**os.environ, **dummy},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr


def _lines(path: Path) -> list[str]:
    if not path.is_file():
        return []
    text = path.read_text(encoding="utf-8")
    return [s for s in (line.strip() for line in text.splitlines()) if s and not s.startswith("#")]
