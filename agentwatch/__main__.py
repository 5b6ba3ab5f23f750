"""Allow `python -m agentwatch ...` as an alias of the `agentwatch` command."""

from agentwatch.cli import main

raise SystemExit(main())
