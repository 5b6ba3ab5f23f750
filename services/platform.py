"""The assembled monitoring core: engine, agents, writer, runner, ingestion and pub/sub.

Built and torn down by the web app's lifespan, and directly by tests and benchmarks; nothing
here knows about HTTP or GraphQL.
"""

import logging
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from agentwatch.settings import Settings
from models.db import create_engine
from models.migrate import upgrade
from services.agent_registry import AgentRegistry, parse_agents_file
from services.clock import Clock, SystemClock
from services.ingest import RunIngestor
from services.pubsub import Broker, RunRecorded
from services.records import RunRecord
from services.run_writer import RunWriter
from services.runner import AgentRunner

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

    @classmethod
    async def start(cls, settings: Settings, clock: Clock | None = None) -> "Platform":
        """Migrate (if enabled), load the agents file and start the writer."""
        clock = clock or SystemClock()
        engine = create_engine(settings.database_url)
        try:
            if settings.migrate_on_start:
                await upgrade(engine)
            specs = parse_agents_file(settings.agents_file)
            registry = AgentRegistry(engine, clock)
            await registry.load(specs)
        except BaseException:
            await engine.dispose()
            raise
        runs: Broker[RunRecorded] = Broker(settings.subscriber_queue_size)

        def published(run: RunRecord) -> None:
            runs.publish(RunRecorded(run))

        writer = RunWriter(engine, published, batch_size=settings.write_batch_size)
        await writer.start()
        runner = AgentRunner(
            registry, writer, clock, settings.max_input_bytes, settings.stored_payload_bytes
        )
        ingestor = RunIngestor(
            engine, registry, writer, clock, settings.max_input_bytes,
            settings.stored_payload_bytes,
        )  # fmt: skip
        log.info("AgentWatch core started with %d agents", len(specs))
        return cls(settings, clock, engine, registry, writer, runner, ingestor, runs)

    async def stop(self) -> None:
        """Finish background runs, flush queued writes, close the database."""
        await self.runner.drain()
        await self.writer.stop()
        await self.engine.dispose()
