"""Typed errors with messages a person can act on."""

from typing import Any


class DomainError(Exception):
    """Base of every error the core raises on purpose."""

    code = "error"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    code = "not_found"


class NotAllowed(DomainError):
    code = "not_allowed"


class InvalidInput(DomainError):
    code = "invalid_input"


class InsufficientStock(DomainError):
    code = "insufficient_stock"

    def __init__(self, message: str, shortages: list[dict[str, Any]] | None = None):
        super().__init__(message)
        self.shortages = shortages or []


class CustomerBlocked(DomainError):
    code = "customer_blocked"


class NoPrice(DomainError):
    code = "no_price"


class InvalidTransition(DomainError):
    code = "invalid_transition"


class Ambiguous(InvalidInput):
    """A name matched several things about equally well, or one was needed and several fit;
    `candidates` are (code, name) to choose from, `field` the request's argument they would fill
    (so a conversation can take the answer to "Which warehouse?" as that argument)."""

    code = "ambiguous"

    def __init__(self, message: str, candidates: list[tuple[str, str]], field: str | None = None):
        super().__init__(message)
        self.candidates = candidates
        self.field = field


class OutOfScope(NotFound):
    """The thing exists but is outside the actor's scope. The message is the same as for a
    thing that does not exist (nothing leaks to the user); callers may record a refusal."""

    code = "not_found"
