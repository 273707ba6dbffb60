"""The code location: `dagster dev -m pipelines.orchestration.definitions` (README "Scheduling")."""

from pipelines.orchestration.build import build_definitions

defs = build_definitions()
