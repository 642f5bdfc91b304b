"""Signing in to the web chat with a personal access token (core/identities.py): who failed how often."""

import ipaddress
import math
import time
from collections import deque
from collections.abc import Callable


def client_key(host: str | None) -> str:
    """Whom failed sign-ins are counted against: the address, or an IPv6 address's /64 (one
    machine usually holds a whole /64, so counting single IPv6 addresses would be no limit)."""
    try:
        ip = ipaddress.ip_address(host or "")
    except ValueError:
        return host or "?"
    return str(ipaddress.ip_network(f"{ip}/64", strict=False)) if ip.version == 6 else str(ip)


class SignInFailures:
    """Failed token sign-ins per client in the last minute; at `per_minute` the client waits.

    In memory, for one server process; used from the event loop only (no lock needed)."""

    def __init__(self, per_minute: int = 10, window: float = 60.0, now: Callable[[], float] = time.monotonic):
        # a monotonic clock, not the business clock: a fixed DMS_NOW must not freeze the window
        self.limit, self.window, self.now = per_minute, window, now
        self._seen: dict[str, deque[float]] = {}

    def wait(self, key: str) -> int:
        """Seconds until `key` may try again; 0 when it may now."""
        times = self._recent(key)
        if times is None or len(times) < self.limit:
            return 0
        return max(1, math.ceil(times[-self.limit] + self.window - self.now()))

    def failed(self, key: str) -> None:
        if len(self._seen) > 10_000:  # many addresses: forget those with nothing recent
            for k in list(self._seen):
                self._recent(k)
        times = self._recent(key)
        if times is None:
            times = self._seen[key] = deque(maxlen=max(self.limit, 1))
        times.append(self.now())

    def _recent(self, key: str) -> deque[float] | None:
        times = self._seen.get(key)
        if times is not None:
            while times and times[0] <= self.now() - self.window:
                times.popleft()
            if not times:
                del self._seen[key]
                return None
        return times
