"""`python -m peilian.cli …` is the `peilian` command."""

from peilian.cli.commands import main

main()
