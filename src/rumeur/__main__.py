"""`python -m rumeur` is the `rumeur` command."""

from rumeur.cli import main

main()
