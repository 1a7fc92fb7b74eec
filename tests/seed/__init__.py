"""Tests of the reference content and the demo loaded by `flask seed`."""
