"""Bluesky: the AppView API, Jetstream and their payloads."""
