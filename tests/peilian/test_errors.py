"""The one error hierarchy (peilian/errors.py): each kind maps to one HTTP status (server/api/errors.py) and
to exit status 2 with one line in the CLI; the old exception names keep working under the right base."""

from __future__ import annotations

import pickle

import httpx
import pytest
from fastapi import FastAPI

from customer.cards import CardError
from customer.chat import ChatInputError
from evaluators.outcome import OutcomeError
from evaluators.transcript import TranscriptError
from knowledge.text import QueryError
from peilian.errors import (
    KINDS,
    BadRequest,
    Conflict,
    Family,
    Forbidden,
    Invalid,
    NotFound,
    PeilianError,
    TooMany,
    Unauthorized,
    UsageError,
)
from server.api.errors import STATUS, install_error_handlers, status_of
from server.db.engine import DatabaseConfigError
from server.services.accounts import AccountError, AmbiguousLogin
from server.services.labels import LabelError
from server.services.login import LoginRefused
from server.services.practice import PracticeError
from server.services.review import ReviewError
from server.services.timing import TimingError

EXPECTED = {
    BadRequest: 400,
    Unauthorized: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    Invalid: 422,
    TooMany: 429,
}


def test_each_kind_has_one_status_in_one_place() -> None:
    assert STATUS == EXPECTED and set(KINDS) == set(EXPECTED)
    for kind, status in EXPECTED.items():
        assert status_of(kind("x")) == status


@pytest.mark.parametrize("family", [AccountError, LabelError, LoginRefused, PracticeError, ReviewError])
def test_a_family_kind_is_caught_as_both(family: type[Family]) -> None:
    for kind, status in EXPECTED.items():
        made = family.kind(kind)
        assert made is family.kind(kind)  # made once
        exc = made("消息", code="some_code")
        assert isinstance(exc, family) and isinstance(exc, kind) and isinstance(exc, ValueError)
        assert status_of(exc) == status and exc.code == "some_code" and str(exc) == "消息"
    assert status_of(family("没有种类的错误")) == 422  # a plain domain error is bad input
    with pytest.raises(TypeError):
        family.kind(ValueError)  # type: ignore[arg-type]


def test_the_old_status_form_still_builds_the_right_kind() -> None:
    exc = PracticeError(409, "session_ended", "这次对练已经结束")
    assert isinstance(exc, Conflict) and exc.code == "session_ended" and str(exc) == "这次对练已经结束"
    refused = LoginRefused(429, "too_many_attempts", "稍后再试", retry_after=30)
    assert isinstance(refused, TooMany) and refused.retry_after == 30 and status_of(refused) == 429
    assert isinstance(LabelError(403, "forbidden", "不行"), Forbidden)


def test_the_old_names_sit_under_the_right_base() -> None:
    for cls in (
        CardError,
        ChatInputError,
        OutcomeError,
        TranscriptError,
        QueryError,
        UsageError,
        TimingError,
    ):
        assert issubclass(cls, Invalid) and issubclass(cls, ValueError)
    assert issubclass(DatabaseConfigError, Invalid)
    assert issubclass(AmbiguousLogin, AccountError) and issubclass(AmbiguousLogin, Conflict)
    for cls in (AccountError, LabelError, LoginRefused, PracticeError, ReviewError):
        assert issubclass(cls, PeilianError) and issubclass(cls, ValueError)


def _app() -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/raise/{name}")
    def boom(name: str) -> None:
        kind = next(k for k in KINDS if k.__name__ == name)
        raise PracticeError.kind(kind)(
            "不能这样做", code=f"c_{name.lower()}", retry_after=7 if kind is TooMany else None
        )

    return app


@pytest.mark.parametrize("kind", list(EXPECTED))
async def test_the_api_answers_each_kind_with_its_status_and_json(kind: type[PeilianError]) -> None:
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        answer = await client.get(f"/raise/{kind.__name__}")
    assert answer.status_code == EXPECTED[kind]
    assert answer.json() == {"error": {"code": f"c_{kind.__name__.lower()}", "message": "不能这样做"}}
    assert (answer.headers.get("retry-after") == "7") == (kind is TooMany)


def test_family_errors_survive_a_round_trip_through_pickle() -> None:
    # Not pickled on purpose anywhere, but a worker pool or a logger may: it must not crash.
    exc = PracticeError(404, "not_found", "会话不存在")
    back = pickle.loads(pickle.dumps(exc))
    assert str(back) == "会话不存在" and isinstance(back, PracticeError)


def test_the_cli_answers_a_refusal_with_one_line_and_exit_2(run_cli) -> None:
    result = run_cli("chat", "--scenario", "no-such-scenario", "--json")
    assert result.exit_code == 2, result.stderr
    assert result.stderr.startswith("peilian: 错误:") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
