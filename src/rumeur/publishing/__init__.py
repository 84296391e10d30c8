"""Publishing (docs/publish.md): one master message expanded into a variant per owned account,
each checked against its network's rules before it is scheduled.

- `rules`: each network's rules on one variant (Bluesky, Mastodon, Reddit);
- `facets`: Bluesky's rich-text facets, in UTF-8 byte offsets;
- `variables`: an account's `{variables}` filled in, with `{name|default}` defaults;
- `expand`: the master message and its variants -> one checked variant per account;
- `bodies`: what each network will be sent for an item (the preview, and the tests' shapes);
- `schedule`: expanded, checked and stored in one go, the refusals named;
- `lookups`: what the networks tell the composer (a handle's DID, an instance's limit).
"""
