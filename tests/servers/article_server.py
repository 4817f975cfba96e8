"""A real local web server that plays "the web" for fetcher and pipeline tests.

Use the `article_server` fixture: `server.url("/article")` is a realistic news page,
`server.connections` counts TCP connections accepted, `server.requests` lists what was asked
(path and Host header), and `server.add_page(...)` serves any body a test needs.
"""

from __future__ import annotations

import asyncio
import gzip
import itertools
import json
import time
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import pytest
from aiohttp import web

PAGES = Path(__file__).resolve().parent / "pages"
ARTICLE_HTML = (PAGES / "article.html").read_bytes()
PLAIN_ARTICLE = (PAGES / "article.txt").read_bytes()

# Phrases that extraction must keep (the article) or drop (boilerplate around it).
ARTICLE_TITLE = "Lake Varnholm's glass eels return after forty years"
ARTICLE_FIRST_PHRASE = "the shallow outflow of Lake Varnholm is shimmering with glass eels"
ARTICLE_LAST_PHRASE = "the eels of Varnholm remember the way home even when the people forget"
ARTICLE_BOILERPLATE = (
    "We use cookies to personalise content",
    "Subscribe from 1 euro a week",
    "Otters spotted in the city harbour",
    "Get the Ledger in your inbox",
    "All rights reserved",
)
PLAIN_LAST_PHRASE = "the midnight boat always leaves on time because it never has to arrive"

# One paragraph per legacy charset; long enough for detection to have something to go on.
CHARSET_TEXTS = {
    "euc-kr": (
        "바른홀름 호수에 사십 년 만에 실뱀장어가 돌아왔다. 자원봉사자들은 화요일 밤 한 번에 "
        "만 천 마리가 넘는 실뱀장어를 세었다. 생물학자들은 오래된 보를 철거한 것과 추운 봄 "
        "날씨 덕분이라고 설명했다. 마을 사람들은 호숫가에 모여 이 놀라운 광경을 지켜보았다."
    ),
    "shift_jis": (
        "バルンホルム湖に四十年ぶりにシラスウナギが戻ってきた。ボランティアたちは火曜日の夜、"
        "一晩で一万一千匹を超えるシラスウナギを数えた。生物学者は古い堰の撤去と寒い春の天候の"
        "おかげだと説明している。町の人々は湖畔に集まり、この驚くべき光景を見守った。"
    ),
    "windows-1251": (
        "Впервые за сорок лет в озеро Варнхольм вернулись стеклянные угри. Добровольцы "
        "насчитали во вторник ночью более одиннадцати тысяч мальков. Биологи объясняют это "
        "сносом старой плотины и холодной весной. Жители городка собрались на берегу, чтобы "
        "посмотреть на это удивительное зрелище."
    ),
}
PDF_TEXT = ("Glass eels in Lake Varnholm", "A cold spring brought the young eels back.")
BOMB_INFLATED_BYTES = 64 * 1024 * 1024
# What /gzip-then-junk and /empty-deflate-blocks offer after their compressed start, at most.
JUNK_BYTES = 48 * 1024 * 1024
_STREAM_SECONDS = 3.0  # streaming handlers stop on their own so a broken client cannot hang


