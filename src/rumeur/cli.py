"""The command line: each command parses, calls the library, prints. Heavy modules (models,
the store) are imported inside the commands so that `rumeur --help` answers at once.

The help texts go through `_()` when this module is imported, so `--help` is in the language of
the environment at start-up (RUMEUR_LANG, else LC_ALL, LC_MESSAGES, LANG)."""

from __future__ import annotations

import functools
import inspect
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import click
import typer
from typer.core import TyperGroup

from rumeur import logs
from rumeur.commands import helpwords
from rumeur.commands.context import Cli
from rumeur.errors import ConfigError, RumeurError
from rumeur.i18n import _

if TYPE_CHECKING:
    from rumeur.config import Workspace
    from rumeur.settings.sources import SourceSettings

Command = TypeVar("Command", bound=Callable[..., Any])

app = typer.Typer(
    name="rumeur",
    help=_("Self-hosted social-media listening and community management."),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    add_completion=False,
)
helpwords.install()  # Typer's own words ("Options", "[required]") in the user's language too

Db = Annotated[
    str | None,
    typer.Option(
        "--db",
        envvar="RUMEUR_DB",
        help=_("SQLite file path or postgresql:// URL."),
        show_default=False,
    ),
]
ConfigFile = Annotated[
    Path | None,
    typer.Option(
        "--config", envvar="RUMEUR_CONFIG", help=_("Workspaces file (TOML)."), dir_okay=False
    ),
]
WorkspaceSlug = Annotated[
    str | None,
    typer.Option(
        "--workspace",
        "-w",
        help=_("Workspace slug (default: default_workspace, else the first)."),
    ),
]
Since = Annotated[str | None, typer.Option(help=_("From this date (YYYY-MM-DD or ISO 8601)."))]
Until = Annotated[str | None, typer.Option(help=_("Before this date (YYYY-MM-DD or ISO 8601)."))]
Enrich = Annotated[
    bool, typer.Option(help=_("Find the language, sentiment, emotion and complaint reason."))
]
DataFile = Annotated[
    Path, typer.Argument(help=_("CSV or JSON-lines file."), exists=True, dir_okay=False)
]
Preset = Annotated[str | None, typer.Option(help=_("Column mapping: airline or listening-export."))]
MappingFile = Annotated[
    Path | None, typer.Option(help=_("Column mapping file (TOML)."), dir_okay=False)
]
Queue = Annotated[
    bool,
    typer.Option(
        "--queue", help=_("Send the batches to the workers (rumeur worker) and wait for them.")
    ),
]
LinesFile = Annotated[str, typer.Argument(help=_("JSON-lines file, or - for standard input."))]
AsJson = Annotated[bool, typer.Option("--json", help=_("One JSON object per line."))]
AsOneJson = Annotated[bool, typer.Option("--json", help=_("One JSON object."))]
Host = Annotated[str, typer.Option(help=_("Address to listen on."))]
Port = Annotated[int, typer.Option(min=1, max=65535, help=_("Port to listen on."))]


def _version(value: bool) -> None:
    if value:
        from rumeur import __version__

        typer.echo(f"rumeur {__version__}")
        raise typer.Exit()


# The options that say where a command works, as `scope` adds them to a command.
WHERE = {
    name: inspect.Parameter(
        name, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None, annotation=option
    )
    for name, option in (("db", Db), ("config", ConfigFile), ("workspace", WorkspaceSlug))
}


def scope(*names: str, before: str | None = None) -> Callable[[Command], Command]:
    """Give a command the options that say where it works, `--db`, `--config` and `--workspace`
    (`names`, all three by default), after its own parameters or before the one named `before`,
    and hand what they say to the root context object (`Cli.use`) before the command runs. They
    stay after the command's name, as users type them; the command reaches the settings, the
    workspace and the store through its `ctx: typer.Context` (`ctx.obj`)."""
    chosen = names or tuple(WHERE)

    def add(command: Command) -> Command:
        signature = inspect.signature(command, eval_str=True)
        own = list(signature.parameters.values())
        [context] = [p.name for p in own if p.annotation is typer.Context]
        at = next((i for i, p in enumerate(own) if p.name == before), len(own))
        params = [*own[:at], *(WHERE[name] for name in chosen), *own[at:]]

        @functools.wraps(command)
        def run(**kwargs: Any) -> Any:
            kwargs[context].find_object(Cli).use(**{name: kwargs.pop(name) for name in chosen})
            return command(**kwargs)

        run.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
        run.__annotations__ = {p.name: p.annotation for p in params}
        return run  # type: ignore[return-value]

    return add


@app.callback()
def _root(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help=_("Show the version.")),
    ] = False,
) -> None:
    """The options before the command; the app's help is the one given to `typer.Typer` above.
    Makes the one root context object, closed (its store with it) when the command ends."""
    ctx.obj = Cli()
    ctx.call_on_close(ctx.obj.close)


@app.command(
    "import", help=_("Import posts from a file, resuming where a previous import of it stopped.")
)
@scope()
def import_(
    ctx: typer.Context,
    file: DataFile,
    preset: Preset = None,
    mapping: MappingFile = None,
    enrich: Enrich = True,
    restart: Annotated[bool, typer.Option(help=_("Read the file from its start again."))] = False,
    batch_size: Annotated[int, typer.Option(min=1, max=100_000)] = 1000,
    queue: Queue = False,
) -> None:
    from rumeur.commands.importing import file_source, import_file

    cli: Cli = ctx.obj
    ws = cli.workspace()
    source = file_source(ws, file, preset, mapping)  # a bad mapping fails before the database
    import_file(cli.store(), cli.settings(), ws, source, enrich, restart, batch_size, queue)


@app.command(help=_("Import the airline data set into the demo workspace and print its summary."))
@scope("db", "config", before="serve")
def demo(
    ctx: typer.Context,
    data: Annotated[
        Path | None,
        typer.Option(
            envvar="RUMEUR_DATA", help=_("Folder of the public data sets."), file_okay=False
        ),
    ] = None,
    serve: Annotated[
        bool, typer.Option("--serve", help=_("Then serve the web app with a demo account."))
    ] = False,
    host: Host = "127.0.0.1",
    port: Port = 8000,
) -> None:
    from rumeur.commands.importing import file_source, find_demo_file, import_file
    from rumeur.commands.reporting import print_summary

    cli: Cli = ctx.obj
    settings, ws, store = cli.settings(), cli.workspace(), cli.store()
    source = find_demo_file(data)
    typer.echo(_("Importing {file} into {db}").format(file=source, db=store.where), err=True)
    import_file(store, settings, ws, file_source(ws, source, "airline"), True, False, 1000)
    print_summary(store, ws)
    if serve:
        from rumeur.commands.serving import demo_account
        from rumeur.commands.serving import serve as serve_app

        serve_app(settings, store, host, port, demo_account(store))


