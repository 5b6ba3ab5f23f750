"""The `agentwatch` command: serve, export-schema, db upgrade, keys."""

import argparse
import asyncio
import dataclasses
import ipaddress
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from agentwatch import keys_cli
from services import __version__
from services.settings import Settings, SettingsError

LOOPBACK_NAMES = {"localhost"}


def _is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_agents_file(settings: Settings) -> str | None:
    """Parse the agents file and import every runnable before the server starts, so a bad
    file is one line naming file, agent and key (not a traceback from inside the lifespan)."""
    from services.agents import (
        AgentConfigError,
        parse_agents_file,
        parse_overall_budget,
        runnable_of,
    )

    try:
        for spec in parse_agents_file(settings.agents_file):
            runnable_of(spec, settings.agents_file)
        parse_overall_budget(settings.agents_file)
    except AgentConfigError as exc:
        return f"agents file error: {exc}"
    return None


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    if not _is_loopback(args.host) and not settings.api_key and not args.insecure:
        print(
            f"refusing to listen on {args.host} without AGENTWATCH_API_KEY; set a key, or pass "
            "--insecure if the network in front of it is trusted",
            file=sys.stderr,
        )
        return 2
    problem = _check_agents_file(settings)
    if problem is not None:
        print(problem, file=sys.stderr)
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


def _database_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database-url",
        metavar="URL",
        help="database to use, overriding AGENTWATCH_DATABASE_URL (default "
        "sqlite+aiosqlite:///./agentwatch.db; or postgresql+asyncpg://user:pass@host/db)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="agentwatch",
        description=__doc__,
        epilog="Every other setting is an AGENTWATCH_* environment variable (see the README).",
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"agentwatch {__version__}",
        help="print the version and exit",
    )
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", help="what to do"
    )
    serve = commands.add_parser(
        "serve",
        help="run the server (GraphQL, dashboard)",
        description="Run the server: GraphQL, dashboard, GraphiQL.",
    )
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1; any other needs "
        "AGENTWATCH_API_KEY or --insecure)",
    )
    serve.add_argument("--port", type=int, default=8000, help="TCP port (default 8000)")
    serve.add_argument(
        "--insecure", action="store_true", help="allow a non-loopback host without an API key"
    )
    serve.add_argument(
        "--log-level",
        default="info",
        choices=["critical", "error", "warning", "info", "debug"],
        help="server log level (default info)",
    )
    _database_option(serve)
    serve.add_argument(
        "--agents-file",
        metavar="PATH",
        type=Path,
        help="TOML file of agents, overriding AGENTWATCH_AGENTS_FILE (default: "
        "the built-in demo agents)",
    )
    export = commands.add_parser(
        "export-schema", help="print the GraphQL SDL", description="Print the GraphQL schema (SDL)."
    )
    export.add_argument(
        "--output", "-o", metavar="FILE", help="write to this file instead of stdout"
    )
    db = commands.add_parser("db", help="database maintenance", description="Database maintenance.")
    db_commands = db.add_subparsers(
        dest="db_command", required=True, metavar="ACTION", help="maintenance action"
    )
    upgrade = db_commands.add_parser(
        "upgrade", help="apply all migrations", description="Apply all migrations."
    )
    _database_option(upgrade)
    keys_cli.add_parser(commands)
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    """Settings from the environment, with the command-line flags taking precedence."""
    settings = Settings.from_env()
    flags = {
        "database_url": getattr(args, "database_url", None),
        "agents_file": getattr(args, "agents_file", None),
    }
    return dataclasses.replace(settings, **{k: v for k, v in flags.items() if v})


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    try:
        settings = _settings(args)
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
