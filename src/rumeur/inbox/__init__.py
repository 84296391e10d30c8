"""The shared inbox (docs/inbox.md): conversations that reach the workspace's owned accounts,
routed to a department by rules (`routing`), answered through an outbox that sends each reply
once (`rumeur.store.inbox` keeps the rows).

At the level of `analytics` and `alerts`: it reads the query language, the settings and the
store, and nothing above it.
"""
