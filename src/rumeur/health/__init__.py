"""The health of an installation (docs/deploy.md, "Health and metrics"): the broker's queue
depths, the workers' task counts and rates, the outbox's backlog and each source's lag, for
`/metrics`, the admin's Workers page and `rumeur workers status`."""
