"""Peilian 陪练: the package behind the `peilian` command."""

__version__ = "0.1.0"
