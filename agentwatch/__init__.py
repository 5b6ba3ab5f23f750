"""AgentWatch's command line; it imports downward only (graph, services, models)."""

from services import __version__

__all__ = ["__version__"]
