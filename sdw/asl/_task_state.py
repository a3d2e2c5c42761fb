"""Task states: build the request, hand it to the host, take its outcome back.

The interpreter does not call anything: :meth:`TaskStates._issue` emits a
:class:`~sdw.asl._integrations.TaskRequest` effect and the branch waits (phase
``task``). ``TimeoutSeconds`` and ``HeartbeatSeconds`` are timers on the execution;
when one fires first the task is abandoned (``States.Timeout`` /
``States.HeartbeatTimeout``) and a late outcome is ignored. ``.waitForTaskToken``
tasks wait, after the call returns, for the token's outcome (phase ``token``).

A result over 256 KiB fails with ``States.DataLimitExceeded`` naming the function ARN
(a Lambda function resource) or the service (``'lambda'``) as AWS's recorded causes do.
"""

from __future__ import annotations

import uuid
from typing import Any

from sdw.asl._branch import Branch, Phase
from sdw.asl._context import StateEnv
from sdw.asl._errors import ErrorName, PathNotFoundError, StatesError
from sdw.asl._integrations import TaskRequest
from sdw.asl._lifecycle import Lifecycle, is_long, java_text, too_big
from sdw.asl._nodes import Dynamic, State, TaskState
from sdw.asl._payload import dumps_compact

__all__ = ["TaskStates"]


