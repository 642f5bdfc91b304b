"""Is a message a bare yes/no to the pending preview? The NLU decides; the runtime asks here."""

from agent.nlu.confirm import parse_confirmation

__all__ = ["parse_confirmation"]
