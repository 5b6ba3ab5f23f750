"""AgentWatch's domain: monitoring logic with no web framework in it (see the README's Layout)."""

__version__ = "0.1.0"
