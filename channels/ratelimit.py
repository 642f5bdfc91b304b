"""Per-user rate limits: a token bucket per user, in memory (one server process)."""

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    at: float


class RateLimiter:
    """`per_minute` messages a minute on average, bursts up to `burst` (default the same)."""

    def __init__(self, per_minute: int = 20, burst: int | None = None, now: Callable[[], float] = time.monotonic):
        # a monotonic clock, not the business clock: a fixed DMS_NOW must not freeze the refill
        self.rate = per_minute / 60.0
        self.burst = float(burst or per_minute)
        self.now = now
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        """Take one token for `key`; False when its bucket is empty."""
        with self._lock:
            t = self.now()
            b = self._buckets.get(key)
            if b is None:
                b = self._buckets[key] = _Bucket(self.burst, t)
            b.tokens = min(self.burst, b.tokens + (t - b.at) * self.rate)
            b.at = t
            if b.tokens < 1:
                return False
            b.tokens -= 1
            return True

    def retry_after(self, key: str) -> int:
        """Seconds until `key` may send again."""
        with self._lock:
            b = self._buckets.get(key)
            if b is None or b.tokens >= 1:
                return 0
            return max(1, int((1 - b.tokens) / self.rate + 0.999))
