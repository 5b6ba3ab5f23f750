"""Shared test helpers: one clock, one client, one server launcher; tests import only these."""
