"""A world uploaded as a .zip (the folder `dms import` takes), unpacked into a private folder for
core.world to read. The zip comes from a browser and is treated as hostile: a path that is
absolute or climbs out (`../x.csv`), a symbolic link, too many entries or too many bytes once
unpacked (a zip bomb) is a one-line `UploadError` and nothing is unpacked past it. Files are
written by this code, never by `zipfile.extract`, so no name or mode of the zip reaches the disk
unchecked. The CSV files may sit at the top of the zip or in one folder (people zip the folder);
macOS's `__MACOSX/` and dot files are skipped; any other file is left for core.world to report as
not part of the world format."""

import io
import lzma
import re
import secrets
import stat
import threading
import time
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

MAX_ENTRIES = 500  # a world has 20 CSV files and a few knowledge documents
MAX_UNPACKED = 200 * 1024 * 1024  # bytes, all files together once unpacked
CHUNK = 64 * 1024
KNOWLEDGE = "knowledge"


@dataclass(frozen=True)
class Held:
    user_id: str
    filename: str
    data: bytes
    expires: float


class HeldUploads:
    """Checked uploads waiting for their confirmation, under a random key, for their uploader
    only and used once (a second click imports nothing). In memory, like the chat's files; on a
    monotonic clock, so a fixed DMS_NOW cannot keep them forever."""

    def __init__(self, ttl: float = 30 * 60, most: int = 4):
        self.ttl, self.most = ttl, most  # `most`: uploads held at once (up to 50 MB each)
        self._held: dict[str, Held] = {}
        self._lock = threading.Lock()

    def put(self, user_id: str, filename: str, data: bytes) -> str:
        key = secrets.token_urlsafe(24)
        with self._lock:
            now = time.monotonic()
            self._held = {k: h for k, h in self._held.items() if h.expires > now}
            while len(self._held) >= self.most:
                del self._held[next(iter(self._held))]  # the oldest
            self._held[key] = Held(user_id, filename, data, now + self.ttl)
        return key

    def take(self, user_id: str, key: str) -> Held | None:
        with self._lock:
            held = self._held.get(key)
            if held is None or held.expires <= time.monotonic() or not secrets.compare_digest(held.user_id, user_id):
                return None
            del self._held[key]
        return held


class UploadError(Exception):
    """What is wrong with the upload, in one line; nothing was imported."""


def _shown(name: str) -> str:
    name = name.replace("\n", "\\n").replace("\r", "\\r").replace("\x00", "\\x00")
    return name if len(name) <= 80 else name[:80] + "…"


def _parts(name: str) -> tuple[str, ...]:
    """The entry's path as folder names, refused if it could land outside the folder."""
    unsafe = (
        not name
        or name.startswith(("/", "\\"))
        or "\\" in name  # Windows separators: '..\\x' climbs on some systems
        or "\x00" in name
        or re.match(r"[A-Za-z]:", name) is not None
    )
    parts = tuple(p for p in PurePosixPath(name).parts if p not in ("", "."))
    if unsafe or ".." in parts:
        raise UploadError(f"The zip holds an unsafe path, {_shown(name)!r} (absolute or climbing out of its folder).")
    return parts


def _skipped(parts: tuple[str, ...]) -> bool:
    return not parts or parts[0] == "__MACOSX" or any(p.startswith(".") for p in parts)


def unpack_world(data: bytes, dest: Path) -> list[str]:
    """Unpack the zip's world into `dest` (an empty folder); returns notes on what was left out."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise UploadError("The upload is not a .zip file: zip the world's CSV files (or their folder).") from None
    with zf:
        entries = zf.infolist()
        if len(entries) > MAX_ENTRIES:
            raise UploadError(f"The zip holds {len(entries)} entries; a world takes at most {MAX_ENTRIES}.")
        files: list[tuple[tuple[str, ...], zipfile.ZipInfo]] = []
        for info in entries:
            parts = _parts(info.filename)
            if stat.S_ISLNK(info.external_attr >> 16):
                raise UploadError(f"The zip holds a symbolic link, {_shown(info.filename)!r}; upload plain files.")
            if not info.is_dir() and not _skipped(parts):
                files.append((parts, info))
        if not files:
            raise UploadError("The zip holds no files: zip the world's CSV files (or their folder).")
        declared = sum(info.file_size for _, info in files)
        if declared > MAX_UNPACKED:
            raise UploadError(_too_big())
        files = _without_top_folder(files)
        notes: list[str] = []
        written = 0
        for parts, info in files:
            if parts[0] == KNOWLEDGE:
                if not notes:
                    notes.append(
                        "knowledge/: the documents were not installed; the web import takes the CSV files "
                        "(dms import WORLD_DIR on the server installs knowledge documents)."
                    )
                continue
            written = _write(zf, info, dest.joinpath(*parts), dest, written)
        return notes


def _too_big() -> str:
    return f"The zip unpacks to more than {MAX_UNPACKED // 2**20} MB, the most a world upload may hold (a zip bomb?)."


def _without_top_folder(
    files: list[tuple[tuple[str, ...], zipfile.ZipInfo]],
) -> list[tuple[tuple[str, ...], zipfile.ZipInfo]]:
    """The CSV files of one zipped folder (`sample/brands.csv`) as if zipped alone."""
    tops = {parts[0] for parts, _ in files}
    if len(tops) == 1 and all(len(parts) > 1 for parts, _ in files) and KNOWLEDGE not in tops:
        return [(parts[1:], info) for parts, info in files]
    return files


def _write(zf: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, dest: Path, written: int) -> int:
    """One entry copied in chunks, counting what it really unpacks to (sizes in a zip can lie)."""
    if not target.resolve().is_relative_to(dest.resolve()):  # belt and braces after _parts
        raise UploadError(f"The zip holds an unsafe path, {_shown(info.filename)!r}.")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with zf.open(info) as src, open(target, "xb") as out:
            while chunk := src.read(CHUNK):
                written += len(chunk)
                if written > MAX_UNPACKED:
                    raise UploadError(_too_big())
                out.write(chunk)
    except FileExistsError:
        raise UploadError(f"The zip holds {_shown(info.filename)!r} twice.") from None
    except (
        zipfile.BadZipFile,
        RuntimeError,
        NotImplementedError,
        ValueError,
        zlib.error,
        lzma.LZMAError,
        EOFError,
        OSError,
    ) as e:
        # damaged data, a password, an unknown compression method, a file where a folder must be
        raise UploadError(f"{_shown(info.filename)!r} cannot be unpacked: {_shown(str(e))}.") from None
    return written
