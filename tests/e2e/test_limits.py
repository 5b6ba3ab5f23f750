"""Issue 9 §3: the body limit answers 413 while reading; a stalled or absent database gives
/health 503 within 2 s and DATABASE_UNAVAILABLE to clients, and service resumes by itself."""

import asyncio
import socket
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from tests.support.client import error_codes, gql
from tests.support.databases import POSTGRES_ADMIN_URL, create_pg_database, drop_pg_database
from tests.support.server import LiveServer, start_server
from tests.support.tcp_proxy import StallingProxy

LIMIT = 65536


@pytest.fixture
def small_body_server(tmp_path: Path) -> Iterator[LiveServer]:
    server = start_server(
        {
            "AGENTWATCH_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'a.db'}",
            "AGENTWATCH_MAX_BODY_BYTES": str(LIMIT),
        },
        tmp_path / "log",
    )
    try:
        yield server
    finally:
        server.stop()


def raw_post(url: str, head_extra: str, body_chunks: Iterator[bytes]) -> tuple[bytes, int]:
    """POST over a raw socket, sending chunks until the server answers; return the answer's
    first bytes and how many body bytes were sent by then."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=20) as sock:
        sock.sendall(
            f"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"{head_extra}\r\n".encode()
        )
        sent = 0
        sock.setblocking(False)
        for chunk in body_chunks:
            try:
                answer = sock.recv(4096)
                if answer:
                    return answer, sent
            except BlockingIOError:
                pass
            try:
                sock.sendall(chunk)
            except (BlockingIOError, BrokenPipeError, ConnectionResetError):
                break
            sent += len(chunk)
            time.sleep(0.001)
        sock.setblocking(True)
        return sock.recv(4096), sent


def test_an_oversized_body_is_refused_while_reading(small_body_server: LiveServer) -> None:
    declared, _ = raw_post(small_body_server.url, "Content-Length: 100000000\r\n", iter([b"{"]))
    assert declared.startswith(b"HTTP/1.1 413"), declared[:100]
    assert b"PAYLOAD_TOO_LARGE" in declared

    def chunked() -> Iterator[bytes]:
        for _ in range(100_000):  # would be 1.6 GB if the server kept reading
            yield b"4000\r\n" + b" " * 0x4000 + b"\r\n"

    streamed, sent = raw_post(small_body_server.url, "Transfer-Encoding: chunked\r\n", chunked())
    assert streamed.startswith(b"HTTP/1.1 413"), streamed[:100]
    assert sent < 50 * LIMIT  # refused soon after the limit, not after the whole body
    ok = httpx.post(f"{small_body_server.url}/graphql", json={"query": "{ agents { name } }"})
    assert ok.status_code == 200


RECORD = (
    'mutation($r: String) { recordRun(input: {agent: "a", status: SUCCESS, requestId: $r}) { id } }'
)


async def test_a_stalled_database_is_reported_fast_and_service_resumes(tmp_path: Path) -> None:
    name = await create_pg_database()
    admin = urlsplit(POSTGRES_ADMIN_URL)
    proxy = StallingProxy(admin.hostname or "127.0.0.1", admin.port or 5432)
    await proxy.start()
    url = f"postgresql+asyncpg://{admin.username}@127.0.0.1:{proxy.port}/{name}"
    env = {"AGENTWATCH_DATABASE_URL": url}
    for wait in ("COMMAND", "POOL", "CONNECT"):
        env[f"AGENTWATCH_DB_{wait}_TIMEOUT_SECONDS"] = "3"
    server = await asyncio.to_thread(start_server, env, tmp_path / "log")
    try:
        before = await gql(server.url, RECORD, {"r": f"kept-{uuid.uuid4()}"})
        assert before["data"]["recordRun"]["id"]
        proxy.pause()
        async with httpx.AsyncClient(timeout=30) as client:
            started = time.monotonic()
            health = await client.get(f"{server.url}/health")
            elapsed = time.monotonic() - started
        assert health.status_code == 503 and health.json()["database"]["ok"] is False
        assert elapsed < 2.0, elapsed  # the bound; the default health timeout is 1 s
        read = await gql(server.url, "{ runs { edges { cursor } } }")
        lost = await gql(server.url, RECORD, {"r": "during-stall"})
        assert error_codes(read) == ["DATABASE_UNAVAILABLE"], read
        assert error_codes(lost) == ["DATABASE_UNAVAILABLE"], lost
        assert read["errors"][0]["extensions"]["retryable"] is True
        proxy.resume()
        await _until_healthy(server)
        after = await gql(server.url, RECORD, {"r": f"after-{uuid.uuid4()}"})
        assert after["data"]["recordRun"]["id"]
        stored = await gql(
            server.url,
            "query($id: ID!) { run(id: $id) { id } }",
            {"id": before["data"]["recordRun"]["id"]},
        )
        assert stored["data"]["run"] is not None  # nothing acknowledged was lost
        await proxy.close()  # now the database is gone: connections are refused
        down = await gql(server.url, "{ runs { edges { cursor } } }")
        assert error_codes(down) == ["DATABASE_UNAVAILABLE"], down
    finally:
        server.stop()
        await proxy.close()
        await drop_pg_database(name)


async def _until_healthy(server: LiveServer) -> None:
    deadline = time.monotonic() + 60
    async with httpx.AsyncClient(timeout=10) as client:
        while time.monotonic() < deadline:
            if (await client.get(f"{server.url}/health")).status_code == 200:
                return
            await asyncio.sleep(0.2)
    raise AssertionError("the server did not recover after the database came back")
