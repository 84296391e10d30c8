"""The name a reader sees for a model that gave a label: a shipped model by its card's title
(in the reader's language) and version, never by its internal name and version string."""

from __future__ import annotations

import json
from functools import cache

from rumeur.i18n import _, language
from rumeur.nlp.linear import MODELS

LINGUA = "lingua"
TRANSFORMER = "transformer:"
ADAPTER = "+adapter:"  # a workspace's adapter over a shipped model (nlp/adapt.Adapted)
WORKSPACE_REASONS = "rumeur-reason-workspace"  # nlp/workspace_reasons.py's MODEL (a test checks)


def title(model: str, version: str) -> str:
    """`model` and `version` as stored with an answer, named for a reader.

    The language detector's answers are stored as ``rumeur-language-linear+lingua`` with the
    version ``lingua 2.1.1:1.0.0:de,en,…`` (lingua's version, the linear model's, the
    deployment's languages): the linear model is named by its card, lingua by its version.
    """
    if model == LINGUA:
        return version.split(":")[0]
    if model.endswith("+" + LINGUA):
        lingua, _sep, rest = version.partition(":")
        first = title(model.removesuffix("+" + LINGUA), rest.partition(":")[0])
        return _("{model}, then {lingua} where it is unsure").format(model=first, lingua=lingua)
    if ADAPTER in model:  # nlp/adapt.py: "<shipped>+adapter:<workspace>", "<n>:<shipped's>"
        adapter, _sep, base_version = version.partition(":")
        first = title(model.partition(ADAPTER)[0], base_version)
        return _("{model}, with the workspace adapter v{version}").format(
            model=first, version=adapter
        )
    if model == WORKSPACE_REASONS:
        name = _("The workspace's complaint reasons")
        return _("{title}, version {version}").format(title=name, version=version)
    if model.startswith(TRANSFORMER):
        name = _("Workspace model {folder}").format(folder=model.removeprefix(TRANSFORMER))
        return _("{title}, version {version}").format(title=name, version=version)
    names = _titles().get(model)
    shown = model if names is None else names.get(language()) or names.get("en") or model
    return _("{title}, version {version}").format(title=shown, version=version)


@cache
def _titles() -> dict[str, dict[str, str]]:
    """The shipped models' titles by their stored name: {"rumeur-sentiment-linear": {"en": …}}."""
    found = {}
    for path in sorted(MODELS.glob("*.json")):
        card = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(card.get("title"), dict):
            found[card["name"]] = card["title"]
    return found
