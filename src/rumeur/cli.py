"""The command line: each command parses, calls the library, prints. Heavy modules (models,
the store) are imported inside the commands so that `rumeur --help` answers at once.

The help texts go through `_()` when this module is imported, so `--help` is in the language of
the environment at start-up (RUMEUR_LANG, else LC_ALL, LC_MESSAGES, LANG)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from rumeur import logs
from rumeur.errors import RumeurError
from rumeur.i18n import _

if TYPE_CHECKING:
    from rumeur.config import Settings, Workspace
    from rumeur.store import Store

app = typer.Typer(
    name="rumeur",
    help=_("Self-hosted social-media listening and community management."),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    add_completion=False,
)

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


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help=_("Show the version.")),
    ] = False,
) -> None:
    """The options before the command; the app's help is the one given to `typer.Typer` above."""


def _open(
    db: str | None, config: Path | None, workspace: str | None
) -> tuple[Settings, Workspace, Store]:
    settings, ws = _workspace(config, workspace)
    return settings, ws, _store(db, settings)


def _workspace(config: Path | None, workspace: str | None) -> tuple[Settings, Workspace]:
    from rumeur.config import load_settings

    settings = load_settings(config)
    return settings, settings.workspace(workspace)


# Stores the command opened, closed by `main` when it ends, so that a caller in the same process
# (a test, a script) gets its database connections back.
_opened: list[Store] = []


def _store(db: str | None, settings: Settings) -> Store:
    from rumeur.config import resolve_db
    from rumeur.store import Store

    store = Store.open(resolve_db(db, settings))
    _opened.append(store)
    return store


@app.command(
    "import", help=_("Import posts from a file, resuming where a previous import of it stopped.")
)
def import_(
    file: Annotated[
        Path, typer.Argument(help=_("CSV or JSON-lines file."), exists=True, dir_okay=False)
    ],
    preset: Annotated[
        str | None, typer.Option(help=_("Column mapping: airline or listening-export."))
    ] = None,
    mapping: Annotated[
        Path | None, typer.Option(help=_("Column mapping file (TOML)."), dir_okay=False)
    ] = None,
    enrich: Enrich = True,
    restart: Annotated[bool, typer.Option(help=_("Read the file from its start again."))] = False,
    batch_size: Annotated[int, typer.Option(min=1, max=100_000)] = 1000,
    db: Db = None,
    config: ConfigFile = None,
    workspace: WorkspaceSlug = None,
) -> None:
    from rumeur.commands.importing import file_source, import_file

    settings, ws = _workspace(config, workspace)
    source = file_source(ws, file, preset, mapping)  # a bad mapping fails before the database
    import_file(_store(db, settings), settings, ws, source, enrich, restart, batch_size)


@app.command(help=_("Import the airline data set into the demo workspace and print its summary."))
def demo(
    data: Annotated[
        Path | None,
        typer.Option(
            envvar="RUMEUR_DATA", help=_("Folder of the public data sets."), file_okay=False
        ),
    ] = None,
    db: Db = None,
    config: ConfigFile = None,
    serve: Annotated[
        bool, typer.Option("--serve", help=_("Then serve the web app with a demo account."))
    ] = False,
    host: Host = "127.0.0.1",
    port: Port = 8000,
) -> None:
    from rumeur.commands.importing import file_source, find_demo_file, import_file
    from rumeur.commands.reporting import print_summary

    settings, ws, store = _open(db, config, None)
    source = find_demo_file(data)
    typer.echo(_("Importing {file} into {db}").format(file=source, db=store.where), err=True)
    import_file(store, settings, ws, file_source(ws, source, "airline"), True, False, 1000)
    print_summary(store, ws)
    if serve:
        from rumeur.commands.serving import demo_account
        from rumeur.commands.serving import serve as serve_app

        serve_app(settings, store, host, port, demo_account(store))


@app.command(help=_("Serve the web app and its REST API."))
def serve(
    host: Host = "127.0.0.1",
    port: Port = 8000,
    db: Db = None,
    config: ConfigFile = None,
) -> None:
    from rumeur.commands.serving import serve as serve_app
    from rumeur.config import load_settings

    settings = load_settings(config)
    serve_app(settings, _store(db, settings), host, port)


