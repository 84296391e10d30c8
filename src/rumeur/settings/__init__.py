"""The settings models of every subsystem, in the config layer beside `config.py`.

They live here, not in `sources/`, `alerts/` or `alerts/notify/`, so that reading a settings
file (`import rumeur.config`) loads no collector, no notifier and no HTTP library: a module of
this package imports only pydantic and the bottom layer (`errors`, `logs`). The subsystems import
their models from here (`rumeur.settings.sources`, `.alerts`, `.notify`), never the other way.
"""
