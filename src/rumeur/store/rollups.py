"""The names the rollup tables give to "every brand", "no label" and "no reason".

Written by the writer (store/writer.py) and read back by every reader of the rollups
(analytics, alerts, web): one home, so that a reader asks for the very value that was written.
"""

ALL = "*"  # the rollup row of a workspace's whole volume; no brand may be named so
UNKNOWN = "unknown"  # the rollups' sentiment, language or emotion of a post without one
NO_REASON = ""  # the rollups' reason of a post without a complaint reason
