"""The assembled monitoring core: engine, agents, writer, runner, ingestion and pub/sub.

Built and torn down by the web app's lifespan, and directly by tests and benchmarks; nothing
here knows about HTTP or GraphQL.
"""

import asyncio
import logging
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine

from models.db import create_engine
from models.migrate import upgrade
from services.agents import (
    UNCHANGED,
    AgentRecord,
    AgentRegistry,
    AgentUpdate,
    parse_agents_file,
    parse_overall_budget,
)
from services.alerts import AlertChanged, AlertManager, WebhookNotifier
from services.api_keys import ADMIN_ENV, ANONYMOUS, ApiKeyStore, Principal
from services.clock import Clock, SystemClock
from services.cost import Budget, Costs, PriceStore, set_budget
from services.metrics import Metrics
from services.pubsub import Broker, RunRecorded
from services.rate_limit import (
    IngestionLimiter,
    LimitCounters,
    MemoryRateLimiter,
    RateLimiter,
    RedisRateLimiter,
)
from services.records import RunRecord
from services.runs import AgentRunner, RunIngestor, RunReader, RunWriter
from services.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class Platform:
    settings: Settings
    clock: Clock
    engine: AsyncEngine
    registry: AgentRegistry
    writer: RunWriter
    runner: AgentRunner
    ingestor: RunIngestor
    runs: Broker[RunRecorded]
    prices: PriceStore
    alerts: AlertManager
    alert_changes: Broker[AlertChanged]
    limiter: RateLimiter
    limit_counters: LimitCounters
    ingestion_limiter: IngestionLimiter
    run_queries: RunReader
    metrics: Metrics
    costs: Costs
    api_keys: ApiKeyStore
    _key_limiters: dict[str, IngestionLimiter] = field(default_factory=dict)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    @classmethod
    async def start(cls, settings: Settings, clock: Clock | None = None) -> "Platform":
        """Migrate (if enabled), load the agents file and start the writer."""
        clock = clock or SystemClock()
        engine = create_engine(
            settings.database_url,
            connect_timeout=settings.db_connect_timeout_seconds,
            command_timeout=settings.db_command_timeout_seconds,
            pool_timeout=settings.db_pool_timeout_seconds,
        )
        try:
            if settings.migrate_on_start:
                await upgrade(engine)
            specs = parse_agents_file(settings.agents_file)
            overall = parse_overall_budget(settings.agents_file)
            registry = AgentRegistry(engine, clock)
            await registry.load(specs, settings.agents_file)
            prices = PriceStore(engine, clock)
            await prices.load()
            if overall is not None:
                await set_budget(engine, None, Budget(*overall))
        except BaseException:
            await engine.dispose()
            raise
        runs: Broker[RunRecorded] = Broker(settings.subscriber_queue_size)
        alert_changes: Broker[AlertChanged] = Broker(settings.subscriber_queue_size)
        notifier = WebhookNotifier(
            engine,
            clock,
            max_attempts=settings.webhook_max_attempts,
            backoff_seconds=settings.webhook_backoff_seconds,
            timeout_seconds=settings.webhook_timeout_seconds,
        )
        alerts = AlertManager(
            engine,
            clock,
            settings.zone,
            notifier,
            alert_changes,
            tick_seconds=settings.alert_tick_seconds,
        )
        await alerts.start()

        def published(run: RunRecord) -> None:
            runs.publish(RunRecorded(run))
            alerts.on_run(run)

        writer = RunWriter(engine, published, batch_size=settings.write_batch_size)
        await writer.start()
        limiter: RateLimiter = (
            RedisRateLimiter(
                settings.redis_url,
                clock,
                key_prefix=settings.redis_key_prefix,
                fail_open=settings.redis_fail_open,
            )
            if settings.redis_url
            else MemoryRateLimiter(clock)
        )
        for config in await registry.all():
            await limiter.configure(config.name, config.rate_limit)
        counters = LimitCounters(engine, clock)
        await counters.start()
        runner = AgentRunner(
            registry,
            writer,
            prices,
            clock,
            settings.max_input_bytes,
            settings.stored_payload_bytes,
            limiter,
            counters,
        )
        ingestor = RunIngestor(
            engine,
            registry,
            writer,
            prices,
            clock,
            settings.max_input_bytes,
            settings.stored_payload_bytes,
        )
        ingestion = IngestionLimiter(settings.ingest_rate_per_second, settings.ingest_burst, clock)
        platform = cls(
            settings,
            clock,
            engine,
            registry,
            writer,
            runner,
            ingestor,
            runs,
            prices,
            alerts,
            alert_changes,
            limiter,
            counters,
            ingestion,
            RunReader(engine),
            Metrics(engine, clock),
            Costs(engine, clock, settings.zone, prices, writer.transact),
            ApiKeyStore(engine, clock, settings.key_cache_seconds),
        )
        platform._tasks.append(asyncio.create_task(platform._refresh_loop()))
        log.info("AgentWatch core started with %d agents", len(specs))
        return platform

    def check_ingestion(self, principal: Principal, address: str) -> None:
        """Take one ingestion token: a stored key has its own bucket (its own limit or the
        default); the environment key and unauthenticated servers count per client address."""
        if principal.key_id in (ADMIN_ENV.key_id, ANONYMOUS.key_id):
            self.ingestion_limiter.check(address)
            return
        limiter = self._key_limiters.get(principal.key_id)
        if limiter is None:
            limiter = IngestionLimiter(
                principal.ingest_rate_per_second or self.settings.ingest_rate_per_second,
                principal.ingest_burst or self.settings.ingest_burst,
                self.clock,
            )
            self._key_limiters[principal.key_id] = limiter
        limiter.check(principal.key_id)

    async def update_agent(self, name: str, update: AgentUpdate) -> AgentRecord:
        """Change an agent's settings; a rate limit change starts its limiter afresh."""
        config = await self.registry.update(name, update)
        if update.rate_limit is not UNCHANGED:
            await self.limiter.configure(name, update.rate_limit)
        return config

    async def _refresh_loop(self) -> None:
        """Pick up price overrides and rate limits changed by other instances sharing the
        database (configure is a no-op for a policy already in force)."""
        while True:
            await asyncio.sleep(self.settings.refresh_seconds)
            try:
                await self.prices.load()
                for config in await self.registry.all():
                    await self.limiter.configure(config.name, config.rate_limit)
            except Exception:
                log.exception("could not reload shared settings")

    async def stop(self) -> None:
        """Finish background runs, flush queued writes, close the database."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.runner.drain()
        await self.writer.stop()
        await self.alerts.stop()
        await self.limit_counters.stop()
        await self.limiter.close()
        await self.engine.dispose()