@app.command(
    help=_("Volume, share of voice, sentiment, days, languages, top authors, rejected rows.")
)
def summary(
    db: Db = None,
    config: ConfigFile = None,
    workspace: WorkspaceSlug = None,
    as_json: AsOneJson = False,
) -> None:
    from rumeur.commands.reporting import print_summary

    _settings, ws, store = _open(db, config, workspace)
    print_summary(store, ws, as_json=as_json)


@app.command(help=_("Search the stored posts of a workspace with a boolean query, newest first."))
def search(
    text: Annotated[
        str, typer.Argument(help=_("A boolean query, e.g. '\"la poste\" AND retard*'."))
    ],
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 20,
    since: Since = None,
    until: Until = None,
    db: Db = None,
    config: ConfigFile = None,
    workspace: WorkspaceSlug = None,
    as_json: AsJson = False,
) -> None:
    from rumeur.commands.reporting import print_search
    from rumeur.query.parser import parse

    query = parse(text)  # a malformed query is refused before the store is opened
    for warning in query.warnings:
        typer.echo(_("warning: {warning}").format(warning=warning), err=True)
    _settings, ws, store = _open(db, config, workspace)
    print_search(store, ws, query, limit, since, until, as_json)


@app.command(help=_("Write the stored posts of a workspace with their enrichments, oldest first."))
def export(
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
    db: Db = None,
    config: ConfigFile = None,
    workspace: WorkspaceSlug = None,
) -> None:
    from rumeur.commands.exporting import export_posts
    from rumeur.query.parser import parse

    parsed = None if query is None else parse(query)
    _settings, ws, store = _open(db, config, workspace)
    export_posts(store, ws, format, output, since, until, parsed)


@app.command(
    help=_("List the rows that could not be imported, one line each: file, line, field, reason.")
)
def rejected(
    db: Db = None,
    config: ConfigFile = None,
    workspace: WorkspaceSlug = None,
    as_json: AsJson = False,
) -> None:
    from rumeur.commands.reporting import print_rejected

    _settings, ws, store = _open(db, config, workspace)
    print_rejected(store, ws, as_json)


@app.command(
    help=_(
        "Label texts read as JSON lines with a 'text' field (FILE, or - for standard input): "
        "one JSON line per input, in order."
    )
)
def classify(
    file: LinesFile,
    task: Annotated[
        str, typer.Option(help=_("language, sentiment, emotion or reason."))
    ] = "sentiment",
    explain: Annotated[
        bool, typer.Option("--explain", help=_("Add the features that weighed most."))
    ] = False,
    top: Annotated[int, typer.Option(min=1, max=50, help=_("Features per explanation."))] = 8,
    config: ConfigFile = None,
    workspace: WorkspaceSlug = None,
) -> None:
    from rumeur.commands.classifying import classify_lines, open_input
    from rumeur.nlp.registry import model_for

    settings, ws = _workspace(config, workspace)
    model = model_for(task, settings, ws)
    # The other models read the language first, as in the pipeline.
    language = None if task == "language" else model_for("language", settings, ws)
    with open_input(file) as source:
        classify_lines(model, source, sys.stdout, explain, top, language)


@app.command(
    help=_("Run the current models again over the stored posts of a workspace (resumable).")
)
def reenrich(
    task: Annotated[
        list[str] | None,
        typer.Option(help=_("Only this task (language, sentiment, emotion, reason); repeatable.")),
    ] = None,
    batch_size: Annotated[int, typer.Option(min=1, max=100_000)] = 1000,
    db: Db = None,
    config: ConfigFile = None,
    workspace: WorkspaceSlug = None,
) -> None:
    from rumeur.commands.importing import reenrich_posts

    settings, ws, store = _open(db, config, workspace)
    reenrich_posts(store, settings, ws, task or None, batch_size)