@app.command(help=_("Serve the web app and its REST API."))
@scope("db", "config")
def serve(
    ctx: typer.Context,
    host: Host = "127.0.0.1",
    port: Port = 8000,
    no_send: Annotated[
        bool,
        typer.Option(
            "--no-send",
            help=_(
                "Do not send the outbox's replies from this process (rumeur send runs elsewhere)."
            ),
        ),
    ] = False,
) -> None:
    from rumeur.commands.serving import serve as serve_app

    cli: Cli = ctx.obj
    serve_app(cli.settings(), cli.store(), host, port, send=not no_send)


@app.command(
    help=_("Volume, share of voice, sentiment, days, languages, top authors, rejected rows.")
)
@scope(before="as_json")
def summary(ctx: typer.Context, as_json: AsOneJson = False) -> None:
    from rumeur.commands.reporting import print_summary

    print_summary(ctx.obj.store(), ctx.obj.workspace(), as_json=as_json)


@app.command(help=_("Search the stored posts of a workspace with a boolean query, newest first."))
@scope(before="as_json")
def search(
    ctx: typer.Context,
    text: Annotated[
        str, typer.Argument(help=_("A boolean query, e.g. '\"la poste\" AND retard*'."))
    ],
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 20,
    since: Since = None,
    until: Until = None,
    as_json: AsJson = False,
) -> None:
    from rumeur.commands.reporting import print_search
    from rumeur.query.parser import parse

    query = parse(text)  # a malformed query is refused before the store is opened
    for warning in query.warnings:
        typer.echo(_("warning: {warning}").format(warning=warning), err=True)
    print_search(ctx.obj.store(), ctx.obj.workspace(), query, limit, since, until, as_json)


@app.command(help=_("Write the stored posts of a workspace with their enrichments, oldest first."))
@scope()
def export(
    ctx: typer.Context,
    format: Annotated[str, typer.Option("--format", help=_("csv or jsonl."))] = "csv",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help=_("File to write (default: stdout)."))
    ] = None,
    query: Annotated[
        str | None,
        typer.Option("--query", "-q", help=_("Only the posts this boolean query matches.")),
    ] = None,
    since: Since = None,
    until: Until = None,
) -> None:
    from rumeur.commands.exporting import export_posts
    from rumeur.query.parser import parse

    parsed = None if query is None else parse(query)
    export_posts(ctx.obj.store(), ctx.obj.workspace(), format, output, since, until, parsed)


@app.command(
    help=_("List the rows that could not be imported, one line each: file, line, field, reason.")
)
@scope(before="as_json")
def rejected(ctx: typer.Context, as_json: AsJson = False) -> None:
    from rumeur.commands.reporting import print_rejected

    print_rejected(ctx.obj.store(), ctx.obj.workspace(), as_json)


@app.command(
    help=_(
        "Print the place a text names as JSON: city, region and country (ISO code), each null "
        "when unknown."
    )
)
def locate(
    text: Annotated[str, typer.Argument(help=_("A typed place, for example Lille 🇫🇷 or 75011."))],
) -> None:
    from rumeur.commands.locating import print_place

    print_place(text, sys.stdout)


@app.command(
    help=_(
        "Label texts read as JSON lines with a 'text' field (FILE, or - for standard input): "
        "one JSON line per input, in order."
    )
)
@scope()
def classify(
    ctx: typer.Context,
    file: LinesFile,
    task: Annotated[
        str, typer.Option(help=_("language, sentiment, emotion or reason."))
    ] = "sentiment",
    explain: Annotated[
        bool, typer.Option("--explain", help=_("Add the features that weighed most."))
    ] = False,
    top: Annotated[int, typer.Option(min=1, max=50, help=_("Features per explanation."))] = 8,
) -> None:
    from rumeur.commands.classifying import classify_lines, open_input
    from rumeur.nlp.registry import model_for

    settings, ws = ctx.obj.settings(), ctx.obj.workspace()
    model = model_for(task, settings, ws)
    store = ctx.obj.existing_store()
    if store is not None:  # the workspace's own model of the task, as the pipeline uses it
        from rumeur.pipeline.adapters import workspace_models

        [model] = workspace_models(store, ws, [model])
    # The other models read the language first, as in the pipeline.
    language = None if task == "language" else model_for("language", settings, ws)
    with open_input(file) as source:
        classify_lines(model, source, sys.stdout, explain, top, language)


@app.command(
    help=_("Run the current models again over the stored posts of a workspace (resumable).")
)
@scope()
def reenrich(
    ctx: typer.Context,
    task: Annotated[
        list[str] | None,
        typer.Option(help=_("Only this task (language, sentiment, emotion, reason); repeatable.")),
    ] = None,
    batch_size: Annotated[int, typer.Option(min=1, max=100_000)] = 1000,
) -> None:
    from rumeur.commands.importing import reenrich_posts

    cli: Cli = ctx.obj
    ws = cli.workspace()
    reenrich_posts(cli.store(), cli.settings(), ws, task or None, batch_size)


@app.command(
    "migrate-store",
    help=_(
        "Copy the embedded SQLite store into PostgreSQL: every table in batches, ids kept, "
        "resumable after a kill, checked by counts (exit 1 when they differ)."
    ),
)
@scope("db", "config")
def migrate_store(
    ctx: typer.Context,
    to: Annotated[
        str,
        typer.Option(
            "--to",
            help=_("The PostgreSQL database to copy into (postgresql://...)."),
            show_default=False,
        ),
    ],
    from_: Annotated[
        str | None,
        typer.Option(
            "--from",
            help=_("The SQLite store to copy (default: --db, else the settings')."),
            show_default=False,
        ),
    ] = None,
    batch_size: Annotated[int, typer.Option(min=1, max=100_000)] = 5000,
) -> None:
    from rumeur.commands.transferring import checked_target, migrate_store
    from rumeur.store import Store

    cli: Cli = ctx.obj
    target_url = checked_target(to)  # a wrong address is refused before any database is opened
    source = Store.open(from_) if from_ is not None else cli.store()
    try:
        target = Store.open(target_url)
        try:
            equal = migrate_store(source, target, batch_size)
        finally:
            target.close()
    finally:
        if from_ is not None:
            source.close()
    if not equal:
        raise typer.Exit(1)


