"""The local scheduler: a flow's ``schedule`` fires in ``sdw dev`` as its EventBridge rule would.

Each flow with a ``schedule`` (its own or a plugin's) is started at its fire times
(sdw.project's ``next_fire_time``: EventBridge's cron and rate rules, UTC) with its
static ``input`` (or, without one, the Scheduled Event EventBridge would send), by the
principal ``schedule``. Two ways in, one rule for both:

* :meth:`LocalScheduler.advance` ``(now)``: what the loop of ``sdw dev`` calls (in the
  one process that runs executions). It fires what fell due since it last looked.
* :meth:`LocalScheduler.tick` ``(at)``: ``sdw schedules tick --at T``. It fires every
  schedule that is due at the minute ``at``, and nothing else: tests and a user drive
  time with it, without waiting.

**Once per due time.** Every fire is recorded in ``schedules.db`` under (schedule, due
time) before it is reported, and a recorded one never fires again: the same ``--at`` twice
starts nothing the second time, and the loop and ``tick`` never both fire one time. The
execution's name is derived from the due time (``schedule-20300101T1200Z``), so even a
crash between starting a run and recording it cannot start a STANDARD flow twice: the
engine answers the same name with the same execution (EXPRESS names may repeat, as on
AWS, so there the record alone stands guard; EventBridge itself promises at least once).

**Missed times (the runtime was down).** On start the loop looks at the time between the
moment it last looked (persisted) and now. It fires each schedule *at most once* for that
gap: for the most recent due time it missed, if that is less than 24 hours old; older due
times, and every other one in the gap, are skipped and logged, never replayed in a storm.
Why this matches EventBridge as far as it is documented: a rule that cannot deliver an
event retries it for up to 24 hours (the target's default ``MaximumEventAgeInSeconds``,
86,400) and then drops it, and a disabled rule is not caught up when it is enabled again.
The one delivery that is retried is the latest; a dead runtime is "disabled" for the rest.
A schedule first seen now (a new flow, a changed expression) has missed nothing.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sdw.local._errors import LocalError
from sdw.local._schedule_store import ScheduleStore
from sdw.project import DEFAULT_ACCOUNT_ID, Flow, latest_fire_time, next_fire_time
from sdw.system import (
    SCHEDULE_OWNER,
    ExecutionExistsError,
    ExecutionSummary,
    ServiceError,
    schedule_rule_name,
    scheduled_event,
    scheduled_execution_name,
)

log = logging.getLogger("sdw.schedules")

MISSED_WINDOW = timedelta(hours=24)  # EventBridge's default maximum event age for a retried delivery
MAX_SLEEP_S = 30.0  # the loop persists how far it has looked at least this often

Starter = Callable[..., ExecutionSummary]  # FlowEngine.start(flow, input, *, owner, name)


@dataclass(frozen=True)
class Fired:
    """A scheduled run this scheduler started: which flow, for which due time, which execution."""

    flow: str
    due: datetime
    execution: ExecutionSummary

    def as_json(self) -> dict[str, Any]:
        return {
            "flow": self.flow,
            "scheduledTime": self.due.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "executionArn": self.execution.execution_arn,
            "executionId": self.execution.execution_id,
            "startDate": self.execution.start_date,
        }


def schedule_key(flow: Flow) -> str:
    """One schedule: a flow and its expression (a new expression is a new schedule)."""
    return f"{flow.key}\n{flow.schedule}"


class LocalScheduler:
    """Fires the scheduled flows of one project on one engine (see the module docstring)."""

    def __init__(
        self,
        flows: Sequence[Flow],
        store: ScheduleStore,
        start: Starter,
        *,
        clock: Callable[[], float] = time.time,
        region: str = "us-east-1",
        account_id: str = DEFAULT_ACCOUNT_ID,
    ) -> None:
        self.flows = [flow for flow in flows if flow.schedule is not None]
        self.store = store
        self._start = start
        self._clock = clock
        self._region = region
        self._account = account_id
        self._next: dict[str, datetime | None] = {}  # the loop's next due time per schedule
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    # -- the two ways in -----------------------------------------------------------------

    def tick(self, at: datetime) -> list[Fired]:
        """Fire, once, every schedule due at the minute ``at``."""
        minute = at.astimezone(UTC).replace(second=0, microsecond=0)
        fired = []
        for flow in self.flows:
            assert flow.schedule is not None
            if next_fire_time(flow.schedule, minute - timedelta(minutes=1)) == minute:
                done = self.fire(flow, minute)
                if done is not None:
                    fired.append(done)
        return fired

    def advance(self, now: datetime) -> list[Fired]:
        """Fire what fell due up to ``now`` since the last look (at most once per schedule)."""
        with self._lock:
            checked = self.store.checked_until()
            stamp = now.timestamp()
            if checked is None:  # the first run in this state folder: nothing was missed
                for flow in self.flows:
                    assert flow.schedule is not None
                    self.store.first_seen(schedule_key(flow), flow.key, str(flow.schedule), stamp)
                    self._next[schedule_key(flow)] = next_fire_time(flow.schedule, now)
                self.store.set_checked_until(stamp)
                return []
            fired = []
            for flow in self.flows:
                done = self._advance_one(flow, checked, now)
                if done is not None:
                    fired.append(done)
            self.store.set_checked_until(max(stamp, checked))
            return fired

    def _advance_one(self, flow: Flow, checked: float, now: datetime) -> Fired | None:
        assert flow.schedule is not None
        key = schedule_key(flow)
        if key in self._next:
            upcoming = self._next[key]
            if upcoming is None or upcoming > now:
                return None
        since = self.store.first_seen(key, flow.key, str(flow.schedule), now.timestamp())
        gap = datetime.fromtimestamp(max(checked, since), UTC)
        due = latest_fire_time(flow.schedule, max(gap, now - MISSED_WINDOW), now)
        self._next[key] = next_fire_time(flow.schedule, now)
        self._log_skipped(flow, gap, due or now + timedelta(seconds=1))
        if due is None:
            return None
        if due < now - timedelta(minutes=1):
            log.warning("%s: missed its run due %s while sdw dev was down; firing it once now",
                        flow.key, due.strftime("%Y-%m-%dT%H:%MZ"))
        return self.fire(flow, due)

    SKIPPED_COUNT_LIMIT = 100_000  # a rate(1 minute) schedule down for ten weeks: say "at least"

    def _log_skipped(self, flow: Flow, gap: datetime, before: datetime) -> None:
        """Log the due times in ``(gap, before)``: missed while down, skipped, never replayed."""
        assert flow.schedule is not None
        first = next_fire_time(flow.schedule, gap)
        if first is None or first >= before:
            return
        count, last = 0, first
        at: datetime | None = first
        while at is not None and at < before and count < self.SKIPPED_COUNT_LIMIT:
            count, last = count + 1, at
            at = next_fire_time(flow.schedule, at)
        more = "at least " if count == self.SKIPPED_COUNT_LIMIT else ""
        log.warning("%s: skipped %s%d run%s missed while sdw dev was down (due %s to %s); missed runs "
                    "are not replayed", flow.key, more, count, "" if count == 1 else "s",
                    first.strftime("%Y-%m-%dT%H:%MZ"), last.strftime("%Y-%m-%dT%H:%MZ"))

    # -- firing ------------------------------------------------------------------------

    def fire(self, flow: Flow, due: datetime) -> Fired | None:
        """Start ``flow``'s run due at ``due`` unless it has fired; the run, or None."""
        key = schedule_key(flow)
        if self.store.has_fired(key, due):
            return None
        name = scheduled_execution_name(due)
        try:
            started = self._start(flow.key, self._input(flow, due), owner=SCHEDULE_OWNER, name=name)
        except ExecutionExistsError:  # started before a crash, and ended since: it did fire
            self.store.record_fire(key, due, None, datetime.now(UTC))
            return None
        except (ServiceError, LocalError) as exc:
            log.error("%s: the run due %s could not start: %s", flow.key, due.isoformat(), exc)
            return None
        fired_at = datetime.fromtimestamp(self._clock(), UTC)
        if not self.store.record_fire(key, due, started.execution_arn, fired_at):
            return None  # another process fired it at the same moment and reports it
        log.info("%s: scheduled run for %s started: %s", flow.key, due.strftime("%Y-%m-%dT%H:%MZ"),
                 started.execution_arn)
        return Fired(flow.key, due, started)

    def _input(self, flow: Flow, due: datetime) -> Any:
        if flow.input is not None:
            return flow.input
        rule = schedule_rule_name(flow.state_machine_name)
        rule_arn = f"arn:aws:events:{self._region}:{self._account}:rule/{rule}"
        return scheduled_event(rule_arn, due, region=self._region, account=self._account)

    def next_due(self) -> datetime | None:
        """The earliest next due time the loop knows of."""
        known = [due for due in self._next.values() if due is not None]
        return min(known) if known else None

    # -- the loop of sdw dev ------------------------------------------------------------

    def start(self) -> None:
        """Run :meth:`advance` on a thread, waking at each due time, until :meth:`stop`."""
        if not self.flows or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._loop, name="sdw-scheduler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None
        self.store.close()

    def _loop(self) -> None:
        while not self._stop.is_set():
            now = datetime.fromtimestamp(self._clock(), UTC)
            try:
                self.advance(now)
                upcoming = self.next_due()
                wait = MAX_SLEEP_S if upcoming is None else (upcoming - now).total_seconds() + 0.05
            except Exception:  # the loop must outlive one bad tick (a locked database, say)
                log.exception("the scheduler could not look at the schedules; trying again in 1 s")
                wait = 1.0
            self._stop.wait(min(max(wait, 0.05), MAX_SLEEP_S))