collect_app = typer.Typer(
    help=_(
        "Collect from the workspace's network sources (Bluesky, Mastodon, Reddit, RSS), each from "
        "where it stopped; or try one source before configuring it."
    ),
    invoke_without_command=True,
)
app.add_typer(collect_app, name="collect")
Once = Annotated[bool, typer.Option("--once", help=_("Stop once caught up (the default)."))]


@collect_app.callback()
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
    db: Db = None,
    config: ConfigFile = None,
    workspace: WorkspaceSlug = None,
) -> None:
    if ctx.invoked_subcommand is not None:
        ctx.obj = (db, config, workspace, enrich)
        return
    from rumeur.commands.collecting import choose
    from rumeur.errors import ConfigError

    if once and follow:
        raise ConfigError(_("--once and --follow: choose one"))
    settings, ws, store = _open(db, config, workspace)
    _collect(store, settings, ws, choose(ws, source or []), follow, enrich)


def _collect(
    store: Store,
    settings: Settings,
    ws: Workspace,
    chosen: list[Any],
    follow: bool,
    enrich: bool = True,
) -> None:
    from rumeur.commands.collecting import collect as run_sources

    outcomes = run_sources(store, settings, ws, chosen, follow, enrich)
    if any(o.error for o in outcomes):
        sys.exit(1)


def _adhoc(ctx: typer.Context, made: Any) -> None:
    db, config, workspace, enrich = ctx.obj or (None, None, None, True)
    settings, ws, store = _open(db, config, workspace)
    _collect(store, settings, ws, [made], follow=False, enrich=enrich)


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
def sources(
    db: Db = None,
    config: ConfigFile = None,
    workspace: WorkspaceSlug = None,
    as_json: AsJson = False,
) -> None:
    from rumeur.commands.collecting import list_sources

    _settings, ws, store = _open(db, config, workspace)
    list_sources(store, ws, as_json)


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
def query_apply(
    name: Annotated[
        list[str] | None, typer.Argument(help=_("Saved query names (default: all)."))
    ] = None,
    db: Db = None,
    config: ConfigFile = None,
    workspace: WorkspaceSlug = None,
) -> None:
    from rumeur.commands.querying import apply_queries

    _settings, ws, store = _open(db, config, workspace)
    apply_queries(store, ws, name or [], sys.stdout)


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
def users_add(
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
    db: Db = None,
    config: ConfigFile = None,
    workspace: WorkspaceSlug = None,
) -> None:
    from rumeur.web.accounts import add_user

    settings, ws = _workspace(config, workspace)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt(
            _("Password"), hide_input=True, confirmation_prompt=_("Repeat the password")
        )
    user = add_user(_store(db, settings), name, role, password, department, ws)
    typer.echo(_("user {name} added ({role})").format(name=user.name, role=user.role))


@users_app.command("list", help=_("List the accounts: name, role, department, creation date."))
def users_list(db: Db = None, config: ConfigFile = None) -> None:
    from rumeur.config import load_settings
    from rumeur.web.accounts import list_users, print_users

    print_users(list_users(_store(db, load_settings(config))))


@users_app.command(
    "token",
    help=_(
        "Make a new REST API token for an account and print it once (the old one stops working)."
    ),
)
def users_token(
    name: Annotated[str, typer.Argument(help=_("User name."))],
    db: Db = None,
    config: ConfigFile = None,
) -> None:
    from rumeur.config import load_settings
    from rumeur.web.accounts import find_user
    from rumeur.web.tokens import issue

    store = _store(db, load_settings(config))
    typer.echo(issue(store, find_user(store, name).id))


