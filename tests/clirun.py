"""Run the `rumeur` console entry point in-process, as a user's shell would."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from rumeur.cli import main


@dataclass
class Ran:
    code: int
    out: str
    err: str


def rumeur(capsys: pytest.CaptureFixture[str], *args: str) -> Ran:
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    captured = capsys.readouterr()
    return Ran(code, captured.out, captured.err)
