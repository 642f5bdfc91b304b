"""Files the assistant made for a web chat user (a report as a spreadsheet), kept in memory for a
short while under a random id and served only to the same signed-in user; an expired, unknown or
another user's id is the same 404. In memory: a server with several worker processes would need
the same user to reach the same worker (docs/decisions.md, "Files from chat")."""

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from agent.reply import Attachment

TTL_SECONDS = 30 * 60
MAX_BYTES = 200 * 1024 * 1024  # all files held at once; the oldest go first past it


@dataclass(frozen=True)
class Held:
    user_id: str
    file: Attachment
    expires: float


class FileStore:
    def __init__(self, ttl: float = TTL_SECONDS, max_bytes: int = MAX_BYTES, now: Callable[[], float] = time.monotonic):
        # a monotonic clock, not the business clock: a fixed DMS_NOW must not keep files forever
        self.ttl, self.max_bytes, self.now = ttl, max_bytes, now
        self._files: OrderedDict[str, Held] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def put(self, user_id: str, file: Attachment) -> str:
        key = secrets.token_urlsafe(24)
        with self._lock:
            self._expire()
            self._files[key] = Held(user_id, file, self.now() + self.ttl)
            self._size += len(file.content)
            while self._size > self.max_bytes and len(self._files) > 1:
                self._drop(next(iter(self._files)))
        return key

    def get(self, user_id: str, key: str) -> Attachment | None:
        with self._lock:
            self._expire()
            held = self._files.get(key)
        if held is None or not secrets.compare_digest(held.user_id, user_id):
            return None
        return held.file

    def _expire(self) -> None:
        now = self.now()
        for key in [k for k, h in self._files.items() if h.expires <= now]:
            self._drop(key)

    def _drop(self, key: str) -> None:
        held = self._files.pop(key)
        self._size -= len(held.file.content)
