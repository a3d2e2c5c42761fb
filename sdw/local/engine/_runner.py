"""The flow engine's thread: advances every running execution, checkpoints, hands out effects.

sdw.asl's :class:`~sdw.asl.Execution` never blocks and is not thread-safe, so one thread
owns every running execution. Everything that happens to them arrives as a message in
its inbox (a new execution, a task's outcome, a stop, a child's end), and the thread
alone calls ``advance``. Between messages it sleeps until the earliest timer (a Wait, a
retry back-off, a task or execution timeout: ``Execution.next_deadline`` on the injected
clock) or until a function call's timeout (the invoker's monotonic clock).

Steps: ``advance`` runs up to the checkpoint policy's budget of transitions, the result
is checkpointed (the journal commits it with others), and the effects it returned are
handed to the host's ``dispatch`` (Lambda calls, child flows). An execution that can keep
running goes to the back of the ready queue after ``TURN`` transitions, so a long Map
never starves the others. Parallel branches and Map iterations need nothing special
here: the interpreter emits every task that may run at once (up to MaxConcurrency), and
the invoker runs them on its pool side by side.

One run per execution, always: ``take`` never replaces a run the thread already holds for
the same execution (a second one would dispatch the same task again); it keeps the first
and says so. The engine also orders its own messages so that this cannot arise: see
``LocalFlowEngine.open``.

Rejected: a thread per execution (hundreds of threads, each blocked on a queue, and
locks around every checkpoint); asyncio (the handlers are synchronous user code, and
the invoker already owns the pool that runs them).
"""

from __future__ import annotations

import heapq
import itertools
import logging
import queue
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, Protocol

from sdw.asl import Clock, Execution, TaskRequest
from sdw.local.engine._checkpoint import CheckpointPolicy, take_checkpoint
from sdw.local.engine._journal import Journal
from sdw.local.engine._store import ExecutionRow

__all__ = ["Run", "Runner", "Ticker"]

log = logging.getLogger("sdw.flows")


@dataclass(eq=False)
class Run:
    """A running execution as the runner holds it."""

    row: ExecutionRow
    execution: Execution
    saved_events: int = 0
    budget: int = 1
    last_snapshot: str | None = None
    timer: float | None = None
    ready: bool = False
    final: Future[Any] | None = None  # the commit of its last checkpoint, once it has ended

    @property
    def arn(self) -> str:
        return self.row.arn

    @property
    def express(self) -> bool:
        return self.row.type == "EXPRESS"


class Ticker(Protocol):
    """Something else the runner's thread must wake up for (monotonic deadlines)."""

    def next_deadline(self) -> float | None: ...

    def expire(self) -> None: ...


Dispatch = Callable[[Run, list[TaskRequest]], None]
Ended = Callable[[Run, "Future[Any]"], None]
Hook = Callable[[str, str], None]
"""Called on the runner's thread with ``("message", kind)`` before each inbox message is
handled and ``("take", arn)`` / ``("refused", arn)`` when a run is taken or turned away: an
injection point for tests that must hold the thread at a chosen moment."""


