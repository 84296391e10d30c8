"""What the command line does, one module per family of commands (kept out of cli.py so that
`rumeur --help` imports nothing heavy)."""