workers_app = typer.Typer(
    help=_("The distributed workers' health: queues, tasks, the outbox's backlog, sources' lag."),
    no_args_is_help=True,
)
app.add_typer(workers_app, name="workers")


@workers_app.command(
    "status",
    help=_(
        "Queue depths, task counts and rates, the outbox's backlog and the age of its oldest due "
        "reply, each source's lag: the figures of /metrics (exit 1 when the broker does not "
        "answer)."
    ),
)
@scope("db", "config", before="as_json")
def workers_status(ctx: typer.Context, as_json: AsOneJson = False) -> None:
    from rumeur.commands.health import workers_status as print_status

    cli: Cli = ctx.obj
    if not print_status(cli.settings(), cli.store(), as_json):
        raise typer.Exit(1)


models_app = typer.Typer(
    help=_("The workspace's own models, learnt from its team's corrections."),
    no_args_is_help=True,
)
app.add_typer(models_app, name="models")


@models_app.command(
    "adapt",
    help=_(
        "Learn the workspace's own sentiment and emotion adapters and complaint-reason model "
        "from its team's corrections, each stored as a new version, and print how they score."
    ),
)
@scope(before="as_json")
def models_adapt(ctx: typer.Context, as_json: AsJson = False) -> None:
    from rumeur.commands.modelling import adapt_models

    cli: Cli = ctx.obj
    adapt_models(cli.store(), cli.settings(), cli.workspace(), as_json)


@models_app.command(
    "list", help=_("List the stored versions of the workspace's own models, newest first.")
)
@scope(before="as_json")
def models_list(ctx: typer.Context, as_json: AsJson = False) -> None:
    from rumeur.commands.modelling import list_models

    cli: Cli = ctx.obj
    list_models(cli.store(), cli.workspace(), as_json)


labels_app = typer.Typer(
    help=_("The team's corrections of the posts' labels: import them from a file."),
    no_args_is_help=True,
)
app.add_typer(labels_app, name="labels")


@labels_app.command(
    "import",
    help=_(
        "Record corrections read as JSON lines (FILE, or - for standard input): a 'post_id' "
        "or a 'text', and a 'sentiment', 'emotion' or 'reason'. A bad line is named and "
        "skipped; the others are recorded."
    ),
)
@scope()
def labels_import(
    ctx: typer.Context,
    file: LinesFile,
    by: Annotated[
        str, typer.Option("--by", help=_("Who made the corrections, as the app shows it."))
    ] = "import",
) -> None:
    from rumeur.commands.labelling import import_labels

    cli: Cli = ctx.obj
    report = import_labels(cli.store(), cli.workspace(), file, by)
    if report.refused:
        raise typer.Exit(1)


collect_app = typer.Typer(
    help=_(
        "Collect from the workspace's network sources (Bluesky, Mastodon, Reddit, RSS), each from "
        "where it stopped; or try one source before configuring it."
    ),
    invoke_without_command=True,
)
app.add_typer(collect_app, name="collect")
Once = Annotated[bool, typer.Option("--once", help=_("Stop once caught up (the default)."))]


@dataclass(slots=True)
class CollectOptions:
    """What `rumeur collect` was told, for its subcommands (`ctx.obj` below the group)."""

    sources: list[str]
    once: bool
    follow: bool
    enrich: bool


@collect_app.callback()
@scope()
def collect(
    ctx: typer.Context,
    source: Annotated[
        list[str] | None, typer.Option("--source", help=_("Only this source; repeatable."))
    ] = None,
    once: Once = False,
    follow: Annotated[
        bool, typer.Option("--follow", help=_("Keep polling and streaming once caught up."))
    ] = False,
    enrich: Enrich = True,
) -> None:
    cli: Cli = ctx.obj
    options = CollectOptions(source or [], once, follow, enrich)
    _once_or_follow(options)
    if ctx.invoked_subcommand is not None:
        ctx.obj = options
        return
    from rumeur.pipeline.collection import choose

    _collect(cli, choose(cli.workspace(), options.sources), options)


def _once_or_follow(options: CollectOptions) -> None:
    if options.once and options.follow:
        raise ConfigError(_("--once and --follow: choose one"))


def _collect(cli: Cli, chosen: list[SourceSettings], options: CollectOptions) -> None:
    from rumeur.commands.collecting import collect_sources

    store, settings, ws = cli.store(), cli.settings(), cli.workspace()
    outcomes = collect_sources(store, settings, ws, chosen, options.follow, options.enrich)
    if any(o.error for o in outcomes):
        sys.exit(1)


def _adhoc(ctx: typer.Context, made: SourceSettings) -> None:
    """One source tried before it is configured, collected as the group's options say: once
    caught up by default, following with the group's `--follow`. The subcommand's own `--once`,
    when given, refuses the group's `--follow` as the group's `--once` does."""
    options: CollectOptions = ctx.obj
    given = ctx.get_parameter_source("once")  # typer's own click: its enum, compared by name
    if given is not None and given.name == "COMMANDLINE":
        _once_or_follow(replace(options, once=True))
    cli = ctx.find_object(Cli)
    assert cli is not None
    _collect(cli, [made], options)


@collect_app.command("rss", help=_("Read one RSS, Atom or JSON feed into the workspace."))
def collect_rss(
    ctx: typer.Context,
    url: Annotated[str, typer.Argument(help=_("The feed's address."))],
    once: Once = True,
) -> None:
    from rumeur.sources.adhoc import rss

    _adhoc(ctx, rss(url))


@collect_app.command("mastodon", help=_("Read a hashtag's timeline on one Mastodon instance."))
def collect_mastodon(
    ctx: typer.Context,
    instance: Annotated[str, typer.Option(help=_("The instance, e.g. https://piaille.fr."))],
    tag: Annotated[str, typer.Option(help=_("The hashtag, without #."))],
    once: Once = True,
) -> None:
    from rumeur.sources.adhoc import mastodon

    _adhoc(ctx, mastodon(instance, tag))


@collect_app.command("bluesky", help=_("Search Bluesky posts."))
def collect_bluesky(
    ctx: typer.Context,
    search: Annotated[str, typer.Option(help=_("What to search for."))],
    service: Annotated[
        str, typer.Option(help=_("The AppView to ask."))
    ] = "https://public.api.bsky.app",
    once: Once = True,
) -> None:
    from rumeur.sources.adhoc import bluesky

    _adhoc(ctx, bluesky(service, search))


