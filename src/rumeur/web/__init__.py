"""The web app: accounts and roles first (`accounts`); the pages and the REST API build on them."""
