"""`agentwatch keys create|list|revoke`: manage API keys in the configured database."""

import argparse
import asyncio
import sys

from services.settings import Settings


def add_parser(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    keys = commands.add_parser("keys", help="manage API keys (scopes: read, ingest, admin)")
    key_commands = keys.add_subparsers(
        dest="keys_command", required=True, metavar="ACTION", help="what to do with keys"
    )
    create = key_commands.add_parser("create", help="create a key and print it once")
    create.add_argument("--name", required=True, help="who or what uses the key")
    create.add_argument(
        "--scope",
        action="append",
        required=True,
        dest="scopes",
        choices=["read", "ingest", "admin"],
        help="repeat for several scopes",
    )
    create.add_argument(
        "--ingest-rate",
        type=float,
        default=None,
        help="recordRun(s) requests per second for this key (default: server's)",
    )
    create.add_argument(
        "--ingest-burst",
        type=int,
        default=None,
        help="burst of recordRun(s) requests for this key (default: server's)",
    )
    key_commands.add_parser("list", help="list keys (never their secrets)")
    revoke = key_commands.add_parser("revoke", help="revoke a key by id")
    revoke.add_argument("key_id", help="the id shown by `agentwatch keys list`")


def run(args: argparse.Namespace, settings: Settings) -> int:
    return asyncio.run(_run(args, settings))


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    from models.db import create_engine
    from models.migrate import upgrade
    from services.api_keys import ApiKeyStore, parse_scopes
    from services.clock import SystemClock
    from services.errors import BadUserInput

    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
        store = ApiKeyStore(engine, SystemClock())
        if args.keys_command == "create":
            if args.ingest_rate is not None and not args.ingest_rate > 0:
                print("--ingest-rate must be > 0", file=sys.stderr)
                return 2
            if args.ingest_burst is not None and args.ingest_burst < 1:
                print("--ingest-burst must be >= 1", file=sys.stderr)
                return 2
            try:
                key_id, key = await store.create(
                    args.name, parse_scopes(args.scopes), args.ingest_rate, args.ingest_burst
                )
            except BadUserInput as exc:
                print(exc.message, file=sys.stderr)
                return 2
            print(f"created key {key_id}; store it now, it is not shown again:\n{key}")
            return 0
        if args.keys_command == "list":
            for info in await store.list():
                rate = (
                    "default"
                    if info.ingest_rate_per_second is None
                    else f"{info.ingest_rate_per_second}/s"
                )
                status = "revoked" if info.revoked else "active"
                print(
                    f"{info.id}\t{status}\t{','.join(info.scopes)}\tingest {rate}"
                    f"\t{info.created_at}\t{info.name}"
                )
            return 0
        if await store.revoke(args.key_id):
            print(f"revoked key {args.key_id}")
            return 0
        print(f"no active key with id {args.key_id}", file=sys.stderr)
        return 1
    finally:
        await engine.dispose()
