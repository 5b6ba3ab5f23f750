"""AgentWatch: live observability for LangChain agents (CLI and settings)."""

__version__ = "0.1.0"