@collect_app.command(
    "reddit",
    help=_("Search Reddit (needs RUMEUR_REDDIT_CLIENT_ID and RUMEUR_REDDIT_CLIENT_SECRET)."),
)
def collect_reddit(
    ctx: typer.Context,
    search: Annotated[str, typer.Option(help=_("What to search for."))],
    once: Once = True,
) -> None:
    from rumeur.sources.adhoc import reddit

    _adhoc(ctx, reddit(search))


@app.command(help=_("List the workspace's sources: cursor, last success, last error, quota."))
@scope(before="as_json")
def sources(ctx: typer.Context, as_json: AsJson = False) -> None:
    from rumeur.commands.collecting import list_sources

    list_sources(ctx.obj.store(), ctx.obj.workspace(), as_json)


query_app = typer.Typer(help=_("Boolean queries: check one before using it."), no_args_is_help=True)
app.add_typer(query_app, name="query")

QueryFile = Annotated[
    str | None,
    typer.Option("--query-file", help=_("Read the query from this file (e.g. a .bwq export).")),
]


@query_app.command(
    "check", help=_("Parse a query and show it as a tree; a malformed query says where.")
)
def query_check(
    text: Annotated[str | None, typer.Argument(help=_("The query."), show_default=False)] = None,
    query_file: QueryFile = None,
) -> None:
    from rumeur.commands.querying import check_query, read_query

    check_query(read_query(text, query_file), sys.stdout, sys.stderr)


@query_app.command(
    "apply",
    help=_(
        "Run the workspace's saved queries again over its stored posts, so that they record "
        "what each query matches now (after adding a query, or after reenrich)."
    ),
)
@scope()
def query_apply(
    ctx: typer.Context,
    name: Annotated[
        list[str] | None, typer.Argument(help=_("Saved query names (default: all)."))
    ] = None,
) -> None:
    from rumeur.commands.querying import apply_queries

    apply_queries(ctx.obj.store(), ctx.obj.workspace(), name or [], sys.stdout)


@app.command(
    help=_(
        "Run a query over JSON lines (FILE, or - for standard input) with an 'id', a 'text' and "
        "the fields to filter on; print the id of each line that matches."
    )
)
def match(
    file: LinesFile,
    query: Annotated[
        str | None, typer.Option("--query", "-q", help=_("The query."), show_default=False)
    ] = None,
    query_file: QueryFile = None,
) -> None:
    from rumeur.commands.classifying import open_input
    from rumeur.commands.querying import match_lines, read_query

    parsed = read_query(query, query_file)
    with open_input(file) as source:
        match_lines(parsed, source, sys.stdout, sys.stderr)


config_app = typer.Typer(
    help=_(
        "A workspace's settings as a TOML file: export those in effect, import a file as the "
        "next version (the app's history keeps each one)."
    ),
    no_args_is_help=True,
)
app.add_typer(config_app, name="config")


@config_app.command(
    "export",
    help=_(
        "Write the workspace's settings in effect (the newest version edited in the app, else "
        "the settings file's) as a settings file rumeur reads back."
    ),
)
@scope()
def config_export(
    ctx: typer.Context,
    out: Annotated[
        Path | None,
        typer.Option("--out", help=_("File to write (default: stdout)."), dir_okay=False),
    ] = None,
) -> None:
    from rumeur.commands.configuring import export_workspace

    cli: Cli = ctx.obj
    export_workspace(cli.existing_store(), cli.workspace(), out)


@config_app.command(
    "import",
    help=_(
        "Read a settings file, check it, show how its workspace differs from the one in effect "
        "and, once accepted, store it as the workspace's next version."
    ),
)
@scope()
def config_import(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help=_("Settings file (TOML)."), dir_okay=False)],
    yes: Annotated[
        bool, typer.Option("--yes", help=_("Store without asking (for scripts)."))
    ] = False,
    by: Annotated[
        str | None, typer.Option(help=_("Who makes the change (default: the system user)."))
    ] = None,
) -> None:
    from rumeur.commands.configuring import import_workspace, read_workspace

    cli: Cli = ctx.obj
    file_ws = cli.file_settings().workspace(cli.slug)
    new = read_workspace(file, file_ws.slug)  # a bad file is refused before the database
    import_workspace(cli.store, _in_effect(cli), file_ws, new, yes, by, sys.stdout)


def _in_effect(cli: Cli) -> Workspace | None:
    """The workspace in effect, or None when its stored version is one this rumeur refuses
    (the import then replaces it, as a first version)."""
    from rumeur.store.workspace_settings import UnreadableVersion

    try:
        return cli.workspace()
    except UnreadableVersion as exc:
        typer.echo(_("warning: {warning}").format(warning=exc), err=True)
        return None


users_app = typer.Typer(
    help=_("Web app accounts: add one, list them, make an API token."), no_args_is_help=True
)
app.add_typer(users_app, name="users")


@users_app.command(
    "add",
    help=_(
        "Create an account. The password is asked twice with hidden input, or read from "
        "standard input with --password-stdin."
    ),
)
@scope()
def users_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help=_("User name (any case; unique whatever the case)."))],
    role: Annotated[
        str,
        typer.Option(
            help=_("admin, analyst, community_manager, care or department (read-only)."),
            show_default=False,
        ),
    ],
    department: Annotated[
        str | None, typer.Option(help=_("Department slug, for the department role only."))
    ] = None,
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin", help=_("Read the password from the first line of standard input.")
        ),
    ] = False,
) -> None:
    from rumeur.web.accounts import add_user

    ws = ctx.obj.workspace()
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt(
            _("Password"), hide_input=True, confirmation_prompt=_("Repeat the password")
        )
    user = add_user(ctx.obj.store(), name, role, password, department, ws)
    typer.echo(_("user {name} added ({role})").format(name=user.name, role=user.role))


@users_app.command("list", help=_("List the accounts: name, role, department, creation date."))
@scope("db", "config")
def users_list(ctx: typer.Context) -> None:
    from rumeur.web.accounts import list_users, print_users

    print_users(list_users(ctx.obj.store()))


@users_app.command(
    "token",
    help=_(
        "Make a new REST API token for an account and print it once (the old one stops working)."
    ),
)
@scope("db", "config")
def users_token(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help=_("User name."))]
) -> None:
    from rumeur.web.accounts import find_user
    from rumeur.web.tokens import issue

    store = ctx.obj.store()
    typer.echo(issue(store, find_user(store, name).id))


