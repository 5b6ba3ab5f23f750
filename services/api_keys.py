"""API keys with scopes: create, list, revoke, and resolve a presented secret.

A key reads `aw_<id>_<secret>`: the id finds the row, and only the SHA-256 of the 32 random
bytes of secret is stored (a fast hash is right for high-entropy secrets; a password hash
would only slow every request). Lookups are cached for `cache_seconds`, so a revoked key
stops working within that time on every instance.
"""

import enum
import hashlib
import hmac
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from models.api_key import ApiKeyRow
from services.clock import Clock
from services.errors import BadUserInput

KEY_PREFIX = "aw_"
ENV_KEY_ID = "env"
_TABLE = ApiKeyRow.__table__  # type: ignore[attr-defined]


class Scope(enum.StrEnum):
    """What a key may do: read (queries, subscriptions), ingest (recordRun/recordRuns),
    admin (everything)."""

    READ = "read"
    INGEST = "ingest"
    ADMIN = "admin"


@dataclass(frozen=True)
class Principal:
    """Who sent a request: a stored key (`key_id`), the environment key ("env"), or nobody
    when authentication is off ("anonymous", every scope)."""

    key_id: str
    scopes: frozenset[Scope]
    ingest_rate_per_second: float | None = None
    ingest_burst: int | None = None

    def allows(self, scope: Scope) -> bool:
        return Scope.ADMIN in self.scopes or scope in self.scopes


ADMIN_ENV = Principal(ENV_KEY_ID, frozenset({Scope.ADMIN}))
ANONYMOUS = Principal("anonymous", frozenset({Scope.ADMIN}))


@dataclass(frozen=True)
class ApiKeyInfo:
    id: str
    name: str
    scopes: tuple[Scope, ...]
    ingest_rate_per_second: float | None
    ingest_burst: int | None
    created_at: str
    revoked: bool


def parse_scopes(values: Iterable[str]) -> frozenset[Scope]:
    """Validate scope names; at least one."""
    scopes = set()
    for value in values:
        try:
            scopes.add(Scope(value.strip().lower()))
        except ValueError as exc:
            raise BadUserInput(f"unknown scope {value!r}: use read, ingest or admin") from exc
    if not scopes:
        raise BadUserInput("a key needs at least one scope")
    return frozenset(scopes)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiKeyStore:
    """Keys in the database, with a short positive and negative cache for lookups."""

    def __init__(self, engine: AsyncEngine, clock: Clock, cache_seconds: float = 5.0) -> None:
        self._engine = engine
        self._clock = clock
        self._cache_seconds = cache_seconds
        self._cache: dict[str, tuple[float, ApiKeyRow | None]] = {}
        self._any_key: tuple[float, bool] | None = None

    async def create(
        self,
        name: str,
        scopes: frozenset[Scope],
        ingest_rate_per_second: float | None = None,
        ingest_burst: int | None = None,
    ) -> tuple[str, str]:
        """Store a new key; return (id, the full key). The key cannot be shown again."""
        if not 1 <= len(name) <= 100:
            raise BadUserInput("a key name has 1 to 100 characters")
        key_id = secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        row = {
            "id": key_id,
            "name": name,
            "secret_sha256": _hash(secret),
            "scopes": ",".join(sorted(scopes)),
            "ingest_rate_per_second": ingest_rate_per_second,
            "ingest_burst": ingest_burst,
            "created_at": self._clock.now(),
            "revoked_at": None,
        }
        async with self._engine.begin() as conn:
            await conn.execute(sa.insert(_TABLE), [row])
        self._any_key = (time.monotonic(), True)
        return key_id, f"{KEY_PREFIX}{key_id}_{secret}"

    async def list(self) -> list[ApiKeyInfo]:
        async with self._engine.connect() as conn:
            rows = (await conn.execute(sa.select(_TABLE).order_by(_TABLE.c.created_at))).all()
        return [
            ApiKeyInfo(
                id=r.id,
                name=r.name,
                scopes=tuple(Scope(s) for s in r.scopes.split(",")),
                ingest_rate_per_second=r.ingest_rate_per_second,
                ingest_burst=r.ingest_burst,
                created_at=r.created_at.isoformat(),
                revoked=r.revoked_at is not None,
            )
            for r in rows
        ]

    async def revoke(self, key_id: str) -> bool:
        """Revoke a key; False when no active key has that id."""
        async with self._engine.begin() as conn:
            result = await conn.execute(
                sa.update(_TABLE)
                .where(_TABLE.c.id == key_id, _TABLE.c.revoked_at.is_(None))
                .values(revoked_at=self._clock.now())
            )
        self._cache.pop(key_id, None)
        return bool(result.rowcount)

    async def any_active(self) -> bool:
        """Whether at least one unrevoked key exists (cached like lookups)."""
        now = time.monotonic()
        if self._any_key is not None and now - self._any_key[0] < self._cache_seconds:
            return self._any_key[1]
        async with self._engine.connect() as conn:
            found = (
                await conn.execute(
                    sa.select(_TABLE.c.id).where(_TABLE.c.revoked_at.is_(None)).limit(1)
                )
            ).first() is not None
        self._any_key = (now, found)
        return found

    async def resolve(self, presented: str) -> Principal | None:
        """The principal of a presented `aw_<id>_<secret>` key, or None."""
        if not presented.startswith(KEY_PREFIX):
            return None
        key_id, _, secret = presented.removeprefix(KEY_PREFIX).partition("_")
        if not key_id or not secret or len(key_id) > 32:
            return None
        row = await self._row(key_id)
        if row is None or row.revoked_at is not None:
            return None
        if not hmac.compare_digest(row.secret_sha256, _hash(secret)):
            return None
        return Principal(
            row.id,
            frozenset(Scope(s) for s in row.scopes.split(",")),
            row.ingest_rate_per_second,
            row.ingest_burst,
        )

    async def _row(self, key_id: str) -> ApiKeyRow | None:
        now = time.monotonic()
        cached = self._cache.get(key_id)
        if cached is not None and now - cached[0] < self._cache_seconds:
            return cached[1]
        async with self._engine.connect() as conn:
            found = (await conn.execute(sa.select(_TABLE).where(_TABLE.c.id == key_id))).first()
        row = None if found is None else ApiKeyRow(**found._mapping)
        if len(self._cache) > 10_000:  # bounded: random ids cannot grow it without end
            self._cache.clear()
        self._cache[key_id] = (now, row)
        return row
