"""Optional SQLite persistence (``--state FILE``): write-through of every change, so a demo
survives a restart. Rows are JSON documents; media bytes are a BLOB column.

Kept deliberately dumb: the in-memory store is the truth while running, and this file is read
once at start-up. WAL with ``synchronous=NORMAL`` keeps each write to tens of microseconds.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

from sandbox.model import FbPage, Media, Post, XAccount

_SCHEMA = """
CREATE TABLE IF NOT EXISTS objects (kind TEXT NOT NULL, id TEXT NOT NULL, doc TEXT NOT NULL,
                                    data BLOB, PRIMARY KEY (kind, id));
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
_TYPES: dict[str, Any] = {"post": Post, "media": Media, "x_account": XAccount, "fb_page": FbPage}
_DATETIME_FIELDS = {"created_at", "deleted_at", "scheduled_at"}


class StateFile:
    def __init__(self, path: Path) -> None:
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    def save(self, obj: Post | Media | XAccount | FbPage) -> None:
        kind = next(k for k, t in _TYPES.items() if isinstance(obj, t))
        doc = {
            f.name: getattr(obj, f.name) for f in dataclasses.fields(obj) if f.name not in {"data", "chunks"}
        }
        data = obj.data if isinstance(obj, Media) else None
        self._db.execute(
            "INSERT OR REPLACE INTO objects (kind, id, doc, data) VALUES (?, ?, ?, ?)",
            (kind, obj.id, json.dumps(doc, default=_encode), data),
        )

    def load(self, kind: str) -> list[Any]:
        rows = self._db.execute("SELECT doc, data FROM objects WHERE kind = ? ORDER BY rowid", (kind,))
        out = []
        for doc_text, data in rows:
            doc = json.loads(doc_text)
            for name in _DATETIME_FIELDS & doc.keys():
                if doc[name] is not None:
                    doc[name] = datetime.fromisoformat(doc[name])
            for name in ("media_ids", "tags"):
                if name in doc:
                    doc[name] = tuple(doc[name])
            if kind == "media":
                doc["data"] = data or b""
            out.append(_TYPES[kind](**doc))
        return out

    def set_meta(self, key: str, value: object) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, json.dumps(value)))

    def get_meta(self, key: str) -> Any:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def clear(self) -> None:
        self._db.execute("DELETE FROM objects")
        self._db.execute("DELETE FROM meta")

    def close(self) -> None:
        self._db.close()


def _encode(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot store {type(value).__name__}")
