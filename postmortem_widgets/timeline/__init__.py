"""Exports in, one timeline out: sources, time parsing, importers, the event table, milestones and metrics."""
