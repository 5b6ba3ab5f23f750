"""Optional LangSmith tracing with the real `langsmith` client against a local endpoint."""

import gzip
import json
import threading
import uuid
from collections.abc import Iterator
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
import zstandard

from tests.support.client import gql
from tests.support.operations import RUN_AGENT
from tests.support.server import LiveServer, free_port, start_server

PROJECT_URL = "https://smith.example/o/org-1/projects/p/proj-1"


class FakeLangSmith(BaseHTTPRequestHandler):
    """Answers like LangSmith's API as far as the SDK needs: /info 404, runs accepted."""

    runs: ClassVar[list[dict[str, Any]]] = []
    lock = threading.Lock()

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.send_response(404)  # the SDK then uses its defaults
        self.end_headers()

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        encoding = self.headers.get("content-encoding", "")
        if encoding == "zstd":
            body = zstandard.ZstdDecompressor().decompressobj().decompress(body)
        elif encoding == "gzip":
            body = gzip.decompress(body)
        with self.lock:
            self.runs.extend(_runs_in(self.path, self.headers.get("content-type", ""), body))
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")


def _runs_in(path: str, content_type: str, body: bytes) -> list[dict[str, Any]]:
    if content_type.startswith("multipart/"):
        message = BytesParser(policy=HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + body
        )
        found = []
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition") or ""
            if str(name).count(".") == 1 and str(name).split(".")[0] in {"post", "patch"}:
                payload = part.get_payload(decode=True)
                assert isinstance(payload, bytes)
                found.append(json.loads(payload))
        return found
    data = json.loads(body or b"{}")
    if path.endswith("/runs/batch"):
        return list(data.get("post", [])) + list(data.get("patch", []))
    return [data] if path.endswith("/runs") else []


@pytest.fixture
def fake_langsmith() -> Iterator[str]:
    FakeLangSmith.runs = []
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), FakeLangSmith)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


def _server(tmp_path: Path, endpoint: str) -> LiveServer:
    return start_server(
        {
            "AGENTWATCH_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'ls.db'}",
            "LANGSMITH_TRACING": "true",
            "LANGSMITH_API_KEY": "ls-test-key",
            "LANGSMITH_ENDPOINT": endpoint,
            "LANGSMITH_PROJECT": "agentwatch-tests",
            "AGENTWATCH_LANGSMITH_PROJECT_URL": PROJECT_URL,
        },
        tmp_path / "server.log",
    )


async def test_traced_run_stores_the_trace_id_the_sdk_posted(
    tmp_path: Path, fake_langsmith: str
) -> None:
    import asyncio

    server = _server(tmp_path, fake_langsmith)
    try:
        run = (
            await gql(server.url, RUN_AGENT, {"agent": "support-bot", "input": {"question": "hi"}})
        )["data"]["runAgent"]
        assert run["status"] == "SUCCESS"
        assert run["traceId"] == run["id"]
        assert run["traceUrl"] == f"{PROJECT_URL}/r/{run['id']}?poll=true"
        for _ in range(100):  # the SDK posts from a background thread
            with FakeLangSmith.lock:
                traced = [r for r in FakeLangSmith.runs if r.get("trace_id") == run["traceId"]]
            if traced:
                break
            await asyncio.sleep(0.1)
    finally:
        server.stop()
    assert traced, f"no trace with id {run['traceId']} among {len(FakeLangSmith.runs)} posted runs"
    assert any(r.get("id") == run["id"] and r.get("name") == "support-bot" for r in traced)


async def test_unreachable_langsmith_never_delays_or_breaks_runs(tmp_path: Path) -> None:
    server = _server(tmp_path, f"http://127.0.0.1:{free_port()}")  # nothing listens there
    try:
        for _ in range(3):
            body = await gql(server.url, RUN_AGENT, {"agent": "echo", "input": {"n": 1}})
            run = body["data"]["runAgent"]
            assert run["status"] == "SUCCESS" and run["traceId"] == run["id"]
            assert run["latencyMs"] < 1000
    finally:
        server.stop()


async def test_without_langsmith_no_trace_is_claimed(live_server: LiveServer) -> None:
    run = (
        await gql(live_server.url, RUN_AGENT, {"agent": "echo", "input": {"id": str(uuid.uuid4())}})
    )["data"]["runAgent"]
    assert run["traceId"] is None and run["traceUrl"] is None
