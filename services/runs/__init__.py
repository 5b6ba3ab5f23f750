"""Runs: executing agents, ingesting reported runs, one writer to store them, reading them back.

Import order matters here: `queries` and `rows` come first because `services.cost` (imported by
`ingest` and `runner`) imports `RunFilter` and `run_from_row` back from this face.
"""

# isort: off
from services.runs.queries import (
    RunFilter,
    RunPage,
    calls_by_run,
    encode_cursor,
    get_run,
    list_runs,
)
from services.runs.rows import run_from_row
from services.runs.reader import RunReader
from services.runs.writer import RunWriter
from services.runs.ingest import ReportedCall, ReportedRun, RunIngestor
from services.runs.runner import AgentRunner

# isort: on

__all__ = [
    "AgentRunner",
    "ReportedCall",
    "ReportedRun",
    "RunFilter",
    "RunIngestor",
    "RunPage",
    "RunReader",
    "RunWriter",
    "calls_by_run",
    "encode_cursor",
    "get_run",
    "list_runs",
    "run_from_row",
]
