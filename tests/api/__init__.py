"""api tier."""
