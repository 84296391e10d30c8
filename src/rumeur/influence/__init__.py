"""Influence (docs/influence.md): the voices that count for a workspace's brands, the
relationship file of the people the team works with, and campaigns."""
