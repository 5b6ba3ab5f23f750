"""The `agentwatch` command: serve, export-schema, db upgrade, keys."""

import argparse
import asyncio
import ipaddress
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from agentwatch import keys_cli
from services.settings import Settings, SettingsError

LOOPBACK_NAMES = {"localhost"}


def _is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    if not _is_loopback(args.host) and not settings.api_key and not args.insecure:
        print(
            f"refusing to listen on {args.host} without AGENTWATCH_API_KEY; set a key, or pass "
            "--insecure if the network in front of it is trusted",
            file=sys.stderr,
        )
        return 2
    import uvicorn

    from graph.app import create_app

    uvicorn.run(
        create_app(settings),
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        # graphql-transport-ws has no server pings in Strawberry; uvicorn's detect dead peers.
        ws_ping_interval=20.0,
        ws_ping_timeout=20.0,
        ws="websockets-sansio",
        # One WebSocket message may be as large as one HTTP body, no larger.
        ws_max_size=settings.max_body_bytes,
        lifespan="on",
    )
    return 0


def _export_schema(args: argparse.Namespace) -> int:
    from graph.schema import schema

    sdl = schema.as_str() + "\n"
    if args.output:
        Path(args.output).write_text(sdl, encoding="utf-8")
    else:
        sys.stdout.write(sdl)
    return 0


def _db_upgrade(settings: Settings) -> int:
    from models.db import create_engine
    from models.migrate import upgrade

    async def run() -> None:
        engine = create_engine(settings.database_url)
        try:
            await upgrade(engine)
        finally:
            await engine.dispose()

    asyncio.run(run())
    print(f"database at {settings.database_url.split('@')[-1]} is at the latest revision")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="agentwatch", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the server (GraphQL, dashboard)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--insecure", action="store_true", help="allow a non-loopback host without an API key"
    )
    serve.add_argument(
        "--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"]
    )
    export = commands.add_parser("export-schema", help="print the GraphQL SDL")
    export.add_argument("--output", "-o", help="write to this file instead of stdout")
    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="apply all migrations")
    keys_cli.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    if args.command == "serve":
        return _serve(args, settings)
    if args.command == "export-schema":
        return _export_schema(args)
    if args.command == "keys":
        return keys_cli.run(args, settings)
    return _db_upgrade(settings)
