"""Distances on the earth's surface, for visits (rules.md, "Field work": off-site visits)."""

import math
from decimal import ROUND_HALF_UP, Decimal

EARTH_RADIUS_M = 6_371_000.0  # mean radius (IUGG)


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres between two points in decimal degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def distance_m(lat1: Decimal, lon1: Decimal, lat2: Decimal, lon2: Decimal) -> Decimal:
    """The recorded distance: metres to one decimal place (half-up)."""
    metres = haversine_m(float(lat1), float(lon1), float(lat2), float(lon2))
    return Decimal(repr(metres)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def is_off_site(distance: Decimal | None, radius_m: int) -> bool:
    """Over the radius (strictly) is off-site; no distance (no location given) is not."""
    return distance is not None and distance > radius_m
