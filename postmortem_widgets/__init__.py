"""Postmortem Workspace: write honest, customer-facing incident postmortems."""

__all__: list[str] = []