@app.command(
    help=_(
        "Replay a data set as a live stream, in its own time order, with the alert detectors "
        "on the replayed clock."
    )
)
@scope()
def replay(
    ctx: typer.Context,
    file: DataFile,
    preset: Preset = None,
    mapping: MappingFile = None,
    speed: Annotated[
        str,
        typer.Option(
            help=_("How many times faster than it happened (3600: an hour a second), or max.")
        ),
    ] = "max",
    enrich: Enrich = True,
    queue: Queue = False,
) -> None:
    from rumeur.commands.importing import file_source
    from rumeur.commands.replaying import parse_speed, replay_file

    cli: Cli = ctx.obj
    ws = cli.workspace()
    factor = parse_speed(speed)
    source = file_source(ws, file, preset, mapping)
    replay_file(cli.store(), cli.settings(), ws, source, enrich, factor, queue)


@app.command(
    help=_(
        "Run a Celery worker: it takes the tasks of its queues (collect, enrich, send, alerts) "
        "from the broker ([workers] broker or RUMEUR_BROKER) until SIGTERM."
    )
)
@scope("db", "config")
def worker(
    ctx: typer.Context,
    queues: Annotated[
        str, typer.Option(help=_("The queues it serves, separated by commas."))
    ] = "collect,enrich,send,alerts",
    concurrency: Annotated[
        int,
        typer.Option(
            min=1, max=256, help=_("Tasks run at once (processes); 1: one process alone.")
        ),
    ] = 1,
) -> None:
    from rumeur.commands.working import parse_queues, run_worker
    from rumeur.config import resolve_db

    cli: Cli = ctx.obj
    names = parse_queues(queues)
    settings = cli.settings()
    run_worker(settings, resolve_db(cli.db, cli.file_settings()), names, concurrency)


@app.command(
    help=_(
        "Schedule the workers' tasks (the sources' polls, the detectors, the sender) from the "
        "settings; of several beats, one leads and the others wait."
    )
)
@scope("db", "config")
def beat(ctx: typer.Context) -> None:
    from rumeur.commands.working import run_beat

    run_beat(ctx.obj.settings())


alerts_app = typer.Typer(
    help=_("Alerts of a workspace: list them, acknowledge one, mute one."), no_args_is_help=True
)
app.add_typer(alerts_app, name="alerts")
AlertId = Annotated[int, typer.Argument(help=_("Alert id (rumeur alerts list)."))]


@alerts_app.command("list", help=_("List the open, acknowledged and muted alerts, newest first."))
@scope()
def alerts_list(
    ctx: typer.Context,
    as_json: AsJson = False,
    everything: Annotated[bool, typer.Option("--all", help=_("Closed alerts too."))] = False,
) -> None:
    from rumeur.commands.alerting import print_alerts

    print_alerts(ctx.obj.store(), ctx.obj.workspace(), as_json, everything)


@alerts_app.command("ack", help=_("Acknowledge an alert: someone is on it."))
@scope()
def alerts_ack(
    ctx: typer.Context,
    alert_id: AlertId,
    by: Annotated[str, typer.Option(help=_("Who acknowledges it."))] = "cli",
) -> None:
    from rumeur.commands.alerting import ack_alert

    ack_alert(ctx.obj.store(), ctx.obj.workspace(), alert_id, by)


@alerts_app.command("mute", help=_("Mute an alert for a while (30m, 2h, 1d)."))
@scope()
def alerts_mute(
    ctx: typer.Context,
    alert_id: AlertId,
    for_: Annotated[str, typer.Option("--for", help=_("How long: 30m, 2h, 1d."))] = "2h",
    by: Annotated[str | None, typer.Option(help=_("Who mutes it."))] = None,
) -> None:
    from rumeur.commands.alerting import mute_alert

    mute_alert(ctx.obj.store(), ctx.obj.workspace(), alert_id, for_, by)


@alerts_app.command(
    "notify",
    help=_(
        "Send the workspace's due notifications (new and grown alerts, escalations, retries), "
        "once or every --every until Ctrl-C."
    ),
)
@scope()
def alerts_notify(
    ctx: typer.Context,
    once: Annotated[bool, typer.Option("--once", help=_("One sweep, then stop."))] = False,
    every: Annotated[str, typer.Option(help=_("Time between two sweeps: 30s, 5m, 1h."))] = "30s",
) -> None:
    from rumeur.commands.alerting import notify, parse_duration

    parse_duration(every, "--every")  # a bad --every is an error before anything is sent
    try:
        report = notify(ctx.obj.store(), ctx.obj.workspace(), once, every)
    except KeyboardInterrupt:
        sys.exit(130)  # Ctrl-C: what was sent is recorded; pending rows wait for the next sweep
    if report.failed:
        sys.exit(1)


inbox_app = typer.Typer(
    help=_("The shared inbox: list conversations, show one, assign, reply, resolve."),
    no_args_is_help=True,
)
app.add_typer(inbox_app, name="inbox")
ConversationId = Annotated[int, typer.Argument(help=_("Conversation id (rumeur inbox list)."))]


@inbox_app.command(
    "list", help=_("List the conversations, the latest activity first, with their counts.")
)
@scope(before="as_json")
def inbox_list(
    ctx: typer.Context,
    department: Annotated[
        str | None, typer.Option(help=_("Only this department (a slug)."))
    ] = None,
    status: Annotated[
        str | None,
        typer.Option(help=_("Only this status: new, assigned, waiting, resolved, reopened.")),
    ] = None,
    overdue: Annotated[
        bool, typer.Option("--overdue", help=_("Only those whose target has passed."))
    ] = False,
    as_json: AsJson = False,
) -> None:
    from rumeur.commands.inboxing import print_list

    print_list(ctx.obj.store(), ctx.obj.workspace(), department, status, as_json, overdue)


@inbox_app.command("show", help=_("Show a conversation: its messages, notes and queued replies."))
@scope(before="as_json")
def inbox_show(
    ctx: typer.Context, conversation_id: ConversationId, as_json: AsOneJson = False
) -> None:
    from rumeur.commands.inboxing import print_conversation

    print_conversation(ctx.obj.store(), ctx.obj.workspace(), conversation_id, as_json)