def make_pdf(lines: tuple[str, ...] | list[str]) -> bytes:
    """A minimal valid one-page PDF whose text (ASCII lines) pypdf can extract."""
    escaped = [line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") for line in lines]
    text_ops = " ".join(f"({line}) Tj 0 -20 Td" for line in escaped)
    stream = f"BT /F1 14 Tf 72 720 Td {text_ops} ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


PDF_BYTES = make_pdf(PDF_TEXT)


def _gzip_bomb() -> bytes:
    """A gzip stream of BOMB_INFLATED_BYTES spaces: about 64 KB on the wire."""
    deflater = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = b" " * (1024 * 1024)
    parts = [deflater.compress(chunk) for _ in range(BOMB_INFLATED_BYTES // len(chunk))]
    return b"".join([*parts, deflater.flush()])


class Seen(NamedTuple):
    """One request the server received."""

    path: str  # path and query
    host: str | None  # the Host header


@dataclass
class _Page:
    body: bytes
    content_type: str | None
    status: int
    headers: dict[str, str]


@dataclass
class ArticleServer:
    """The running server's address, what it saw, and extra pages a test adds."""

    port: int = 0
    connections: int = 0
    requests: list[Seen] = field(default_factory=list)
    aborted: list[str] = field(default_factory=list)  # streams the client cut off
    sent: dict[str, int] = field(default_factory=dict)  # body bytes each stream wrote
    pages: dict[str, _Page] = field(default_factory=dict)

    def url(self, path: str = "/", host: str = "127.0.0.1") -> str:
        """The absolute URL of `path` on this server (optionally under another host name)."""
        return f"http://{host}:{self.port}/{path.lstrip('/')}"

    def add_page(
        self,
        path: str,
        body: bytes,
        content_type: str | None,
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> str:
        """Serve `body` at `path` (content_type None sends no Content-Type); return its URL."""
        self.pages["/" + path.lstrip("/")] = _Page(body, content_type, status, headers or {})
        return self.url(path)

    async def wait_aborted(self, path: str) -> bool:
        """Whether the client cut off the stream at `path`, waiting for the server to notice."""
        for _ in range(500):  # a guard against a hang, not a measure of speed
            if path in self.aborted:
                return True
            await asyncio.sleep(0.02)
        return False


_BOMB = _gzip_bomb()
_DROP_CONTENT_TYPE = web.RequestKey("drop_content_type", bool)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _empty_deflate_blocks() -> Iterable[bytes]:
    """A zlib stream that never ends and never inflates to anything: empty stored blocks."""
    start = zlib.compressobj().flush(zlib.Z_SYNC_FLUSH)
    empty_blocks = b"\x00\x00\x00\xff\xff" * 13_000
    return itertools.chain([start], itertools.repeat(empty_blocks, JUNK_BYTES // 65_000))


async def _stream(
    server: ArticleServer,
    request: web.Request,
    response: web.StreamResponse,
    chunks: Iterable[bytes],
    interval: float,
) -> web.StreamResponse:
    """Write `chunks`, one every `interval` seconds, until done, the client leaves or time is up."""
    await response.prepare(request)
    deadline = time.monotonic() + _STREAM_SECONDS
    server.sent[request.path] = 0
    try:
        for chunk in chunks:
            if time.monotonic() >= deadline:
                break
            await response.write(chunk)
            server.sent[request.path] += len(chunk)
            await asyncio.sleep(interval)
    except (ConnectionResetError, asyncio.CancelledError):
        server.aborted.append(request.path)
        raise
    return response


def _routes(server: ArticleServer) -> list[web.RouteDef]:
    """Every built-in page; see the module docstring."""

    async def article(_: web.Request) -> web.StreamResponse:
        return web.Response(body=ARTICLE_HTML, content_type="text/html", charset="utf-8")

    async def plain(_: web.Request) -> web.StreamResponse:
        return web.Response(body=PLAIN_ARTICLE, content_type="text/plain", charset="utf-8")

    async def redirect(request: web.Request) -> web.StreamResponse:
        left = int(request.match_info["n"])
        target = f"/redirect/{left - 1}" if left > 1 else "/article"
        raise web.HTTPFound(target)

    async def redirect_to(request: web.Request) -> web.StreamResponse:
        status = int(request.query.get("status", "302"))
        return web.Response(status=status, headers={"Location": request.query["url"]})

    async def huge(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/html"})
        response.content_length = 1 << 30
        return await _stream(server, request, response, itertools.repeat(b"x" * 65536), 0.05)

    async def endless(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/html"})
        response.enable_chunked_encoding()
        chunks = itertools.repeat(b"<p>" + b"x" * 16384 + b"</p>")
        return await _stream(server, request, response, chunks, 0)

    async def gzip_bomb(_: web.Request) -> web.StreamResponse:
        headers = {"Content-Encoding": "gzip", "Content-Type": "text/html"}
        return web.Response(body=_BOMB, headers=headers)

    async def gzip_then_junk(request: web.Request) -> web.StreamResponse:
        # A whole gzip article, then bytes past its end that no inflater will ever consume.
        headers = {"Content-Encoding": "gzip", "Content-Type": "text/html"}
        response = web.StreamResponse(headers=headers)
        junk = itertools.repeat(b"junk" * 16384, JUNK_BYTES // 65536)
        chunks = itertools.chain([gzip.compress(ARTICLE_HTML)], junk)
        return await _stream(server, request, response, chunks, 0)

    async def empty_deflate_blocks(request: web.Request) -> web.StreamResponse:
        headers = {"Content-Encoding": "deflate", "Content-Type": "text/html"}
        response = web.StreamResponse(headers=headers)
        return await _stream(server, request, response, _empty_deflate_blocks(), 0)

    async def binary(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "image/png"})
        chunks = itertools.repeat(b"\x89PNG\r\n\x1a\n" + bytes(4096))
        return await _stream(server, request, response, chunks, 0.05)

    async def charset(request: web.Request) -> web.StreamResponse:
        name, hint = request.match_info["name"], request.query.get("hint", "header")
        text = CHARSET_TEXTS[name]
        meta = f'<meta http-equiv="Content-Type" content="text/html; charset={name}">'
        html = (
            f"<!DOCTYPE html><html><head>{meta if hint == 'meta' else ''}<title>{text[:20]}"
            f"</title></head><body><article><p>{text}</p></article></body></html>"
        )
        header = {"header": f"text/html; charset={name}", "lying": "text/html; charset=utf-8"}
        content_type = header.get(hint, "text/html")
        return web.Response(body=html.encode(name), headers={"Content-Type": content_type})

    async def octet_pdf(_: web.Request) -> web.StreamResponse:
        return web.Response(body=PDF_BYTES, content_type="application/octet-stream")

    async def pdf(_: web.Request) -> web.StreamResponse:
        return web.Response(body=PDF_BYTES, content_type="application/pdf")

    async def slow(request: web.Request) -> web.StreamResponse:
        try:
            await asyncio.sleep(float(request.query.get("delay", "2")))
        except asyncio.CancelledError:
            server.aborted.append(request.path)
            raise
        return await article(request)

    async def trickle(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/html"})
        return await _stream(server, request, response, itertools.repeat(b"<p>tick</p>"), 0.05)

    async def status(request: web.Request) -> web.StreamResponse:
        code = int(request.match_info["code"])
        return web.Response(status=code, text=f"<h1>Status {code}</h1>", content_type="text/html")

    async def headers(request: web.Request) -> web.StreamResponse:
        # The request's headers as a JSON object, so a client can see what it sent.
        return web.Response(text=json.dumps(dict(request.headers)), content_type="text/plain")

    return [
        web.get("/article", article),
        web.get("/plain", plain),
        web.get("/redirect/{n}", redirect),
        web.get("/redirect-to", redirect_to),
        web.get("/huge", huge),
        web.get("/endless", endless),
        web.get("/gzip-bomb", gzip_bomb),
        web.get("/gzip-then-junk", gzip_then_junk),
        web.get("/empty-deflate-blocks", empty_deflate_blocks),
        web.get("/binary", binary),
        web.get("/charset/{name}", charset),
        web.get("/octet-pdf", octet_pdf),
        web.get("/pdf", pdf),
        web.get("/slow", slow),
        web.get("/trickle", trickle),
        web.get("/status/{code}", status),
        web.get("/headers", headers),
    ]


def _make_app(server: ArticleServer) -> web.Application:
    @web.middleware
    async def record(request: web.Request, handler: Handler) -> web.StreamResponse:
        server.requests.append(Seen(request.path_qs, request.headers.get("Host")))
        # A page added with a query ("/s/name?before=9") is served for that query only.
        page = server.pages.get(request.path_qs) or server.pages.get(request.path)
        if page is None:
            return await handler(request)
        headers = dict(page.headers)
        if page.content_type is not None:
            headers["Content-Type"] = page.content_type
        else:
            request[_DROP_CONTENT_TYPE] = True
        return web.Response(body=page.body, status=page.status, headers=headers)

    async def drop_content_type(request: web.Request, response: web.StreamResponse) -> None:
        # aiohttp adds application/octet-stream itself; some real servers send no type at all.
        if request.get(_DROP_CONTENT_TYPE):
            response.headers.popall("Content-Type", None)

    app = web.Application(middlewares=[record])
    app.on_response_prepare.append(drop_content_type)
    app.add_routes(_routes(server))
    return app


@asynccontextmanager
async def serve_articles() -> AsyncIterator[ArticleServer]:
    """Run a fresh server on 127.0.0.1 with the built-in pages (for the fixture and benches)."""
    server = ArticleServer()
    runner = web.AppRunner(
        _make_app(server), handler_cancellation=True, shutdown_timeout=1.0, access_log=None
    )
    await runner.setup()
    assert runner.server is not None
    protocol_factory = runner.server

    def counting_factory() -> asyncio.Protocol:
        server.connections += 1
        return protocol_factory()

    listener = await asyncio.get_running_loop().create_server(counting_factory, "127.0.0.1", 0)
    server.port = listener.sockets[0].getsockname()[1]
    try:
        yield server
    finally:
        listener.close()
        await runner.cleanup()
        await listener.wait_closed()


@pytest.fixture
async def article_server() -> AsyncIterator[ArticleServer]:
    """A fresh server on 127.0.0.1 with the built-in pages; see ArticleServer."""
    async with serve_articles() as server:
        yield server
