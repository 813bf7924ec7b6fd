"""The one error hierarchy of Peilian, in the ground package so every layer may import it.

`PeilianError` is a refusal the caller can understand: a one-line message for people (in Chinese) and a
stable `code`. Its kinds say what went wrong — `Invalid`, `BadRequest`, `Unauthorized`, `Forbidden`,
`NotFound`, `Conflict`, `TooMany` — and only the kind picks the answer: the HTTP status in
server/api/errors.py (`STATUS`), exit status 2 in the command line. Nothing reads the message to choose.

A domain's errors (`PracticeError`, `LabelError`, …) subclass `Family`; `Family.kind(NotFound)` is the
subclass that is both (made once, cached), so `except PracticeError` and `except NotFound` both catch it.
The old form `PracticeError(404, "not_found", "…")` still works: it builds that kind from the status.
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar


class PeilianError(Exception):
    """Base of every refusal: `message` for people, `code` for programs, `retry_after` seconds for TooMany."""

    code: str = "error"

    def __init__(
        self, message: str = "", *, code: str | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code  # an instance may carry a more precise code than its class
        self.retry_after = retry_after


class Invalid(PeilianError, ValueError):
    """Input that breaks a rule (a field out of range, a bad value): HTTP 422."""

    code = "invalid_request"


class BadRequest(PeilianError, ValueError):
    """A request this caller cannot make at all (e.g. an API key asking who its user is): HTTP 400."""

    code = "bad_request"


class Unauthorized(PeilianError):
    """Not logged in, a wrong password or a revoked key: HTTP 401."""

    code = "unauthorized"


class Forbidden(PeilianError):
    """Known, but not allowed to do this: HTTP 403."""

    code = "forbidden"


class NotFound(PeilianError, LookupError):
    """Does not exist, or the caller may not see it: HTTP 404."""

    code = "not_found"


class Conflict(PeilianError):
    """Clashes with what is stored (a session already ended, a name in use): HTTP 409."""

    code = "conflict"


class TooMany(PeilianError):
    """Too often, or too many failures; `retry_after` says how long to wait: HTTP 429."""

    code = "too_many_requests"


KINDS: tuple[type[PeilianError], ...] = (
    Invalid,
    BadRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    Conflict,
    TooMany,
)
# Only for the old `Family(status, code, message)` form: which kind an old status meant.
_LEGACY_KIND: dict[int, type[PeilianError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    422: Invalid,
    429: TooMany,
}

F = TypeVar("F", bound="Family")


class Family(PeilianError):
    """Base of one domain's errors. Raise `SomeError.kind(NotFound)("…", code="…")`; a plain `SomeError("…")`
    is treated as `Invalid` where it is answered."""

    _kinds: ClassVar[dict[type[PeilianError], type[Family]]]

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        if "_kinds" not in cls.__dict__:
            cls._kinds = {}

    @classmethod
    def kind(cls: type[F], base: type[PeilianError]) -> type[F]:
        """The subclass of this family that is also `base` (one of KINDS)."""
        if base not in KINDS:
            raise TypeError(f"{base.__name__} is not one of the error kinds")
        made = cls._kinds.get(base)
        if made is None:
            made = type(
                f"{cls.__name__}.{base.__name__}",
                (cls, base),
                {"__module__": cls.__module__, "__qualname__": f"{cls.__qualname__}.{base.__name__}"},
            )
            cls._kinds[base] = made
            setattr(cls, base.__name__, made)  # found by its qualified name (pickle, logging)
        return made  # type: ignore[return-value]

    def __new__(cls, *args: Any, **kw: Any) -> Family:
        if len(args) == 3 and isinstance(args[0], int):  # the old form (status, code, message)
            cls = cls.kind(_LEGACY_KIND.get(args[0], Invalid))
        return super().__new__(cls)

    def __init__(self, *args: Any, code: str | None = None, retry_after: float | None = None) -> None:
        if len(args) == 3 and isinstance(args[0], int):
            _, code, message = args
        else:
            message = str(args[0]) if args else ""
        super().__init__(message, code=code, retry_after=retry_after)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.message,), dict(self.__dict__))


class UsageError(Invalid):
    """Bad input on the command line: the message is one line, in Chinese, saying what is wrong and where."""
