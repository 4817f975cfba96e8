"""`summarybot playground` as a real process, for the HTTP and browser tests of the playground."""

from __future__ import annotations

import asyncio
import itertools
import os
import re
import signal
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

START_DEADLINE_S = 60.0  # a failure deadline for a busy machine, not a speed check
URL = re.compile(r"http://127\.0\.0\.1:\d+/")
_runs = itertools.count()


@dataclass
class RunningPlayground:
    """The started process, its page URL and where it wrote its output."""

    process: asyncio.subprocess.Process
    url: str
    first_line: str
    stderr: Path

    def log(self) -> str:
        """Everything the process logged so far."""
        return self.stderr.read_text(errors="replace")


PlaygroundFactory = Callable[..., AbstractAsyncContextManager[RunningPlayground]]


@asynccontextmanager
async def start_playground(
    folder: Path, *args: str, env: dict[str, str] | None = None
) -> AsyncIterator[RunningPlayground]:
    """Start `python -m bot playground --port 0 ARGS` in `folder`; stop it with Ctrl+C after."""
    environment = os.environ | {"EXTRACT_WORKERS": "0"} | (env or {})
    stderr = folder / f"playground-{next(_runs)}.log"
    with stderr.open("wb") as errors:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "playground",
            "--port",
            "0",
            *args,
            cwd=folder,
            env=environment,
            stdout=asyncio.subprocess.PIPE,
            stderr=errors,
        )
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), START_DEADLINE_S)).decode()
        found = URL.search(line)
        assert found, f"no URL in {line!r}; log: {stderr.read_text(errors='replace')}"
        yield RunningPlayground(process, found.group(), line, stderr)
    finally:
        await _stop(process)


async def _stop(process: asyncio.subprocess.Process) -> None:
    """Ctrl+C must stop the playground cleanly (status 0), whenever it comes."""
    if process.returncode is not None:
        return
    process.send_signal(signal.SIGINT)
    try:
        status = await asyncio.wait_for(process.wait(), START_DEADLINE_S)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise AssertionError("the playground ignored Ctrl+C") from None
    assert status == 0, f"the playground exited with status {status} on Ctrl+C"


@pytest.fixture
def playground(tmp_path: Path) -> PlaygroundFactory:
    """`async with playground(*args, env=...) as running:` runs a playground in tmp_path."""

    def factory(
        *args: str, env: dict[str, str] | None = None
    ) -> AbstractAsyncContextManager[RunningPlayground]:
        return start_playground(tmp_path, *args, env=env)

    return factory
