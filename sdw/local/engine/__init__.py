"""sdw.local.engine: the durable flow engine, the project's flows as sdw.asl executions in SQLite.

The face: :class:`LocalFlowEngine` (sdw.system's ``FlowEngine`` port), made by
:func:`create_flow_engine`; :class:`CheckpointPolicy` (how often a running execution is
written); :class:`EngineExecutions` (the engine as sdw.asl's blocking ``ExecutionPort``).

    _flow_engine  start, describe, list, history, stop; open and resume after a restart
    _runner       the one thread that advances every execution and dispatches its effects
    _checkpoint   what one write of an execution holds, and how often one is taken
    _journal      the writer thread: queued checkpoints, group commit
    _store        the SQLite schema: executions, definitions, snapshots, history
    _lambda       Lambda Task states on the warm invoker
    _children     child flows (states:startExecution, .sync, .sync:2)
    _names        execution names, ARNs, dates and page tokens
    _wake         the nudge between ``sdw dev --workers`` processes
"""

from __future__ import annotations

from sdw.local.engine._checkpoint import CheckpointPolicy
from sdw.local.engine._children import EngineExecutions
from sdw.local.engine._flow_engine import LocalFlowEngine, create_flow_engine

__all__ = ["CheckpointPolicy", "EngineExecutions", "LocalFlowEngine", "create_flow_engine"]
