"""`Alert.events` is batched by a DataLoader: one query for a whole page of alerts, not one each."""

from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from graph.context import Context, alert_events_loader, calls_loader
from graph.schema import schema
from services.alerts import AlertRule, Comparator, Metric
from services.api_keys import ANONYMOUS
from services.platform import Platform
from services.records import RunErrorInfo, RunStatus
from services.runs import ReportedRun

QUERY = "{ alerts(first: 50) { edges { node { agent events { kind } } } } }"
AGENTS = ("a", "b", "c")


async def test_a_page_of_alerts_loads_its_events_in_one_query(core: Platform) -> None:
    for agent in AGENTS:
        await core.ingestor.record(
            ReportedRun(
                agent=agent,
                status=RunStatus.ERROR,
                latency_ms=10.0,
                started_at=core.clock.now() - timedelta(seconds=1),
                error=RunErrorInfo("boom", "RuntimeError"),
            )
        )
        await core.alerts.create_rule(
            AlertRule(f"errors {agent}", Metric.ERROR_RATE, Comparator.GT, 0.5, 300, 1, agent=agent)
        )
    event_queries: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "alert_event" in statement and statement.lstrip().upper().startswith("SELECT"):
            event_queries.append(statement)

    context = Context(
        platform=core,
        calls=calls_loader(core),
        alert_events=alert_events_loader(core),
        principal=ANONYMOUS,
    )
    sa.event.listen(core.engine.sync_engine, "before_cursor_execute", count)
    try:
        result = await schema.execute(QUERY, context_value=context)
    finally:
        sa.event.remove(core.engine.sync_engine, "before_cursor_execute", count)
    assert result.errors is None
    assert result.data is not None
    nodes = [edge["node"] for edge in result.data["alerts"]["edges"]]
    assert sorted(n["agent"] for n in nodes) == list(AGENTS)
    assert all(n["events"][0]["kind"] == "FIRED" for n in nodes)
    assert len(event_queries) == 1
