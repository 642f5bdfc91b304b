"""Typed errors with messages a person can act on."""


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

    def __init__(self, message: str, shortages: list[dict] | None = None):
        super().__init__(message)
        self.shortages = shortages or []


class CustomerBlocked(DomainError):
    code = "customer_blocked"


class NoPrice(DomainError):
    code = "no_price"


class InvalidTransition(DomainError):
    code = "invalid_transition"


class Ambiguous(InvalidInput):
    """A name matched several things about equally well; `candidates` are (code, name) to choose from."""

    code = "ambiguous"

    def __init__(self, message: str, candidates: list[tuple[str, str]]):
        super().__init__(message)
        self.candidates = candidates


class OutOfScope(NotFound):
    """The thing exists but is outside the actor's scope. The message is the same as for a
    thing that does not exist (nothing leaks to the user); callers may record a refusal."""

    code = "not_found"
