"""The desk's own threads for API work (QA, Zawgyi conversion, code checks, saves).

The work runs off the event loop, in a pool of its own, so pages and static files (served by
Starlette's thread pool) keep answering while QA requests queue here; past a bounded queue a
request is refused at once (429) instead of piling up behind the others.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

from pipeline.desk.limits import Refused

WORKERS = 2  # threads: more would only compete with the event loop for the GIL
WAITING = 60  # requests beyond the running ones that may wait for a thread

T = TypeVar("T")


class Workers:
    """A bounded pool: at most WORKERS running and WAITING queued; more are refused (429)."""

    def __init__(self, workers: int = WORKERS, waiting: int = WAITING) -> None:
        self.pool = ThreadPoolExecutor(workers, thread_name_prefix="desk-work")
        self.limit = workers + waiting
        self.busy = 0

    async def run(self, call: Callable[[], T]) -> T:
        """Return ``call()`` run on the pool; refuse (429) when the queue is full."""
        if self.busy >= self.limit:
            raise Refused(429, "the desk is busy: try again in a moment")
        loop = asyncio.get_running_loop()
        self.busy += 1
        future: Future[T] = self.pool.submit(call)
        # Counted until the thread is done, not until the client goes away.
        future.add_done_callback(lambda _: loop.call_soon_threadsafe(self._done))
        return await asyncio.wrap_future(future)

    def _done(self) -> None:
        self.busy -= 1

    def close(self) -> None:
        """Stop taking work; running calls finish on their own."""
        self.pool.shutdown(wait=False, cancel_futures=True)
