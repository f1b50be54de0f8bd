"""Claims on pending segments, so that translate processes sharing a store split the work.

Before the model translates a batch, its process claims the batch's (segment, language) keys:
a key is taken only when no translation past ``initial`` exists for it and no other owner
holds a claim that has not expired. The batch's translations are written and its claims
released in one transaction. A claim held by a process of this machine that no longer exists
is taken over at once (a killed ``translate`` blocks nothing on a re-run); one from another
machine (a shared PostgreSQL store) is taken over when it expires (``ttl`` seconds).
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from typing import Any

from pipeline.records import State

Key = tuple[int, str]
DEFAULT_TTL = 600.0


def new_owner() -> str:
    """Return a claim owner unique to this process and call: host, pid and a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def alive(owner: str) -> bool:
    """Return whether a claim's owner may still be working: another machine's always may
    (until its claim expires); on this machine, only while its process exists.

    >>> alive(new_owner()), alive(f"{socket.gethostname()}:999999999:x")
    (True, False)
    """
    host, _, rest = owner.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def _stamp(at: datetime) -> str:
    return at.isoformat(timespec="microseconds")


class ClaimTables:
    """Claims on a SQL store; mixed into SQLStore, which supplies _execute and transaction."""

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        raise NotImplementedError

    def transaction(self) -> AbstractContextManager[None]:
        raise NotImplementedError

    def _lock_translations(self, keys: Iterable[Key]) -> None:
        raise NotImplementedError

    def claim(self, keys: Iterable[Key], owner: str, ttl: float = DEFAULT_TTL) -> set[Key]:
        """Claim the keys nobody holds and nobody has translated; return those now owned."""
        now = datetime.now(UTC)
        expires = _stamp(now + timedelta(seconds=ttl))
        taken: set[Key] = set()
        wanted = list(dict.fromkeys(keys))
        with self.transaction():
            # Check-then-insert under the keys' locks (PostgreSQL; SQLite writers are serial):
            # a worker's write of a key not yet committed must not let another claim it.
            self._lock_translations(wanted)
            self._execute("DELETE FROM claims WHERE expires_at < ?", (_stamp(now),))
            for segment_id, lang in wanted:
                done = self._execute(
                    "SELECT 1 FROM translations WHERE segment_id = ? AND target_lang = ?"
                    " AND state <> ?",
                    (segment_id, lang, State.INITIAL.value),
                ).fetchone()
                if done is not None:
                    continue
                cursor = self._execute(
                    "INSERT INTO claims (segment_id, target_lang, owner, expires_at)"
                    " VALUES (?, ?, ?, ?) ON CONFLICT (segment_id, target_lang) DO NOTHING",
                    (segment_id, lang, owner, expires),
                )
                if cursor.rowcount == 1:
                    taken.add((segment_id, lang))
                    continue
                row = self._execute(
                    "SELECT owner FROM claims WHERE segment_id = ? AND target_lang = ?",
                    (segment_id, lang),
                ).fetchone()
                if row is not None and (row[0] == owner or not alive(row[0])):
                    # Ours already, or a process on this machine that is gone: take it over.
                    self._execute(
                        "UPDATE claims SET owner = ?, expires_at = ?"
                        " WHERE segment_id = ? AND target_lang = ?",
                        (owner, expires, segment_id, lang),
                    )
                    taken.add((segment_id, lang))
        return taken

    def release(self, owner: str, keys: Iterable[Key] | None = None) -> None:
        """Drop an owner's claims (all of them, or these keys); run in the caller's transaction."""
        if keys is None:
            self._execute("DELETE FROM claims WHERE owner = ?", (owner,))
            return
        for segment_id, lang in keys:
            self._execute(
                "DELETE FROM claims WHERE segment_id = ? AND target_lang = ? AND owner = ?",
                (segment_id, lang, owner),
            )
