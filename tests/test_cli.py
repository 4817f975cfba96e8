"""`summarybot extract|summarize|ask|run` as a user runs them: real servers, real exit codes."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import logging
import os
import pty
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import build_parser, main
from bot.texts import text
from tests.servers.article_server import (
    ARTICLE_LAST_PHRASE,
    ARTICLE_TITLE,
    ArticleServer,
    make_pdf,
)
from tests.servers.openai_server import FakeOpenAI
from tests.test_extract_limits import TINY_ELEMENTS


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """main() configures the root logger; give pytest its handlers back afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


async def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    # main() runs its own event loop, so it runs in a thread beside the servers' loop.
    status = await asyncio.to_thread(main, list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.fixture
def local_fetch(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let the CLI fetch the test server on 127.0.0.1."""
    monkeypatch.setenv("FETCH_ALLOW_PRIVATE_NETWORKS", "true")


@pytest.mark.usefixtures("local_fetch")
async def test_extract_prints_metadata_and_text(
    capsys: pytest.CaptureFixture[str], article_server: ArticleServer
) -> None:
    status, out, err = await _run(capsys, "extract", article_server.url("/article"))
    assert status == 0, err
    assert out.startswith(ARTICLE_TITLE)
    assert ARTICLE_LAST_PHRASE in out


@pytest.mark.usefixtures("local_fetch")
async def test_extract_json_has_the_promised_fields(
    capsys: pytest.CaptureFixture[str], article_server: ArticleServer
) -> None:
    status, out, _ = await _run(capsys, "extract", "--json", article_server.url("/article"))
    assert status == 0
    data = json.loads(out)
    for key in ("url", "title", "author", "date", "sitename", "language", "text"):
        assert key in data
    assert data["title"] == ARTICLE_TITLE
    assert data["language"] == "en"
    assert data["url"] == article_server.url("/article")


async def test_extract_reads_a_pdf_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    lines = [f"Line {n}: the committee met again to discuss the harbour budget." for n in range(40)]
    (tmp_path / "paper.pdf").write_bytes(make_pdf(lines))
    status, out, err = await _run(capsys, "extract", str(tmp_path / "paper.pdf"))
    assert status == 0, err
    assert "Line 39: the committee met again" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["extract", "http://127.0.0.1:9/x"], "private or local network"),
        # Only the command line names the setting: in Telegram the user is not the owner.
        (["summarize", "http://127.0.0.1:9/x"], "set FETCH_ALLOW_PRIVATE_NETWORKS=true in .env"),
        (["extract", "ftp://example.org/file"], "web link"),
        (["extract", "http://alice:s3cr3t@example.org/"], "user name or password"),
        (["extract", "missing.txt"], "There is no file at missing.txt"),
    ],
)
async def test_user_errors_are_one_line_on_stderr(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    status, out, err = await _run(capsys, *args)
    assert status == 1
    assert out == ""
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


@pytest.mark.parametrize(
    "source",
    [
        f"missing-{TOKEN}.txt",
        f"missing-{TOKEN.replace(':', '%3A')}.txt",
        "missing-hun@ter2.txt",  # the DATABASE_URL password, decoded
        "missing-hun%40ter2.txt",
    ],
)
async def test_the_error_line_is_redacted_like_the_logs(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, source: str
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("DATABASE_URL", "postgresql://bot:hun%40ter2@127.0.0.1:1/bot")
    status, _, err = await _run(capsys, "extract", source)
    assert status == 1
    assert err == "summarybot: There is no file at missing-[REDACTED].txt.\n"


@pytest.mark.usefixtures("local_fetch")
async def test_http_error_is_explained(
    capsys: pytest.CaptureFixture[str], article_server: ArticleServer
) -> None:
    status, _, err = await _run(capsys, "extract", article_server.url("/status/404"))
    assert status == 1
    assert "404" in err


async def test_bad_setting_exits_with_the_variable_name(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FETCH_TIMEOUT_S", "never")
    status, _, err = await _run(capsys, "extract", "https://example.org/")
    assert status == 2
    assert "FETCH_TIMEOUT_S" in err


async def test_summarize_without_a_key_is_extractive_and_labelled(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    article = tmp_path / "article.html"
    article.write_bytes((Path(__file__).parent / "servers" / "pages" / "article.html").read_bytes())
    status, out, err = await _run(capsys, "summarize", str(article))
    assert status == 0, err
    assert "Extractive summary" in out
    assert "- " in out


CHINESE_ARTICLE = "\n\n".join(
    [
        "谷歌旗下的人工智能公司DeepMind开发出一款能够利用记忆学习新知识的计算机。",
        "该公司表示，这台计算机可以回答关于伦敦地铁网络的复杂问题，并规划最佳路线。",
        "研究人员在《自然》杂志上发表论文，介绍了这种名为可微神经计算机的新模型。",
        "这种模型结合了神经网络的学习能力和传统计算机的外部存储器，可以长期保存信息。",
        "专家认为，这项研究意味着未来的人工智能可能不需要人类一步一步地教它回答问题。",
        "不过，研究人员也承认，这台计算机目前只能处理相对简单的结构化数据和家谱信息。",
    ]
)


@pytest.mark.parametrize(
    ("locale", "args", "label_language"),
    [
        ("ru_RU.UTF-8", [], "ru"),  # a Chinese article in a Russian shell: Russian labels
        ("C.UTF-8", ["--lang", "ru"], "en"),  # a Russian summary in a C locale: English labels
    ],
)
async def test_summary_labels_follow_the_locale_not_the_article(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    locale: str,
    args: list[str],
    label_language: str,
) -> None:
    monkeypatch.setenv("LANG", locale)
    (tmp_path / "article.txt").write_text(CHINESE_ARTICLE)
    status, out, err = await _run(capsys, "summarize", *args, str(tmp_path / "article.txt"))
    assert status == 0, err
    assert out.startswith(text("summary.extractive", label_language))
    assert "谷歌旗下的人工智能公司DeepMind" in out


async def test_ask_labels_and_errors_follow_lc_all_first(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("LC_ALL", "ru_RU.UTF-8")
    (tmp_path / "article.txt").write_text(CHINESE_ARTICLE)
    status, out, err = await _run(capsys, "ask", str(tmp_path / "article.txt"), "DeepMind 计算机")
    assert status == 0, err
    assert out.startswith(text("answer.extractive", "ru"))
    status, _, err = await _run(capsys, "summarize", str(tmp_path / "missing.txt"))
    assert status == 1
    assert "Файла" in err


@pytest.mark.usefixtures("local_fetch")
async def test_summarize_json_streams_through_the_llm_and_reports_usage(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    article_server: ArticleServer,
    openai_server: FakeOpenAI,
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", openai_server.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    openai_server.responder = lambda body: "**Gist.**\n\n- One\n- Two\n- Three"
    status, out, err = await _run(
        capsys,
        "summarize",
        "--json",
        "--length",
        "short",
        "--lang",
        "de",
        article_server.url("/article"),
    )
    assert status == 0, err
    data = json.loads(out)
    assert data["summary"]["text"].startswith("**Gist.**")
    assert data["summary"]["usage"]["prompt_tokens"] > 0
    assert data["article"]["title"] == ARTICLE_TITLE
    request = openai_server.requests[0]
    assert ARTICLE_LAST_PHRASE in json.dumps(request, ensure_ascii=False)


@pytest.mark.usefixtures("local_fetch")
async def test_ask_answers_from_the_article(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    article_server: ArticleServer,
    openai_server: FakeOpenAI,
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", openai_server.base_url)
    openai_server.responder = lambda body: "More than eleven thousand."
    status, out, err = await _run(
        capsys, "ask", article_server.url("/article"), "How many eels were counted?"
    )
    assert status == 0, err
    assert out.strip() == "More than eleven thousand."
    prompt = json.dumps(openai_server.requests[0], ensure_ascii=False)
    assert "How many eels were counted?" in prompt
    assert ARTICLE_LAST_PHRASE in prompt


async def test_run_without_a_token_says_how_to_get_one(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, _, err = await _run(capsys, "run")
    assert status == 2
    assert "@BotFather" in err
    assert "TELEGRAM_BOT_TOKEN" in err


def test_python_dash_m_bot_works(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "--help"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0
    assert "summarize" in result.stdout


HEAVY = (
    "openai",
    "trafilatura",
    "aiohttp",
    "pydantic",
    "tiktoken",
    "lxml",
    "pypdf",
    "telegram",
    "asyncio",
)


@pytest.mark.parametrize("flag", ["--help", "--version"])
def test_help_and_version_import_no_heavy_library(flag: str) -> None:
    probe = (
        "import sys\n"
        "from bot.cli import main\n"
        "try:\n"
        f"    main([{flag!r}])\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(sorted({{name.split('.')[0] for name in sys.modules}} & {set(HEAVY)!r}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.splitlines()[-1] == "[]"


def test_version_and_help_texts() -> None:
    version = subprocess.run(
        [sys.executable, "-m", "bot", "--version"], capture_output=True, text=True, check=True
    )
    assert version.stdout.startswith("summarybot ")
    parser = build_parser()
    for action in _all_actions(parser):
        assert action.help, f"{action.option_strings or action.dest} has no help text"
    run_help = subprocess.run(
        [sys.executable, "-m", "bot", "run", "--help"], capture_output=True, text=True, check=True
    )
    assert ".env.example" in run_help.stdout
    assert "environment" in run_help.stdout


def _all_actions(parser: argparse.ArgumentParser) -> Iterator[argparse.Action]:
    """Every option and argument of the parser and of its subcommands."""
    for action in parser._actions:
        yield action
        if isinstance(action, argparse._SubParsersAction):
            for subparser in action.choices.values():
                yield from _all_actions(subparser)


def _run_process(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`python -m bot ARGS` as a separate process, with `env` added to the environment."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
        env=os.environ | env,
    )


@pytest.mark.parametrize(("flags", "lines"), [((), 1), (("-v",), None)])
def test_a_broken_pdf_is_one_line_of_stderr_unless_verbose(
    tmp_path: Path, flags: tuple[str, ...], lines: int | None
) -> None:
    # pypdf warns about each damage it reads past ("EOF marker not found", ...).
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>")
    result = _run_process(tmp_path, *flags, "extract", str(broken))
    assert result.returncode == 1
    errors = result.stderr.splitlines()
    assert errors[-1] == "summarybot: I could not read that file. Is it a valid PDF file?"
    if lines is None:
        assert any("pypdf" in line for line in errors)  # -v still shows the libraries
    else:
        assert len(errors) == lines


def test_extraction_on_the_command_line_is_bounded_too(tmp_path: Path) -> None:
    page = tmp_path / "tiny.html"
    page.write_text(TINY_ELEMENTS)
    limits = {"EXTRACT_MAX_MEMORY_MB": "256", "EXTRACT_TIMEOUT_S": "600"}
    result = _run_process(tmp_path, "extract", str(page), **limits)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "summarybot: That page is too complex for me to read (it needs too much memory). "
        "Paste the text instead."
    ]


@pytest.mark.parametrize(
    ("piped", "expected", "status"),
    [
        (
            (Path(__file__).parent / "servers" / "pages" / "article.html").read_bytes(),
            ARTICLE_TITLE,
            0,
        ),
        (b"", "There is no text to read there.", 1),
        (b"Just one line.", "That text is too short to summarize", 1),
        (
            b"The ferry to the island was cancelled this morning. High winds kept every boat in "
            b"the harbour. The council expects the service to resume tomorrow.",
            "High winds kept every boat",
            0,
        ),
    ],
)
async def test_extract_reads_standard_input(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    piped: bytes,
    expected: str,
    status: int,
) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(piped)))
    code, out, err = await _run(capsys, "extract", "-")
    assert code == status
    assert expected in (out if status == 0 else err)


def test_a_reader_that_leaves_early_gets_no_traceback(tmp_path: Path) -> None:
    # `summarybot extract story.txt | head -1`, with the reader gone before the first write
    # (however much a pipe would buffer, nothing can be written then).
    sentences = (
        f"On day {n} the committee met again to discuss the harbour budget." for n in range(9)
    )
    (tmp_path / "story.txt").write_text("\n\n".join(sentences))
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "extract", "story.txt"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None
    assert process.stderr is not None
    process.stdout.close()
    errors = process.stderr.read().decode()
    process.stderr.close()
    assert process.wait() == 128 + signal.SIGPIPE
    assert errors == ""


BINARY = text("extract.binary", "en")


@pytest.mark.parametrize("command", ["extract", "summarize"])
async def test_a_binary_file_is_refused(capsys: pytest.CaptureFixture[str], command: str) -> None:
    # The interpreter itself: an executable, like `summarybot summarize /bin/ls`.
    status, out, err = await _run(capsys, command, sys.executable)
    assert (status, out) == (1, "")
    assert err == f"summarybot: {BINARY}\n"


@pytest.mark.parametrize(
    "piped",
    [
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(range(256)) * 8,
        b"\x1f\x8b\x08\x00" + bytes(range(1, 32)) * 200,  # no NUL, yet controls throughout
    ],
)
async def test_binary_standard_input_is_refused(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, piped: bytes
) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(piped)))
    status, _, err = await _run(capsys, "summarize", "-")
    assert status == 1
    assert BINARY in err


NOTES = {"summarize": "summary.cut_short", "ask": "answer.cut_short"}


@pytest.mark.usefixtures("local_fetch")
@pytest.mark.parametrize("command", ["summarize", "ask"])
async def test_a_streamed_reply_cut_at_its_limit_ends_with_a_note(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    article_server: ArticleServer,
    openai_server: FakeOpenAI,
    command: str,
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", openai_server.base_url)
    openai_server.responder = lambda body: (
        "**Gist.**\n\n- " + "more " * 20_000
    )  # past even a reasoning limit
    question = ["How many eels were counted?"] if command == "ask" else []
    status, out, err = await _run(capsys, command, article_server.url("/article"), *question)
    assert status == 0, err
    assert openai_server.requests[0]["stream"] is True
    assert out.strip().endswith(text(NOTES[command], "en"))


def _run_in_terminal(cwd: Path, *args: str, **env: str) -> str:
    """`python -m bot ARGS` with its standard output on a pseudo-terminal: what a user sees."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=os.environ | env,
        stdout=terminal,
        stderr=subprocess.PIPE,
    )
    os.close(terminal)
    shown = bytearray()
    with contextlib.suppress(OSError):  # EIO once the process has closed the terminal
        while chunk := os.read(controller, 4096):
            shown += chunk
    os.close(controller)
    assert process.stderr is not None
    errors = process.stderr.read().decode()
    process.stderr.close()
    assert process.wait() == 0, errors
    return shown.decode().replace("\r\n", "\n")


REPLY = "**Gist:** eels are \\*back\\*.\n\n- One point\n- Two *points* and 2*3*4 = 24"


@pytest.mark.parametrize("terminal", [True, False])
async def test_summarize_renders_markdown_for_a_terminal_only(
    tmp_path: Path, article_server: ArticleServer, openai_server: FakeOpenAI, terminal: bool
) -> None:
    openai_server.responder = lambda body: REPLY
    env = {"OPENAI_BASE_URL": openai_server.base_url, "FETCH_ALLOW_PRIVATE_NETWORKS": "true"}
    url = article_server.url("/article")
    if terminal:
        shown = await asyncio.to_thread(_run_in_terminal, tmp_path, "summarize", url, **env)
        assert shown.splitlines()[0] == f"\x1b[1m{ARTICLE_TITLE}\x1b[22m — {url}"
        assert "\x1b[1mGist:\x1b[22m eels are *back*." in shown
        assert "  • One point\n  • Two \x1b[3mpoints\x1b[23m and 2*3*4 = 24" in shown
    else:
        result = await asyncio.to_thread(_run_process, tmp_path, "summarize", url, **env)
        assert result.returncode == 0, result.stderr
        assert result.stdout.splitlines()[0] == f"**{ARTICLE_TITLE}** — {url}"
        assert REPLY in result.stdout


@pytest.mark.parametrize("command", [["summarize", "x.txt"], ["ask", "x.txt", "Why?"]])
def test_an_unknown_language_is_refused_before_anything_runs(
    capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main([*command, "--lang", "klingon"])
    assert exited.value.code == 2
    assert "'klingon' is not an ISO 639-1 language code" in capsys.readouterr().err
