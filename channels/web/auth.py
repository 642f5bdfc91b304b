"""Personal access tokens for the web chat: only a hash of each token is stored."""
import hashlib
import hmac
import ipaddress
import math
import secrets
import time
from collections import deque
from collections.abc import Callable

from sqlmodel import Session, select

from core import audit
from core.clock import Clock
from core.errors import NotFound
from core.tables.parties import User

PREFIX = "dms_"


def token_hash(token: str) -> str:
    # the secret is 256 random bits, so a plain sha256 suffices (no password stretching needed)
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, user_id: str, clock: Clock | None = None) -> str:
    """A new token for the user, replacing any earlier one; the caller commits the session."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"No user {user_id!r}.")
    token = PREFIX + secrets.token_urlsafe(32)
    user.token_hash = token_hash(token)
    session.add(user)
    if clock is not None:
        audit.record(session, at=clock.now(), user_id=None, channel="cli", action="user.token_issued",
                     entity="user", entity_id=user.id)
    return token


def user_for_token(session: Session, token: str | None) -> User | None:
    """The user holding this token, or None (unknown, revoked or malformed)."""
    if not token or not token.startswith(PREFIX) or len(token) > 200:
        return None
    digest = token_hash(token)
    user = session.exec(select(User).where(User.token_hash == digest)).first()
    if user is None or not hmac.compare_digest(user.token_hash or "", digest):
        return None
    return user


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