@app.command(
    help=_(
        "Replay a data set as a live stream, in its own time order, with the alert detectors "
        "on the replayed clock."
    )
)
def replay(
    file: Annotated[
        Path, typer.Argument(help=_("CSV or JSON-lines file."), exists=True, dir_okay=False)
    ],
    preset: Annotated[
        str | None, typer.Option(help=_("Column mapping: airline or listening-export."))
    ] = None,
    mapping: Annotated[
        Path | None, typer.Option(help=_("Column mapping file (TOML)."), dir_okay=False)
    ] = None,
    speed: Annotated[
        str,
        typer.Option(
            help=_("How many times faster than it happened (3600: an hour a second), or max.")
        ),
    ] = "max",
    enrich: Enrich = True,
    db: Db = None,
    config: ConfigFile = None,
    workspace: WorkspaceSlug = None,
) -> None:
    from rumeur.commands.importing import file_source
    from rumeur.commands.replaying import parse_speed, replay_file

    settings, ws = _workspace(config, workspace)
    factor = parse_speed(speed)
    source = file_source(ws, file, preset, mapping)
    replay_file(_store(db, settings), settings, ws, source, enrich, factor)


alerts_app = typer.Typer(
    help=_("Alerts of a workspace: list them, acknowledge one, mute one."), no_args_is_help=True
)
app.add_typer(alerts_app, name="alerts")
AlertId = Annotated[int, typer.Argument(help=_("Alert id (rumeur alerts list)."))]


@alerts_app.command("list", help=_("List the open, acknowledged and muted alerts, newest first."))
def alerts_list(
    as_json: AsJson = False,
    everything: Annotated[bool, typer.Option("--all", help=_("Closed alerts too."))] = False,
    db: Db = None,
    config: ConfigFile = None,
    workspace: WorkspaceSlug = None,
) -> None:
    from rumeur.commands.alerting import print_alerts

    _settings, ws, store = _open(db, config, workspace)
    print_alerts(store, ws, as_json, everything)


@alerts_app.command("ack", help=_("Acknowledge an alert: someone is on it."))
def alerts_ack(
    alert_id: AlertId,
    by: Annotated[str, typer.Option(help=_("Who acknowledges it."))] = "cli",
    db: Db = None,
    config: ConfigFile = None,
    workspace: WorkspaceSlug = None,
) -> None:
    from rumeur.commands.alerting import ack_alert

    _settings, ws, store = _open(db, config, workspace)
    ack_alert(store, ws, alert_id, by)


@alerts_app.command("mute", help=_("Mute an alert for a while (30m, 2h, 1d)."))
def alerts_mute(
    alert_id: AlertId,
    for_: Annotated[str, typer.Option("--for", help=_("How long: 30m, 2h, 1d."))] = "2h",
    by: Annotated[str | None, typer.Option(help=_("Who mutes it."))] = None,
    db: Db = None,
    config: ConfigFile = None,
    workspace: WorkspaceSlug = None,
) -> None:
    from rumeur.commands.alerting import mute_alert

    _settings, ws, store = _open(db, config, workspace)
    mute_alert(store, ws, alert_id, for_, by)


@alerts_app.command(
    "notify",
    help=_(
        "Send the workspace's due notifications (new and grown alerts, escalations, retries), "
        "once or every --every until Ctrl-C."
    ),
)
def alerts_notify(
    once: Annotated[bool, typer.Option("--once", help=_("One sweep, then stop."))] = False,
    every: Annotated[str, typer.Option(help=_("Time between two sweeps: 30s, 5m, 1h."))] = "30s",
    db: Db = None,
    config: ConfigFile = None,
    workspace: WorkspaceSlug = None,
) -> None:
    from rumeur.commands.alerting import notify, parse_duration

    parse_duration(every, "--every")  # a bad --every is an error before anything is sent
    _settings, ws, store = _open(db, config, workspace)
    try:
        report = notify(store, ws, once, every)
    except KeyboardInterrupt:
        sys.exit(130)  # Ctrl-C: what was sent is recorded; pending rows wait for the next sweep
    if report.failed:
        sys.exit(1)


def main(argv: list[str] | None = None) -> Any:
    """The console script. Click itself ends quietly on Ctrl-C and on a closed pipe (`| head`)."""
    logs.configure()
    try:
        return app(args=argv, prog_name="rumeur")
    except RumeurError as exc:
        typer.echo(f"rumeur: {_('error')}: {logs.redact_text(str(exc))}", err=True)
        sys.exit(1)
    finally:
        while _opened:
            _opened.pop().close()
