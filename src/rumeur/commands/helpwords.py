"""Typer's own words in the command line's help and usage errors ("Options", "[required]",
"Show this message and exit."), in the user's language like the rest of the help.

Typer asks for them through the standard library's `gettext`, which reads compiled catalogues
that rumeur does not ship (its catalogue is read with Babel, without a compile step): `install`
gives Typer rumeur's `_` instead. The help option's text is written in Typer's vendored Click
without `gettext` at all, so it is set on the option once Click has made it.
"""

from __future__ import annotations

from typing import Any

from rumeur.i18n import _


def words() -> dict[str, str]:
    """Typer's messages and their translation now (`_` answers in the language of the call)."""
    return {
        "Arguments": _("Arguments"),
        "Options": _("Options"),
        "Commands": _("Commands"),
        "required": _("required"),
        "default: {default}": _("default: {default}"),
        "env var: {var}": _("env var: {var}"),
        "(dynamic)": _("(dynamic)"),
        "Aborted!": _("Aborted!"),
        "Missing command.": _("Missing command."),
        "No such command {name!r}.": _("No such command {name!r}."),
        "Show this message and exit.": _("Show this message and exit."),
    }


def _typer_gettext(message: str) -> str:
    return words().get(message, message)


def install() -> None:
    """Typer's words through rumeur's catalogue, from now on in this process."""
    import typer.core
    from typer._click import core

    typer.core._ = _typer_gettext  # type: ignore[attr-defined]
    made = core.Command.get_help_option
    if getattr(made, "rumeur", False):
        return

    def get_help_option(self: Any, ctx: Any) -> Any:
        option = made(self, ctx)
        if option is not None:
            option.help = _("Show this message and exit.")
        return option

    get_help_option.rumeur = True  # type: ignore[attr-defined]
    core.Command.get_help_option = get_help_option  # type: ignore[method-assign]
