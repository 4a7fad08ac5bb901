"""The incident record: what the author knows, how it becomes a timeline, and the fields derived from it."""
