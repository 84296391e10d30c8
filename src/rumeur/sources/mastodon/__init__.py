"""Mastodon: any instance by URL, its REST and streaming APIs and their payloads."""
