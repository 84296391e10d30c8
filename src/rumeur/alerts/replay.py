"""The alerts of a replay: at the end of each replayed hour, the detectors run on the replayed
clock, then the notifications due by then are sent (escalations wait replayed time; the
receivers' retries, real time).

`HourlyAlerts` is what `pipeline.replay.replay` is given as its `on_hour`: the pipeline stands
below alerts and knows nothing of them, so whoever replays (the command line, the web app, a
worker) hands this step in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from rumeur.alerts.dispatch import Dispatcher
from rumeur.alerts.engine import EngineReport, run_detectors
from rumeur.config import Workspace
from rumeur.store import Store


@dataclass
class HourlyAlerts:
    store: Store
    ws: Workspace
    on_opened: Callable[[EngineReport], None] | None = None  # after an hour that opened alerts
    totals: EngineReport = field(default_factory=EngineReport)  # every hour's, added up
    dispatcher: Dispatcher = field(init=False)

    def __post_init__(self) -> None:
        self.dispatcher = Dispatcher(self.store, self.ws)

    def __call__(self, end: datetime) -> EngineReport:
        report = run_detectors(self.store, self.ws, end)
        self.dispatcher.run(end)  # the replayed clock: escalation waits replayed time
        self.totals.opened += report.opened
        self.totals.updated += report.updated
        self.totals.closed += report.closed
        if report.opened and self.on_opened is not None:
            self.on_opened(report)
        return report
