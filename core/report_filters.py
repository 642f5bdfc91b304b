"""The report filters `core.sales_filters` does not hold: customer type, order status and payment
method, each read as a person or another system gives it and checked here, so a
report never silently ignores a word it does not know."""

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, select

from .billing import PAYMENT_METHODS
from .errors import InvalidInput
from .orders import ORDER_STATUSES, STATUS_WORDS
from .tables.parties import Customer


def customer_type(session: Session, text: str) -> str:
    """A customer type of the world ('retailer', 'Modern trade'); the types are no secret, so an
    unknown one is named with the choices."""
    types = sorted(t for t in session.exec(select(Customer.type).distinct()).all() if t)
    wanted = text.strip().casefold().replace(" ", "_").replace("-", "_")
    for t in types:
        if t.casefold() == wanted:
            return t
    raise InvalidInput(f"No customer type {text.strip()!r}; the types are: {', '.join(types)}.")


def customers_of_type(type_: str) -> ColumnElement[bool]:
    """The customers of a type, as a condition on `Customer` (a `SalesFilter`'s)."""
    return col(Customer.type) == type_


def statuses(text: str) -> list[str]:
    """Order statuses from a comma-separated list of statuses or status words ('open',
    'pending', 'confirmed,dispatched'); 'all' means every status."""
    out: list[str] = []
    for word in (w.strip().casefold().replace(" ", "_") for w in text.split(",")):
        if not word:
            continue
        if word in STATUS_WORDS:
            meant = STATUS_WORDS[word]
            out += list(ORDER_STATUSES) if meant is None else meant
        elif word in ORDER_STATUSES:
            out.append(word)
        else:
            raise InvalidInput(f"No order status {word!r}; use one of: {', '.join([*ORDER_STATUSES, *STATUS_WORDS])}.")
    if not out:
        raise InvalidInput("Which status? Give one or more, separated by commas.")
    return sorted(set(out), key=ORDER_STATUSES.index)


def payment_method(text: str) -> str:
    word = text.strip().casefold().replace(" ", "_")
    if word not in PAYMENT_METHODS:
        raise InvalidInput(f"No payment method {text.strip()!r}; use one of: {', '.join(PAYMENT_METHODS)}.")
    return word
