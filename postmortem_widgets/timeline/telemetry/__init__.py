"""Monitoring telemetry as evidence: machine logs and metric exports become series and a few events.

A log is never kept row by row: it becomes per-bin series (counts and ratios by severity, request rate,
latency percentiles) and the few rows worth a person's attention (the first occurrence of each new error
template, deploys, rollbacks, config and feature-flag changes). Metric exports become series directly.
From every series the timeline finds the impact window: where the clearest signal left its baseline and
where it came back (:mod:`.impact`).
"""
