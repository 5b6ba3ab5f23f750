"""AgentWatch services: ingestion, storage and demo workloads."""
