"""Optional LangSmith correlation: is tracing on, and where does a trace live.

LangChain's own tracer (enabled by `LANGSMITH_TRACING=true` and a key) posts every run from a
background thread; we only pass our run id as the root run id so the LangSmith trace id equals
the AgentWatch run id, and build the link without a network round trip.
"""

import os

from langsmith.utils import tracing_is_enabled


def tracing_on() -> bool:
    return tracing_is_enabled() is True and bool(
        os.environ.get("LANGSMITH_API_KEY") or os.environ.get("LANGCHAIN_API_KEY")
    )


def trace_url(trace_id: str) -> str | None:
    """Link to the trace, from `AGENTWATCH_LANGSMITH_PROJECT_URL` (the project page's URL,
    e.g. https://smith.langchain.com/o/<org>/projects/p/<project>); None when it is unset,
    because the org and project ids are only known to LangSmith."""
    project_url = os.environ.get("AGENTWATCH_LANGSMITH_PROJECT_URL", "").rstrip("/")
    return f"{project_url}/r/{trace_id}?poll=true" if project_url else None
