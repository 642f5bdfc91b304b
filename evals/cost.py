"""What a run's tokens cost: prices per 1,000 tokens, from the command line or a small table.

The table holds list prices in US dollars of a few well-known models (input, output per 1k
tokens) as published when this was written; `--price-in/--price-out` override it, and a
model it does not know has no cost rather than a guessed one.
"""

from dataclasses import dataclass
from decimal import Decimal

PER_1K: dict[str, tuple[str, str]] = {
    "gpt-4o": ("0.0025", "0.01"),
    "gpt-4o-mini": ("0.00015", "0.0006"),
    "gpt-4.1": ("0.002", "0.008"),
    "gpt-4.1-mini": ("0.0004", "0.0016"),
    "gpt-4.1-nano": ("0.0001", "0.0004"),
    "o3-mini": ("0.0011", "0.0044"),
    "o4-mini": ("0.0011", "0.0044"),
    "gpt-3.5-turbo": ("0.0005", "0.0015"),
}


@dataclass(frozen=True)
class Prices:
    input_per_1k: Decimal
    output_per_1k: Decimal
    source: str  # "table (<model>)", "command line", "offline"

    def cost(self, input_tokens: int, output_tokens: int) -> Decimal:
        return ((self.input_per_1k * input_tokens + self.output_per_1k * output_tokens) / 1000).quantize(
            Decimal("0.000001")
        )


def prices_for(model: str, price_in: float | str | None = None, price_out: float | str | None = None) -> Prices | None:
    """Prices from the flags when given, else from the table; offline costs nothing; None if unknown."""
    if price_in is not None or price_out is not None:
        return Prices(Decimal(str(price_in or 0)), Decimal(str(price_out or 0)), "command line")
    if model == "offline":
        return Prices(Decimal(0), Decimal(0), "offline")
    name = model.split(":", 1)[1] if ":" in model else model
    name = name.strip().lower()
    # dated snapshots (gpt-4o-mini-2024-07-18) cost what their family costs: longest prefix wins
    for known in sorted(PER_1K, key=len, reverse=True):
        if name == known or name.startswith(known + "-"):
            i, o = PER_1K[known]
            return Prices(Decimal(i), Decimal(o), f"table ({known})")
    return None
