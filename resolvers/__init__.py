"""Thin resolvers: validate arguments, call the monitoring core, map to graph types."""
