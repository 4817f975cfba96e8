"""Scheduled digests, exactly once: due schedules open runs, runs are leased, parts counted.

Every process runs a Scheduler against the one store. A schedule that is due opens the run of
its latest period (one per chat, topic and period, whoever sees it first; a connected
channel's schedule is keyed by the channel and posts elsewhere); a run is leased like
a queued request, its parts are composed once and kept with it, and each part posted is counted,
so a process that dies mid-digest leaves the rest to whoever claims the run after the lease.
A front end supplies the wording of a digest, the posting of a part, and whether a connected
channel's admin still administers it. Each digest is metered like one asked for: a group's
against the group (and the bot), a private chat's and a channel's against their user.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from bot.core.digest.build import Digest
from bot.core.digest.channels import ChannelDigest
from bot.core.digest.chats import USER_CHANNELS, ChatDigests
from bot.core.digest.period import digest_start
from bot.core.digest.schedule import schedule_of
from bot.core.errors import PostRefusedError, SummarybotError
from bot.core.store.channel_types import ConnectedChannel
from bot.core.store.schedule_types import ChannelSource, DigestRun, StoredSchedule
from bot.core.store.types import ChatSettings, Store
from bot.core.ticks import tick_forever
from bot.core.usage.budgets import Clock, Requester

log = logging.getLogger(__name__)

# A group's digest, a connected channel's, or a private chat's (its user's channels).
Scheduled = Digest | ChannelDigest | list[ChannelDigest]


class FrontEnd(Protocol):
    """What the scheduler asks of the front end that posts its digests."""

    async def render(self, run: DigestRun, digest: Scheduled, since: datetime) -> list[str]:
        """The digest worded as the messages to post (the run says whether it is late)."""
        ...

    async def post(self, run: DigestRun, part: str) -> None:
        """Post one part where the run goes; raises PostError, PostRefusedError when it never
        will be."""
        ...

    async def still_admin(self, channel: ConnectedChannel) -> bool:
        """True while the user who connected the channel administers it; raises PostError
        when the platform cannot tell now (the run is tried again)."""
        ...

    async def not_admin(self, channel: ConnectedChannel) -> None:
        """Tell the user, in their private chat, that the channel's schedule stopped because
        they no longer administer it."""
        ...


@dataclass(frozen=True)
class SchedulerConfig:
    """How often the scheduler looks, how many runs it works at once, and when a run is late."""

    tick_s: float = 15.0
    lease_s: float = 120.0
    concurrency: int = 32
    batch: int = 200
    late_after: timedelta = timedelta(minutes=15)


@dataclass
class Scheduler:
    """Opens the runs of due schedules and carries claimed runs through to their last part."""

    store: Store
    digests: ChatDigests
    front: FrontEnd
    now: Clock
    config: SchedulerConfig = field(default_factory=SchedulerConfig)
    owner: str = field(default_factory=lambda: f"digests-{uuid.uuid4().hex[:12]}")

    async def tick(self) -> int:
        """Open what is due and finish every run this process can claim; the runs finished."""
        await self.open_due()
        finished = 0
        while runs := await self.store.claim_runs(
            self.owner, self.config.lease_s, self.now(), self.config.batch
        ):
            finished += sum(await _bounded(self.config.concurrency, map(self.carry, runs)))
        return finished

    async def open_due(self) -> None:
        """Open the latest period of every due schedule (a missed one, late), and move it on."""
        moment = self.now()
        while due := await self.store.due_schedules(moment, self.config.batch):
            for schedule in due:
                await self._open(schedule, moment)

    async def _open(self, stored: StoredSchedule, moment: datetime) -> None:
        schedule = schedule_of(stored)
        period = schedule.latest_at_or_before(moment)
        late = moment - period > self.config.late_after
        await self.store.open_run(stored, period, late, schedule.next_after(moment))

    async def carry(self, run: DigestRun) -> bool:
        """Compose the run (unless it was) and post the parts not posted yet; False if it failed
        or another process took it over (it is claimed again after its lease)."""
        renewing = asyncio.create_task(self._renew(run))
        try:
            parts, composed = run.parts, run.period
            if parts is None:
                # The digest takes in all shared up to now: the next one starts here.
                moment, ours = self.now(), await self._compose(run)
                parts = await self.store.set_run_parts(run.id, ours)
                composed = moment if parts == ours else composed
            # Stored parts are the digest, marked before any is posted. Parts composed elsewhere
            # (a resumed run) were composed at its period or later: marked there, an item may
            # come again but none is skipped.
            await self.digests.mark_digest(run.chat_id, _marker(run), composed)
            for number in range(run.sent + 1, len(parts) + 1):
                if renewing.done():  # the lease was lost: the new holder posts the rest
                    return False
                await self.front.post(run, parts[number - 1])
                if not await self.store.record_part(run.id, self.owner, number, self._lease()):
                    return False
            await self.store.finish_run(run.id, self.owner, self.now())
        except PostRefusedError as exc:
            await self._refused(run, exc)
        except SummarybotError as exc:
            log.warning("scheduled digest %s failed, to be retried: %s", run.id, exc)
            return False
        finally:
            renewing.cancel()
        return True

    async def _refused(self, run: DigestRun, exc: PostRefusedError) -> None:
        """Finish a run its destination refuses, and stop its schedule unless it was set to
        post elsewhere since: retrying would fail every lease, and each period add a run."""
        log.warning("scheduled digest %s cannot be posted, its schedule stops: %s", run.id, exc)
        await self.store.finish_run(run.id, self.owner, self.now())
        stored = await self.store.get_schedule(run.chat_id, run.thread_id)
        if stored is not None and stored.source == run.source:
            await self.digests.drop_schedule(run.chat_id, run.thread_id)

    async def _renew(self, run: DigestRun) -> None:
        """Keep the run's lease while it is carried (composing takes model calls); returns when
        the lease is lost."""
        while True:
            try:
                if not await self.store.renew_run(run.id, self.owner, self._lease()):
                    return
            except SummarybotError as exc:  # the next renewal tries again, within the lease
                log.warning("could not renew the lease of scheduled digest %s: %s", run.id, exc)
            await asyncio.sleep(self.config.lease_s / 3)

    def _lease(self) -> datetime:
        return self.now() + timedelta(seconds=self.config.lease_s)

    async def _compose(self, run: DigestRun) -> list[str]:
        """The digest of the run's period as messages; none when nothing was shared, or when
        a channel's admin no longer is one."""
        stored = await self.store.get_schedule(run.chat_id, run.thread_id)
        if run.source is not None and not await self._admin_remains(run.source, stored):
            return []
        last = await self.digests.last_digest(run.chat_id, _marker(run))
        if last is None and stored is not None:  # a first digest covers one whole period
            schedule = schedule_of(stored)
            last = schedule.latest_at_or_before(run.period - timedelta(microseconds=1))
        since = digest_start(None, last, run.period)
        chat_id, thread_id = run.destination
        settings = ChatSettings.from_json(await self.store.get_chat_settings(chat_id))
        language, who = settings.prefs.language, _requester(run)
        digest: Scheduled
        if run.source is None and chat_id > 0:  # a private chat: its user's channels
            keys = (await self.digests.user_channels(chat_id, self.front.still_admin)).keys
            digest = await self.digests.channels_digest(keys, since, language, who)
            empty = all(channel.empty for channel in digest)
        elif run.source is None:
            digest = await self.digests.digest(chat_id, thread_id, since, language, who)
            empty = digest.empty
        else:
            digest = await self.digests.channel_digest(run.source.channel, since, language, who)
            empty = digest.empty
        return [] if empty else await self.front.render(run, digest, since)

    async def _admin_remains(self, source: ChannelSource, stored: StoredSchedule | None) -> bool:
        """True while the admin who set the channel's schedule has it connected and administers
        it; else their schedule stops (and, when they lost their rights, they are told once)."""
        channel = await self.digests.connection(source.admin_id, source.channel)
        if channel is not None and await self.front.still_admin(channel):
            return True
        kept = stored.source if stored is not None else None
        if kept is not None and kept.admin_id == source.admin_id:
            dropped = await self.digests.drop_schedule(int(kept.channel), 0)
            if dropped and channel is not None:
                await self.front.not_admin(channel)
        return False

    async def run_forever(self) -> None:
        """Tick every `tick_s` until cancelled; a failing tick is logged and the next one tries."""
        await tick_forever(self.tick, self.config.tick_s, "tick the digest scheduler")


def _marker(run: DigestRun) -> int | str:
    """Where the chat remembers the run's last digest: a private chat's is its /digest's."""
    return USER_CHANNELS if run.source is None and run.chat_id > 0 else run.thread_id


def _requester(run: DigestRun) -> Requester:
    """Whose budgets the run counts against: a group's own (no member asked), a private chat's
    user, or the admin who set a channel's schedule."""
    if run.source is not None:
        return Requester(run.source.admin_id, run.source.admin_id)
    if run.chat_id > 0:
        return Requester(run.chat_id, run.chat_id)
    return Requester(None, run.chat_id, group=True)


async def _bounded(limit: int, jobs: Iterable[Awaitable[bool]]) -> list[bool]:
    """The jobs' results, at most `limit` running at once."""
    gate = asyncio.Semaphore(limit)

    async def one(job: Awaitable[bool]) -> bool:
        async with gate:
            return await job

    return await asyncio.gather(*(one(job) for job in jobs))
