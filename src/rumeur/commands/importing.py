"""`rumeur import` and the import half of `rumeur demo`: a file through the pipeline, with a
progress bar and one line per rejected row."""

from __future__ import annotations

import functools
import os
from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)

from rumeur.commands.consoles import make_console
from rumeur.config import Settings, Workspace
from rumeur.errors import ConfigError, InputError
from rumeur.i18n import _, number
from rumeur.nlp.registry import TASKS, enrichers
from rumeur.pipeline import RunReport, Step, run
from rumeur.pipeline.reenrich import ReenrichReport
from rumeur.pipeline.runner import cursor_key
from rumeur.sources.files.mapping import load_mapping
from rumeur.sources.files.source import FileSource
from rumeur.store import Store

DEMO_FILE = Path("airline-tweets") / "tweets.csv"
SHOWN_REJECTS = 50  # per run; `rumeur rejected` lists them all


def file_source(
    ws: Workspace, path: Path, preset: str | None, mapping_file: Path | None = None
) -> FileSource:
    """The file with its mapping, its header already checked against the mapping's columns."""
    mapping = load_mapping(preset, mapping_file)
    brands = {b.name.lower(): b.name for b in ws.brands}
    brands.update({h.lower().lstrip("@"): b.name for b in ws.brands for h in b.handles})
    return FileSource(path, mapping, brands)


def import_file(
    store: Store,
    settings: Settings,
    ws: Workspace,
    source: FileSource,
    enrich: bool,
    restart: bool,
    batch_size: int,
    queue: bool = False,
) -> RunReport:
    """`queue`: the batches stored by the workers (`rumeur worker`), not by this process."""
    path = source.path
    if restart:
        store.forget_source(cursor_key(ws, source), ws.slug, source.label)
    # A large file is read and normalised in a second process while this one stores.
    runner = functools.partial(run, ahead=True)
    if queue:
        from rumeur.commands.working import queued_runner

        runner, models = queued_runner(settings, enrich).run, []
    else:
        models = enrichers(settings, ws) if enrich else []
    console = make_console(stderr=True)
    with _progress(console) as progress:
        task = progress.add_task(path.name, total=path.stat().st_size, rate="")
        shown = [0]

        def on_step(step: Step) -> None:
            for reject in step.new_rejects:
                if shown[0] < SHOWN_REJECTS:
                    console.print(reject.message(), markup=False, soft_wrap=True)
                shown[0] += 1
            if step.progress is not None:
                rate = _("{n} rows/s").format(n=number(step.report.rate))
                # The total of the bytes read: a UTF-16 file is read through a smaller UTF-8 copy.
                done, total = step.progress.done, step.progress.total
                progress.update(task, completed=done, total=total, rate=rate)

        report = runner(source, store, ws, models, batch_size, on_step)
    if shown[0] > SHOWN_REJECTS:
        console.print(
            _("… and {n} more rejected rows: rumeur rejected").format(
                n=number(shown[0] - SHOWN_REJECTS)
            )
        )
    console.print(_report_line(path, report), markup=False, soft_wrap=True)
    return report


def _progress(console: Console) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        DownloadColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )


def _report_line(path: Path, report: RunReport) -> str:
    w = report.written
    if report.read == 0 and report.resumed:
        return _("{file}: nothing new since the last import (--restart reads it again)").format(
            file=path
        )
    duplicates = report.read - len(report.rejects) - w.inserted - w.updated - w.unchanged
    return _(
        "{file}: {read} rows read, {new} new posts, {updated} updated, "
        "{same} already stored, {dups} repeated in the file, {rejected} rejected, "
        "in {secs} s ({rate} rows/s)"
    ).format(
        file=path,
        read=number(report.read),
        new=number(w.inserted),
        updated=number(w.updated),
        same=number(w.unchanged),
        dups=number(duplicates),
        rejected=number(len(report.rejects)),
        secs=number(report.seconds, 1),
        rate=number(report.rate),
    )


def find_demo_file(data: Path | None) -> Path:
    """The airline data set: under --data / RUMEUR_DATA, else in a `shared/data` folder beside
    the current folder or the source tree."""
    candidates = [data] if data else []
    if os.environ.get("RUMEUR_DATA"):
        candidates.append(Path(os.environ["RUMEUR_DATA"]))
    here = Path(__file__).resolve()
    for base in [Path.cwd(), *Path.cwd().parents, *here.parents]:
        candidates.append(base / "shared" / "data")
    for folder in candidates:
        if (folder / DEMO_FILE).is_file():
            return folder / DEMO_FILE
    raise InputError(
        _(
            "the airline data set ({file}) was not found: pass --data FOLDER or set RUMEUR_DATA"
        ).format(file=DEMO_FILE)
    )


def reenrich_posts(
    store: Store, settings: Settings, ws: Workspace, tasks: list[str] | None, batch_size: int
) -> ReenrichReport:
    from rumeur.pipeline.reenrich import reenrich, reenrich_models

    unknown = [t for t in tasks or [] if t not in TASKS]
    if unknown:
        raise ConfigError(f"--task {unknown[0]}: expected one of {', '.join(TASKS)}")
    models = reenrich_models(settings, ws, tasks or TASKS)
    console = make_console(stderr=True)
    with console.status(_("Enriching stored posts…")) as status:
        report = reenrich(
            store, ws, models, batch_size,
            lambda r: status.update(_("{n} posts enriched again").format(n=number(r.posts))),
        )  # fmt: skip
    names = ", ".join(f"{m.task} ({m.model} {m.version})" for m in models)
    console.print(
        _("{posts} posts enriched again with {models}: {changed} changed label").format(
            posts=number(report.posts), models=names, changed=number(report.changed)
        ),
        markup=False,
        soft_wrap=True,
    )
    return report