@inbox_app.command(
    "assign",
    help=_(
        "Give a conversation to a user, or to a member of its department (--policy "
        "round-robin or least-busy)."
    ),
)
@scope()
def inbox_assign(
    ctx: typer.Context,
    conversation_id: ConversationId,
    user: Annotated[str | None, typer.Argument(help=_("The user's name."))] = None,
    policy: Annotated[
        str | None, typer.Option(help=_("round-robin or least-busy, instead of a user."))
    ] = None,
) -> None:
    from rumeur.commands.inboxing import assign_conversation

    assign_conversation(ctx.obj.store(), ctx.obj.workspace(), conversation_id, user, policy)


@inbox_app.command(
    "reply",
    help=_(
        "Queue a reply to a conversation and print its outbox id (rumeur send sends it). Only "
        "the assignee or an admin may reply."
    ),
)
@scope()
def inbox_reply(
    ctx: typer.Context,
    conversation_id: ConversationId,
    text: Annotated[str, typer.Option(help=_("The reply."))],
    as_user: Annotated[
        str | None, typer.Option("--as", help=_("The rumeur user who replies."))
    ] = None,
) -> None:
    from rumeur.commands.inboxing import reply

    reply(ctx.obj.store(), ctx.obj.workspace(), conversation_id, text, as_user)


@inbox_app.command("note", help=_("Add an internal note to a conversation (never sent)."))
@scope()
def inbox_note(
    ctx: typer.Context,
    conversation_id: ConversationId,
    text: Annotated[str, typer.Option(help=_("The note."))],
    as_user: Annotated[
        str | None, typer.Option("--as", help=_("The rumeur user who writes it."))
    ] = None,
) -> None:
    from rumeur.commands.inboxing import note

    note(ctx.obj.store(), ctx.obj.workspace(), conversation_id, text, as_user)


OutboxId = Annotated[int, typer.Argument(help=_("The reply's outbox id (rumeur inbox show)."))]


@inbox_app.command(
    "approve",
    help=_(
        "Approve a reply that waits for approval: it is queued and rumeur send sends it. Only "
        "a senior of the conversation's department or an admin may, never its author."
    ),
)
@scope()
def inbox_approve(
    ctx: typer.Context,
    outbox_id: OutboxId,
    as_user: Annotated[
        str | None, typer.Option("--as", help=_("The rumeur user who approves."))
    ] = None,
) -> None:
    from rumeur.commands.approving import approve

    approve(ctx.obj.store(), ctx.obj.workspace(), outbox_id, as_user)


@inbox_app.command(
    "reject",
    help=_(
        "Send a reply that waits for approval back to its author, with the reason: it is "
        "never sent."
    ),
)
@scope()
def inbox_reject(
    ctx: typer.Context,
    outbox_id: OutboxId,
    reason: Annotated[str, typer.Option(help=_("Why the reply goes back."))],
    as_user: Annotated[
        str | None, typer.Option("--as", help=_("The rumeur user who sends it back."))
    ] = None,
) -> None:
    from rumeur.commands.approving import reject

    reject(ctx.obj.store(), ctx.obj.workspace(), outbox_id, reason, as_user)


@inbox_app.command("resolve", help=_("Mark a conversation resolved."))
@scope()
def inbox_resolve(ctx: typer.Context, conversation_id: ConversationId) -> None:
    from rumeur.commands.inboxing import resolve

    resolve(ctx.obj.store(), ctx.obj.workspace(), conversation_id)


@app.command(
    help=_(
        "Send the outbox's replies and the scheduled posts, each once: what is due, then "
        "stop (--once), or until SIGTERM or Ctrl-C (--follow). A post more than its "
        "account's late_after past its time is flagged late, not sent. Exits non-zero when "
        "a reply or a post failed or an account's token was refused."
    )
)
@scope()
def send(
    ctx: typer.Context,
    once: Annotated[
        bool, typer.Option("--once", help=_("Send what is due, then stop (the default)."))
    ] = False,
    follow: Annotated[
        bool, typer.Option("--follow", help=_("Keep sending until SIGTERM or Ctrl-C."))
    ] = False,
    every: Annotated[
        str, typer.Option(help=_("Time between two passes with --follow: 5s, 1m."))
    ] = "5s",
) -> None:
    from rumeur.commands.sending import send as send_replies

    if once and follow:
        raise ConfigError(_("--once and --follow: choose one"))
    cli: Cli = ctx.obj
    report = send_replies(cli.store(), cli.settings(), cli.slug, follow, every)
    if report.failed or report.held:
        sys.exit(1)


