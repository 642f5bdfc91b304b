"""Language understanding for the offline planner: numbers and units, periods,
confirmations, intents and the world's names. Pure functions, no database; everything
domain-specific comes from a `Lexicon` built from the imported world."""
from agent.nlu.confirm import parse_confirmation
from agent.nlu.intents import (INTENTS, IntentGuess, classify, correct_typos, extract_reason,
                               injection_signals, report_dimension)
from agent.nlu.items import ItemPhrase, parse_item, parse_items, split_items
from agent.nlu.lexicon import KINDS, Entry, Lexicon, Match, find_order_numbers
from agent.nlu.numbers import QtyMention, parse_quantities, resolve_unit
from agent.nlu.periods import Period, parse_date, parse_period

__all__ = [
    "INTENTS", "KINDS", "Entry", "IntentGuess", "ItemPhrase", "Lexicon", "Match", "Period",
    "QtyMention", "classify", "correct_typos", "extract_reason", "find_order_numbers",
    "injection_signals", "parse_confirmation", "parse_date", "parse_item", "parse_items",
    "parse_period", "parse_quantities", "report_dimension", "resolve_unit", "split_items",
]
