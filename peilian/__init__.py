"""peilian."""
