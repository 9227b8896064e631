"""Helpers shared by the test modules (never import one test module from another)."""
