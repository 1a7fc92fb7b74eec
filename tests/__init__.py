"""Tavern's test suite."""
