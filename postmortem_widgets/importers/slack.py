"""Placeholder until this format lands."""
