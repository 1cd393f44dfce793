"""The service-level floor handler: folds each floor event into the live tally and persists the entries
it changed, in the same order (排队记录台账). After every AMI (re)login (FloorResynced) it catches up
from Asterisk's queue_log, when this host can read it, so entries that ended while the AMI link was
down are counted exactly as the recount counts them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import timedelta

from callcenter.core.clock import Clock
from callcenter.core.pii import mask_numbers_in
from callcenter.queue.events import FloorEvent, FloorResynced
from callcenter.queue.service_level.ledger import EntryKey, QueueEntry
from callcenter.queue.service_level.ports import QueueEntryStore, QueueLogSource
from callcenter.queue.service_level.queue_log import recount
from callcenter.queue.service_level.tally import KEEP_HOURS, ServiceLevelTally

log = logging.getLogger(__name__)


class ServiceLevelRecorder:
    def __init__(
        self,
        tally: ServiceLevelTally,
        store: QueueEntryStore,
        clock: Clock,
        queue_log: QueueLogSource | None = None,
        call_me_back_keys: frozenset[str] = frozenset(),
    ) -> None:
        self.tally = tally
        self._store = store
        self._clock = clock
        self._queue_log = queue_log
        self._call_me_back_keys = call_me_back_keys
        self._unsaved: dict[EntryKey, QueueEntry] = {}

    async def start(self) -> None:
        """Load the last 25 hours from the database so the figures survive an app restart."""
        since = self._clock.now() - timedelta(hours=KEEP_HOURS)
        self.tally.load(await self._store.since(since))

    async def handle(self, event: FloorEvent) -> None:
        """Fold into the tally; what changed waits for ``flush`` (the bridge calls it once per burst)."""
        if isinstance(event, FloorResynced) and self._queue_log is not None:
            self._keep(await self._catch_up(event.server))  # before the resync drops what ended unseen
        self._keep(self.tally.apply(event))

    async def flush(self) -> None:
        await self._flush()

    def _keep(self, changed: Sequence[QueueEntry]) -> None:
        for entry in changed:
            self._unsaved.pop(entry.key, None)  # re-insert: the newest change goes last
            self._unsaved[entry.key] = entry

    async def _flush(self) -> None:
        """Write what changed; on failure keep it for the bridge's retry of this event."""
        if not self._unsaved:
            return
        await self._store.save(list(self._unsaved.values()), self._clock.now())
        self._unsaved.clear()

    async def _catch_up(self, server: str) -> tuple[QueueEntry, ...]:
        assert self._queue_log is not None
        since = self._clock.now() - timedelta(hours=KEEP_HOURS)
        lines = await self._queue_log.lines(server, since)
        if lines is None:
            return ()
        # A day of a busy hotline's journal: folded off the event loop, which carries the live floor.
        result = await asyncio.to_thread(
            recount, lines, server=server, call_me_back_keys=self._call_me_back_keys
        )
        if result.bad_lines:
            log.warning(
                "queue_log of %s: %d unreadable lines, e.g. %s",
                server,
                result.bad_lines,
                [mask_numbers_in(str(sample)) for sample in result.bad_samples[:3]],  # a line holds callers
            )
        fresh = [e for e in result.entries if e.entered_at >= since and e.decided]
        changed = self.tally.load(fresh)
        if changed:
            log.info("queue_log catch-up for %s: %d entries completed from the journal", server, len(changed))
        return changed
