"""Language understanding for the offline planner: numbers and units, periods,
confirmations and the world's names. Pure functions, no database; everything
domain-specific comes from a `Lexicon` built from the imported world."""

from agent.nlu.confirm import parse_confirmation
from agent.nlu.lexicon import KINDS, Entry, Lexicon, Match, find_order_numbers
from agent.nlu.numbers import QtyMention, parse_quantities, resolve_unit
from agent.nlu.periods import Period, parse_date, parse_period

__all__ = [
    "KINDS",
    "Entry",
    "Lexicon",
    "Match",
    "Period",
    "QtyMention",
    "find_order_numbers",
    "parse_confirmation",
    "parse_date",
    "parse_period",
    "parse_quantities",
    "resolve_unit",
]