class Runner:
    """Owns the running executions; every method but ``start``/``close`` may be called from any thread."""

    TURN = 64  # transitions an execution runs before the others get a turn

    def __init__(
        self,
        journal: Journal,
        *,
        clock: Clock,
        monotonic: Callable[[], float],
        policy: CheckpointPolicy,
        dispatch: Dispatch,
        ended: Ended,
        tickers: list[Ticker] | None = None,
        tick: float = 0.5,
        hook: Hook | None = None,
    ) -> None:
        self._journal = journal
        self._hook = hook
        self._clock = clock
        self._monotonic = monotonic
        self._policy = policy
        self._dispatch = dispatch
        self._ended = ended
        self._tickers = list(tickers or [])
        self._tick = tick
        self._inbox: queue.SimpleQueue[tuple[Any, ...]] = queue.SimpleQueue()
        self._runs: dict[str, Run] = {}
        self._ready: deque[Run] = deque()
        self._timers: list[tuple[float, int, str]] = []
        self._seq = itertools.count()
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ any thread
    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="sdw-flows", daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Stop the thread; running executions stay RUNNING (resumed by the next engine)."""
        if self._thread is None:
            return
        self._inbox.put(("close",))
        self._thread.join()
        self._thread = None

    def add_ticker(self, ticker: Ticker) -> None:
        self._tickers.append(ticker)

    def adopt(self, run: Run) -> None:
        """Run this execution (new, resumed or restarted)."""
        self._inbox.put(("adopt", run))

    def report(self, outcome: tuple[str, str, bool, Any, str | None, str | None]) -> None:
        """A task's outcome: ``(execution ARN, task id, succeeded, result, error, cause)``."""
        self._inbox.put(("outcome", *outcome))

    def stop(self, arn: str, error: str | None, cause: str | None) -> Future[bool]:
        """Abort a running execution; the future says whether it was running here, once committed."""
        future: Future[bool] = Future()
        self._inbox.put(("stop", arn, error, cause, future))
        return future

    def call(self, function: Callable[[], None]) -> None:
        """Run ``function`` on the runner's thread (with its executions at rest)."""
        self._inbox.put(("call", function))

    # ------------------------------------------------------------------ the runner's thread only
    def run_of(self, arn: str) -> Run | None:
        return self._runs.get(arn)

    def take(self, run: Run) -> bool:
        """``adopt``, from the runner's own thread; False (and nothing done) if ``run``'s
        execution is held already: the run held stays the only one."""
        held = self._runs.get(run.arn)
        if held is not None and held is not run:
            log.warning("%s is already running here; a second run of it was not started", run.arn)
            if self._hook is not None:
                self._hook("refused", run.arn)
            return False
        self._runs[run.arn] = run
        if self._hook is not None:
            self._hook("take", run.arn)
        self._make_ready(run)
        return True

    def abort(self, run: Run, error: str | None, cause: str | None) -> Future[Any] | None:
        """Abort ``run`` now; the future of its final checkpoint."""
        run.execution.abort(error, cause)
        return self._settle(run)

    def _loop(self) -> None:
        inbox = self._inbox
        while True:
            try:
                message = inbox.get(timeout=self._sleep()) if not self._ready else inbox.get_nowait()
            except queue.Empty:
                message = None
            closing = False
            for _ in range(1000):
                if message is None:
                    break
                if message[0] == "close":
                    closing = True
                    break
                self._guard(self._handle, message)
                try:
                    message = inbox.get_nowait()
                except queue.Empty:
                    message = None
            if closing:
                return
            now = self._monotonic()
            for ticker in self._tickers:
                deadline = ticker.next_deadline()
                if deadline is not None and deadline <= now:
                    self._guard(ticker.expire)
            self._fire_timers()
            for _ in range(len(self._ready)):
                run = self._ready.popleft()
                run.ready = False
                if self._runs.get(run.arn) is run:
                    self._guard(self._step, run)

    def _guard(self, action: Callable[..., None], *args: Any) -> None:
        try:
            action(*args)
        except Exception:  # a bug here must not stop every execution
            log.exception("flow engine error")

    def _sleep(self) -> float:
        wait = self._tick
        if self._timers:
            wait = min(wait, self._timers[0][0] - self._clock.now())
        now = self._monotonic()
        for ticker in self._tickers:
            deadline = ticker.next_deadline()
            if deadline is not None:
                wait = min(wait, deadline - now)
        return max(wait, 0.0005)

    def _handle(self, message: tuple[Any, ...]) -> None:
        kind = message[0]
        if self._hook is not None:
            self._hook("message", kind)
        if kind == "outcome":
            _, arn, task_id, ok, result, error, cause = message
            run = self._runs.get(arn)
            if run is None:
                return  # stopped, ended, or a call from before a restart: ignored
            accepted = (
                run.execution.task_succeeded(task_id, result)
                if ok
                else run.execution.task_failed(task_id, error, cause)
            )
            if accepted:
                self._make_ready(run)
        elif kind == "adopt":
            self.take(message[1])
        elif kind == "stop":
            _, arn, error, cause, future = message
            run = self._runs.get(arn)
            if run is None:
                future.set_result(False)
                return
            committed = self.abort(run, error, cause)
            if committed is None:
                future.set_result(True)
            else:
                committed.add_done_callback(lambda _f: future.set_result(True))
        elif kind == "call":
            message[1]()

    def _make_ready(self, run: Run) -> None:
        if not run.ready:
            run.ready = True
            self._ready.append(run)

    def _step(self, run: Run) -> None:
        execution = run.execution
        transitions = 0
        while not execution.done:
            budget = self.TURN if run.express else run.budget  # express: nothing to checkpoint
            effects = execution.advance(max_transitions=budget)
            transitions += budget
            self._checkpoint(run)
            if effects:
                self._dispatch(run, effects)
            if execution.done or not execution.runnable:
                break
            if transitions >= self.TURN:
                self._make_ready(run)
                return
        if execution.done:
            self._settle(run)
            return
        self._arm(run)

    def _settle(self, run: Run) -> Future[Any] | None:
        """An execution that has ended: its last checkpoint, then the host's ``ended``."""
        if self._runs.get(run.arn) is not run:
            return None
        committed = self._checkpoint(run)
        del self._runs[run.arn]
        assert committed is not None
        self._ended(run, committed)
        return committed

    def _checkpoint(self, run: Run) -> Future[Any] | None:
        execution = run.execution
        done = execution.done
        if run.final is not None or (run.express and not done):
            return run.final  # express: Step Functions keeps no state of its progress
        # an ended execution needs no snapshot: it will never be resumed
        snapshot = not (run.express or done)
        checkpoint = take_checkpoint(run.row.seq, execution, run.saved_events, snapshot=snapshot)
        if not done and not checkpoint.events and checkpoint.snapshot == run.last_snapshot:
            return None
        run.saved_events = checkpoint.history_count
        if checkpoint.snapshot is not None:
            run.last_snapshot = checkpoint.snapshot
            run.budget = self._policy.budget(len(checkpoint.snapshot))
        if done:
            run.final = self._journal.submit(lambda store: store.save(checkpoint))
            return run.final
        self._journal.write(lambda store: store.save(checkpoint))
        return None

    def _arm(self, run: Run) -> None:
        deadline = run.execution.next_deadline
        if deadline is not None and deadline != run.timer:
            run.timer = deadline
            heapq.heappush(self._timers, (deadline, next(self._seq), run.arn))
            if len(self._timers) > 2 * len(self._runs) + 64:
                # entries of ended runs and of re-armed timers would stay until their deadline
                # (an execution's own limit is a year away): drop them now and then
                self._timers = [t for t in self._timers if (r := self._runs.get(t[2])) and r.timer == t[0]]
                heapq.heapify(self._timers)

    def _fire_timers(self) -> None:
        now = self._clock.now()
        timers = self._timers
        while timers and timers[0][0] <= now:
            deadline, _, arn = heapq.heappop(timers)
            run = self._runs.get(arn)
            if run is not None and run.timer == deadline:
                run.timer = None
                self._make_ready(run)
