"""The network seam of connector tests: local servers that replay recorded traffic.

``ReplayServer`` serves cassettes, bodies and server-sent events over HTTP and injects faults;
``ReplayWebsocket`` replays JSON lines (Jetstream) over a websocket. Both bind 127.0.0.1 on an
ephemeral port and stop promptly, leaving no thread or socket behind.
"""

from .cassettes import FIXTURES, Interaction, body_file, fixture, load_cassette
from .server import Event, RecordedRequest, ReplayServer
from .websocket import ReplayWebsocket, WebsocketConnection

__all__ = [
    "FIXTURES",
    "Event",
    "Interaction",
    "RecordedRequest",
    "ReplayServer",
    "ReplayWebsocket",
    "WebsocketConnection",
    "body_file",
    "fixture",
    "load_cassette",
]
