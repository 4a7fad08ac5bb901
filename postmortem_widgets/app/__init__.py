"""The state of one open incident, as plain Python: what the workspace's widgets drive."""
