"""Reddit's `api_type=json` answers (sources/reddit/reply.json_answer), read the same for a
comment and a submission: errors refused with Reddit's code and words, RATELIMIT left to wait."""

from __future__ import annotations

import pytest

from rumeur.net.errors import SourceError
from rumeur.sources.reddit.reply import json_answer


def test_an_answer_without_errors_is_its_json_object() -> None:
    body = {"json": {"errors": [], "data": {"name": "t3_abc"}}}
    assert json_answer(body, "/api/submit/", "reddit:r") == body["json"]
    assert json_answer(None, "/api/submit/", "reddit:r") == {}


@pytest.mark.parametrize(
    ("error", "permanent"),
    [(["SUBREDDIT_NOEXIST", "that subreddit doesn't exist", "sr"], True),
     (["RATELIMIT", "you are doing that too much", "ratelimit"], False)],
)  # fmt: skip
def test_an_error_is_refused_with_its_code_and_words(error: list[str], permanent: bool) -> None:
    with pytest.raises(SourceError) as caught:
        json_answer({"json": {"errors": [error]}}, "/api/comment", "reddit:r")
    assert f"/api/comment refused it ({error[0]}): {error[1]}" in str(caught.value)
    assert caught.value.permanent is permanent