class TaskStates(Lifecycle):
    # ------------------------------------------------------------------ Task
    def _run_task(self, branch: Branch, node: State) -> None:
        assert isinstance(node, TaskState) and node.integration is not None
        integration = node.integration
        branch.task_token = str(uuid.uuid4()) if integration.pattern == "token" else None
        env = self.env(branch, node)
        raw = branch.data
        effective = node.io.effective_input(raw, env)
        if too_big(dumps_compact(effective)):
            raise StatesError(
                ErrorName.DATA_LIMIT_EXCEEDED,
                f"The state/task '{node.name}' has an input with a size exceeding the maximum number "
                "of bytes service limit.",
            )
        timeout = self._positive_seconds(node.timeout, env, raw)
        heartbeat = self._positive_seconds(node.heartbeat, env, raw)
        branch.effective = effective
        branch.heartbeat_seconds = heartbeat
        self._issue(branch, node, timeout, heartbeat, new_events=True)

    def _issue(
        self,
        branch: Branch,
        node: TaskState,
        timeout: float | None,
        heartbeat: float | None,
        *,
        new_events: bool,
    ) -> None:
        assert node.integration is not None
        integration = node.integration
        now = self.clock.now()
        # A task issued again after a restore keeps its id, so a host can recognise the
        # re-issue (a child execution already started for it, say) and stay idempotent.
        task_id = branch.task_id
        if new_events or task_id is None:
            task_id = self.new_id("task-")
        branch.task_id = task_id
        if new_events:
            recording = self.history_of(branch).recording
            if integration.legacy_lambda:
                details: dict[str, Any] | None = None
                if recording:
                    details = {"resource": node.resource, "input": dumps_compact(branch.effective)}
                    if timeout is not None:
                        details["timeoutInSeconds"] = int(timeout)
                self.event(branch, "LambdaFunctionScheduled", details)
                self.event(branch, "LambdaFunctionStarted")
            else:
                details = None
                if recording:
                    details = {
                        "resourceType": integration.service,
                        "resource": integration.resource_name,
                        "region": self.region,
                        "parameters": dumps_compact(branch.effective),
                    }
                    if timeout is not None:
                        details["timeoutInSeconds"] = int(timeout)
                    if heartbeat is not None:
                        details["heartbeatInSeconds"] = int(heartbeat)
                self.event(branch, "TaskScheduled", details)
                self.event(
                    branch,
                    "TaskStarted",
                    {"resourceType": integration.service, "resource": integration.resource_name}
                    if recording
                    else None,
                )
            if branch.phase == Phase.DONE:
                return
            branch.deadline = now + timeout if timeout is not None else None
            branch.heartbeat_deadline = now + heartbeat if heartbeat is not None else None
        branch.phase = Phase.TASK
        if branch.deadline is not None:
            self.set_timer(branch, branch.deadline, "timeout")
        if branch.heartbeat_deadline is not None:
            self.set_timer(branch, branch.heartbeat_deadline, "heartbeat")
        remaining = branch.deadline - now if branch.deadline is not None else None
        request = TaskRequest(
            task_id=task_id,
            state_name=node.name,
            resource=node.resource,
            integration=integration,
            parameters=branch.effective,
            timeout_seconds=remaining,
            heartbeat_seconds=branch.heartbeat_seconds,
            task_token=branch.task_token,
            execution_arn=str(self._execution_of(branch)["Id"]),
        )
        self.emit(request, branch)

    def _positive_seconds(self, field: Dynamic, env: StateEnv, raw: Any) -> float | None:
        if not field.present:
            return None
        try:
            value = self.dynamic_value(field, env, raw, raw, "integer")
        except PathNotFoundError:
            assert field.path is not None
            raise StatesError(
                ErrorName.RUNTIME,
                f"The {field.path_name} parameter does not reference an input value: {field.path.text}",
            ) from None
        if not is_long(value) or value <= 0:
            raise StatesError(
                ErrorName.RUNTIME,
                f"The {field.path_name if field.path is not None else field.name} value must be a positive "
                f"integer, got {java_text(value)}.",
            )
        return float(value)

    def complete_task(self, branch: Branch, result: Any) -> None:
        node = branch.machine.states[branch.state]
        assert isinstance(node, TaskState) and node.integration is not None
        if node.integration.pattern == "token" and branch.phase == Phase.TASK:
            branch.phase = Phase.TOKEN  # the call returned; the token's outcome decides
            return
        self._task_succeeded(branch, node, result)

    def _task_succeeded(self, branch: Branch, node: TaskState, result: Any) -> None:
        assert node.integration is not None
        integration = node.integration
        recording = self.history_of(branch).recording
        text = dumps_compact(result)
        if integration.legacy_lambda:
            self.event(branch, "LambdaFunctionSucceeded", {"output": text} if recording else None)
        else:
            self.event(
                branch,
                "TaskSucceeded",
                {"resourceType": integration.service, "resource": integration.resource_name, "output": text}
                if recording
                else None,
            )
        if branch.phase == Phase.DONE:
            return
        self._clear_task(branch)
        try:
            if too_big(text):
                who = node.resource if integration.legacy_lambda else integration.service
                raise StatesError(
                    ErrorName.DATA_LIMIT_EXCEEDED,
                    f"The state/task '{who}' returned a result with a size exceeding the maximum number of "
                    "bytes service limit.",
                )
            env = self.env(branch, node)
            output, assigned = node.io.finish(branch.data, result, env)
            self.exit_state(branch, node, output, assigned, node.next)
        except StatesError as err:
            self.state_error(branch, node, err)

    def fail_task(self, branch: Branch, error: str | None, cause: str | None, *, kind: str) -> None:
        node = branch.machine.states[branch.state]
        assert isinstance(node, TaskState) and node.integration is not None
        integration = node.integration
        details: dict[str, Any] | None = None
        if self.history_of(branch).recording:
            details = (
                {}
                if integration.legacy_lambda
                else {
                    "resourceType": integration.service,
                    "resource": integration.resource_name,
                }
            )
            if error is not None:
                details["error"] = error
            if cause is not None:
                details["cause"] = cause
        prefix = "LambdaFunction" if integration.legacy_lambda else "Task"
        self.event(branch, prefix + kind, details)
        if branch.phase == Phase.DONE:
            return
        self._clear_task(branch)
        self.handle_failure(branch, node, error, cause)

    def task_timed_out(self, branch: Branch, *, heartbeat: bool) -> None:
        self.forget_task(branch)
        error = ErrorName.HEARTBEAT_TIMEOUT.value if heartbeat else ErrorName.TIMEOUT.value
        self.fail_task(branch, error, "", kind="TimedOut")

    def token_reported(self, branch: Branch, output: Any, error: str | None, cause: str | None) -> None:
        node = branch.machine.states[branch.state]
        assert isinstance(node, TaskState)
        if error is None and cause is None:
            self._task_succeeded(branch, node, output)
        else:
            self.fail_task(branch, error, cause, kind="Failed")

    def heartbeat(self, branch: Branch) -> None:
        if branch.heartbeat_seconds is not None:
            branch.heartbeat_deadline = self.clock.now() + branch.heartbeat_seconds
            self.set_timer(branch, branch.heartbeat_deadline, "heartbeat")

    def _clear_task(self, branch: Branch) -> None:
        self.forget_task(branch)
        branch.task_id = None
        branch.task_token = None
        branch.deadline = None
        branch.heartbeat_deadline = None