class _FileOrCommand(TyperGroup):
    """`rumeur publish FILE` and `rumeur publish list|approve|schedule`: a first argument that
    names no subcommand is a file, scheduled by `schedule` (docs/publish.md). A file literally
    named `list`, `approve` or `schedule` is given as `./list`."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and not args[0].startswith("-") and args[0] not in self.commands:
            args = ["schedule", *args]
        return super().parse_args(ctx, args)


publish_app = typer.Typer(
    cls=_FileOrCommand,
    help=_(
        "Publishing: rumeur publish FILE schedules the messages of a JSON file on the owned "
        "accounts; list shows the items; approve, reject, edit or move one; lock a master text."
    ),
    no_args_is_help=True,
)
app.add_typer(publish_app, name="publish")
PublishAs = Annotated[
    str | None, typer.Option("--as", help=_("The rumeur user who acts (default: as an admin)."))
]


@publish_app.command(
    "schedule",
    help=_(
        "Schedule the messages of a JSON file (one object or a list), one item per account: "
        "prints each item, and refuses, one line each, the accounts whose variant breaks a "
        "rule. Also rumeur publish FILE. Exits non-zero when one was refused."
    ),
)
@scope()
def publish_schedule(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help=_("JSON file of messages."), exists=True, dir_okay=False)
    ],
    as_user: PublishAs = None,
) -> None:
    from rumeur.commands.publishing import publish_file

    if publish_file(ctx.obj.store(), ctx.obj.workspace(), file, as_user):
        sys.exit(1)


@publish_app.command("list", help=_("List the items, soonest first."))
@scope(before="as_json")
def publish_list(ctx: typer.Context, as_json: AsJson = False) -> None:
    from rumeur.commands.publishing import print_items

    print_items(ctx.obj.store(), ctx.obj.workspace(), as_json)


ItemId = Annotated[int, typer.Argument(help=_("The item's id (rumeur publish list)."))]


@publish_app.command(
    "approve",
    help=_(
        "Approve the current step of an item that waits for approval, and say what remains; "
        "after the last step it is scheduled. Does nothing to an item that needs no approval."
    ),
)
@scope()
def publish_approve(
    ctx: typer.Context,
    item_id: ItemId,
    as_user: PublishAs = None,
) -> None:
    from rumeur.commands.publishing import approve

    approve(ctx.obj.store(), ctx.obj.workspace(), item_id, as_user)


@publish_app.command(
    "reject", help=_("Reject an item that waits for approval: it goes back to draft, with why.")
)
@scope()
def publish_reject(
    ctx: typer.Context,
    item_id: ItemId,
    reason: Annotated[str, typer.Option("--reason", help=_("Why it is rejected (one line)."))],
    as_user: PublishAs = None,
) -> None:
    from rumeur.commands.publishing import reject

    reject(ctx.obj.store(), ctx.obj.workspace(), item_id, as_user, reason)


@publish_app.command(
    "edit",
    help=_(
        "Edit an account's variant: its text (--text, with its {variables}) or its variables' "
        "values (--set NAME=VALUE, repeatable), checked again; it goes back to the first "
        "approval step. A locked master text lets only the values change."
    ),
)
@scope()
def publish_edit(
    ctx: typer.Context,
    item_id: ItemId,
    text: Annotated[str | None, typer.Option("--text", help=_("The variant's new text."))] = None,
    values: Annotated[
        list[str] | None, typer.Option("--set", help=_("A variable's value: NAME=VALUE."))
    ] = None,
    as_user: PublishAs = None,
) -> None:
    from rumeur.commands.publishing import edit

    edit(ctx.obj.store(), ctx.obj.workspace(), item_id, as_user, text, values or [])


@publish_app.command(
    "lock",
    help=_(
        "Lock the master text of an item's message (the centre's: its author or an admin): "
        "local edits may then change only the variables' values. --unlock undoes it."
    ),
)
@scope()
def publish_lock(
    ctx: typer.Context,
    item_id: ItemId,
    unlock: Annotated[bool, typer.Option("--unlock", help=_("Unlock it."))] = False,
    as_user: PublishAs = None,
) -> None:
    from rumeur.commands.publishing import lock

    lock(ctx.obj.store(), ctx.obj.workspace(), item_id, as_user, not unlock)


@publish_app.command(
    "move",
    help=_(
        "Move an item to another time, as a drop on the calendar does: an approved item stays "
        "approved; prints it and the quota windows its new time goes over."
    ),
)
@scope()
def publish_move(
    ctx: typer.Context,
    item_id: ItemId,
    at: Annotated[
        str,
        typer.Option(
            "--at", help=_("The new time, ISO 8601; without an offset, in the workspace's zone.")
        ),
    ],
    as_user: PublishAs = None,
) -> None:
    from rumeur.commands.publishing import move

    move(ctx.obj.store(), ctx.obj.workspace(), item_id, at, as_user)


@publish_app.command(
    "answers",
    help=_(
        "The answers to a published item, gathered from the replies the inbox holds and "
        "counted: votes for a poll's or a battle's answers, an open question's answers grouped."
    ),
)
@scope()
def publish_answers(ctx: typer.Context, item_id: ItemId, as_json: AsJson = False) -> None:
    from rumeur.commands.publishing import print_answers

    print_answers(ctx.obj.store(), ctx.obj.workspace(), item_id, as_json)


people_app = typer.Typer(
    help=_(
        "The relationship file: the influencers, ambassadors, employees and loyal customers "
        "the team works with."
    ),
    no_args_is_help=True,
)
app.add_typer(people_app, name="people")
Person = Annotated[
    str, typer.Argument(help=_("The person: their id, platform:handle, or a handle."))
]
PersonStatus = Annotated[
    str | None,
    typer.Option(help=_("spotted, contacted, partner, ambassador or paused.")),
]
Owner = Annotated[str | None, typer.Option(help=_("The rumeur user who looks after them."))]
ActingUser = Annotated[
    str | None, typer.Option("--as", help=_("The rumeur user who signs the change."))
]


@people_app.command(
    "add", help=_("Add an author of the listening (platform:handle), or someone by --name.")
)
@scope()
def people_add(
    ctx: typer.Context,
    author: Annotated[
        str | None, typer.Argument(help=_("platform:handle, or a handle of the listening."))
    ] = None,
    status: Annotated[
        str, typer.Option(help=_("spotted, contacted, partner, ambassador or paused."))
    ] = "spotted",
    owner: Owner = None,
    kind: Annotated[
        str, typer.Option(help=_("influencer, ambassador, employee or customer."))
    ] = "influencer",
    name: Annotated[
        str | None, typer.Option(help=_("A name, for someone without an account."))
    ] = None,
    as_user: ActingUser = None,
) -> None:
    from rumeur.commands.peopling import add

    add(ctx.obj.store(), ctx.obj.workspace(), author, name, kind, status, owner, as_user)


@people_app.command(
    "list", help=_("List the file, by status; --due: the partners to contact again.")
)
@scope(before="as_json")
def people_list(
    ctx: typer.Context,
    status: PersonStatus = None,
    due: Annotated[
        bool, typer.Option("--due", help=_("Only the partners and ambassadors to contact again."))
    ] = False,
    days: Annotated[
        int | None,
        typer.Option(
            min=1, help=_("Days without contact before a reminder (default: the settings', 30).")
        ),
    ] = None,
    as_json: AsJson = False,
) -> None:
    from rumeur.commands.peopling import print_list

    print_list(ctx.obj.store(), ctx.obj.workspace(), status, due, days, as_json)


@people_app.command("show", help=_("Show a person's record and the history of every interaction."))
@scope(before="as_json")
def people_show(ctx: typer.Context, person: Person, as_json: AsOneJson = False) -> None:
    from rumeur.commands.peopling import show

    show(ctx.obj.store(), ctx.obj.workspace(), person, as_json)


@people_app.command(
    "set", help=_("Change a person's status, owner, kind, contact fields or consent.")
)
@scope()
def people_set(
    ctx: typer.Context,
    person: Person,
    status: PersonStatus = None,
    owner: Owner = None,
    kind: Annotated[
        str | None, typer.Option(help=_("influencer, ambassador, employee or customer."))
    ] = None,
    email: Annotated[str | None, typer.Option(help=_("Their email ('' clears it)."))] = None,
    phone: Annotated[str | None, typer.Option(help=_("Their phone ('' clears it)."))] = None,
    consent: Annotated[
        bool | None,
        typer.Option("--consent/--no-consent", help=_("They gave, or withdrew, their consent.")),
    ] = None,
    how: Annotated[
        str | None, typer.Option(help=_("How the consent was given (a form, an email...)."))
    ] = None,
    as_user: ActingUser = None,
) -> None:
    from rumeur.commands.peopling import change

    change(
        ctx.obj.store(), ctx.obj.workspace(), person, as_user, status=status, owner=owner,
        kind=kind, email=email, phone=phone, consent=consent, how=how,
    )  # fmt: skip


@people_app.command("note", help=_("Add a timestamped note to a person's history."))
@scope()
def people_note(
    ctx: typer.Context,
    person: Person,
    text: Annotated[str, typer.Argument(help=_("The note."))],
    contact: Annotated[
        bool, typer.Option("--contact", help=_("The note records a contact (a call, a message)."))
    ] = False,
    as_user: ActingUser = None,
) -> None:
    from rumeur.commands.peopling import note

    note(ctx.obj.store(), ctx.obj.workspace(), person, text, contact, as_user)


@people_app.command(
    "export", help=_("Print everything the file holds about a person, as JSON (GDPR access).")
)
@scope()
def people_export(ctx: typer.Context, person: Person) -> None:
    from rumeur.commands.peopling import export

    export(ctx.obj.store(), ctx.obj.workspace(), person)


@people_app.command(
    "erase",
    help=_(
        "Erase a person's record, notes and contact fields (GDPR); their public posts stay in "
        "the listening."
    ),
)
@scope()
def people_erase(
    ctx: typer.Context,
    person: Person,
    yes: Annotated[bool, typer.Option("--yes", help=_("Do not ask for confirmation."))] = False,
    as_user: ActingUser = None,
) -> None:
    from rumeur.commands.peopling import erase

    erase(ctx.obj.store(), ctx.obj.workspace(), person, yes, as_user)


influencers_app = typer.Typer(
    help=_(
        "The workspace's influencers: authors ranked by engagement within their tier, "
        "relevance, sentiment towards the brand, locality and growth, each score explained."
    ),
    no_args_is_help=True,
)
app.add_typer(influencers_app, name="influencers")
Place = Annotated[
    str | None,
    typer.Option("--place", help=_("A place (Bordeaux, 75011, Lille 🇫🇷): scores locality.")),
]


@influencers_app.command(
    "list", help=_("List the authors with enough posts in the window, best score first.")
)
@scope()
def influencers_list(
    ctx: typer.Context,
    place: Place = None,
    tier: Annotated[
        str | None, typer.Option("--tier", help=_("nano, micro, mid, macro or mega."))
    ] = None,
    platform: Annotated[
        str | None, typer.Option("--platform", help=_("x, bluesky, mastodon, reddit..."))
    ] = None,
    language: Annotated[
        str | None, typer.Option("--language", help=_("Authors who post in this language."))
    ] = None,
    brand: Annotated[
        str | None, typer.Option("--brand", help=_("Rank on the posts about this brand."))
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help=_("How many authors."))] = 20,
    as_json: AsJson = False,
) -> None:
    from rumeur.commands.influencing import list_influencers

    list_influencers(
        ctx.obj.store(), ctx.obj.workspace(), place=place, tier=tier, platform=platform,
        language=language, brand=brand, limit=limit, as_json=as_json,
    )  # fmt: skip


@influencers_app.command("show", help=_("One author's score, explained part by part."))
@scope()
def influencers_show(
    ctx: typer.Context,
    author: Annotated[str, typer.Argument(help=_("platform:handle, a handle, or an id."))],
    place: Place = None,
    as_json: Annotated[bool, typer.Option("--json", help=_("As one JSON object."))] = False,
) -> None:
    from rumeur.commands.influencing import show_influencer

    show_influencer(ctx.obj.store(), ctx.obj.workspace(), author, place, as_json)


@influencers_app.command(
    "refresh", help=_("Count every author's statistics again from the stored posts.")
)
@scope()
def influencers_refresh(ctx: typer.Context) -> None:
    from rumeur.commands.influencing import refresh

    refresh(ctx.obj.store())


campaigns_app = typer.Typer(
    help=_("Campaigns: a period, a query and a set of people, reported against the period before."),
    no_args_is_help=True,
)
app.add_typer(campaigns_app, name="campaigns")


@campaigns_app.command("add", help=_("Create a campaign: its name, period, query and people."))
@scope()
def campaigns_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help=_("The campaign's name."))],
    start: Annotated[str, typer.Option("--from", help=_("First day (YYYY-MM-DD or ISO 8601)."))],
    end: Annotated[
        str, typer.Option("--to", help=_("Last day, included (YYYY-MM-DD or ISO 8601)."))
    ],
    query: Annotated[
        str,
        typer.Option("--query", help=_("Its posts, in the query language: #tag, a link, words.")),
    ],
    people: Annotated[
        str | None,
        typer.Option(
            "--people", help=_("The people taking part: platform:handle, comma-separated.")
        ),
    ] = None,
    as_user: ActingUser = None,
) -> None:
    from rumeur.commands.campaigning import add

    add(ctx.obj.store(), ctx.obj.workspace(), name, start, end, query, people, as_user)


@campaigns_app.command("list", help=_("List the workspace's campaigns, the latest first."))
@scope(before="as_json")
def campaigns_list(ctx: typer.Context, as_json: AsJson = False) -> None:
    from rumeur.commands.campaigning import print_list

    print_list(ctx.obj.store(), ctx.obj.workspace(), as_json)


@campaigns_app.command(
    "report",
    help=_(
        "A campaign's posts, reach, interactions, sentiment and each person's contribution, "
        "national and local side by side, against the same length of time before."
    ),
)
@scope(before="as_json")
def campaigns_report(
    ctx: typer.Context,
    campaign: Annotated[str, typer.Argument(help=_("The campaign: its name or id."))],
    as_json: AsOneJson = False,
    as_csv: Annotated[bool, typer.Option("--csv", help=_("The report as CSV."))] = False,
) -> None:
    from rumeur.commands.campaigning import print_report

    print_report(ctx.obj.store(), ctx.obj.workspace(), campaign, as_json, as_csv)


def main(argv: list[str] | None = None) -> Any:
    """The console script. Click itself ends quietly on Ctrl-C and on a closed pipe (`| head`).
    The root context closes what the command opened (`Cli.close`), failed or not."""
    logs.configure()
    try:
        return app(args=argv, prog_name="rumeur")
    except RumeurError as exc:
        typer.echo(f"rumeur: {_('error')}: {logs.redact_text(str(exc))}", err=True)
        sys.exit(1)
