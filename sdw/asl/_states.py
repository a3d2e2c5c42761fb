"""Pass, Choice, Wait, Succeed and Fail: the states that need nothing from outside.

Wait is the one that waits, on a timer the execution keeps; its deadline is absolute
(``EnteredTime + Seconds``, or the ``Timestamp``), so a resumed execution keeps it.
Messages for bad ``SecondsPath`` / ``TimestampPath`` / JSONata values are AWS's.
"""

from __future__ import annotations

from typing import Any

from sdw.asl._branch import Branch, Phase
from sdw.asl._context import StateEnv
from sdw.asl._errors import ErrorName, PathNotFoundError, StatesError
from sdw.asl._io import JsonataIO
from sdw.asl._lifecycle import Lifecycle, is_long, java_text, max_execution_seconds
from sdw.asl._nodes import ChoiceState, Dynamic, FailState, PassState, State, SucceedState, WaitState
from sdw.asl._payload import dumps_compact
from sdw.asl._timestamps import format_timestamp, timestamp_seconds

__all__ = ["SimpleStates"]


class SimpleStates(Lifecycle):
    # ------------------------------------------------------------------ Pass, Choice, Wait, Succeed, Fail
    def _run_pass(self, branch: Branch, node: State) -> None:
        assert isinstance(node, PassState)
        env = self.env(branch, node)
        effective = node.io.effective_input(branch.data, env)
        result = node.result if node.has_result else effective
        output, assigned = node.io.finish(branch.data, result, env, default_result=not node.jsonata)
        self.exit_state(branch, node, output, assigned, node.next)

    def _run_choice(self, branch: Branch, node: State) -> None:
        assert isinstance(node, ChoiceState)
        env = self.env(branch, node)
        raw = branch.data
        effective = node.io.effective_input(raw, env)
        for rule in node.choices:
            if rule.constant is not None:
                matched = rule.constant
            elif rule.condition is not None:
                matched = rule.condition.evaluate(
                    env.states(input=raw),
                    env.variables,
                    field="Condition",
                    expected_type="boolean",
                    now_ms=env.now_ms,
                )
            else:
                assert rule.test is not None
                matched = rule.test(env.scope(effective))
            if matched:
                # The matched rule's Assign (and JSONata Output) replace the state's own; the
                # state's are used when the Default is taken (AWS: "Choice state").
                output, _ = node.io.finish(raw, effective, env, default_result=False)
                assigned = None
                if rule.io is not None:
                    rule_output, assigned = rule.io.finish(raw, effective, env, default_result=False)
                    if isinstance(rule.io, JsonataIO) and rule.io.output is not None:
                        output = rule_output
                self.exit_state(branch, node, output, assigned, rule.next)
                return
        if node.default is None:
            raise StatesError(ErrorName.NO_CHOICE_MATCHED, "No Matches!")
        output, assigned = node.io.finish(raw, effective, env, default_result=False)
        self.exit_state(branch, node, output, assigned, node.default)

    def _run_wait(self, branch: Branch, node: State) -> None:
        assert isinstance(node, WaitState)
        env = self.env(branch, node)
        raw = branch.data
        effective = node.io.effective_input(raw, env)
        now = branch.entered_time
        if node.seconds.present:
            seconds = self._wait_seconds(node.seconds, env, effective, raw)
            deadline = now + seconds
        else:
            deadline = self._wait_timestamp(node.timestamp, env, effective, raw)
        self._check_within_lifetime(deadline)
        output, assigned = node.io.finish(raw, effective, env, default_result=False)
        if deadline <= self.clock.now():
            self.exit_state(branch, node, output, assigned, node.next)
            return
        branch.effective = [output, assigned]
        branch.phase = Phase.WAIT
        branch.deadline = deadline
        self.set_timer(branch, deadline, Phase.WAIT)

    def _check_within_lifetime(self, deadline: float) -> None:
        """A Wait that would end after a STANDARD execution can live fails it (States.Runtime) at once.

        Step Functions fails such an execution rather than letting it time out a year after
        its start, which is what waiting would do. (An EXPRESS execution's five minutes are
        its timeout: a longer Wait times it out, States.Timeout, as before.) AWS's wording of
        the cause is in no recording sdw could find; the sentence is sdw's own and says what
        was asked and when the execution's time runs out.
        """
        if self.type == "EXPRESS":
            return
        end = self.start_time + max_execution_seconds(self.type)
        if deadline > end:
            raise StatesError(
                ErrorName.RUNTIME,
                f"The Wait state would end at {format_timestamp(deadline)}, after the execution can run: "
                f"a standard execution ends a year after its start, by {format_timestamp(end)}.",
            )

    def _wait_seconds(self, field: Dynamic, env: StateEnv, effective: Any, raw: Any) -> float:
        path = field.path.text if field.path is not None else ""
        try:
            value = self.dynamic_value(field, env, raw, effective, "integer")
        except PathNotFoundError:
            raise StatesError(
                ErrorName.RUNTIME, f"The SecondsPath parameter does not reference an input value: {path}"
            ) from None
        if field.path is not None and not is_long(value):
            raise StatesError(
                ErrorName.RUNTIME,
                f"The SecondsPath parameter cannot be parsed as a long value: {path} == {java_text(value)}",
            )
        if value < 0:
            if field.path is not None:
                raise StatesError(
                    ErrorName.RUNTIME,
                    f"The SecondsPath parameter references a negative value: {path} == {value}",
                )
            raise StatesError(
                ErrorName.QUERY_EVALUATION_ERROR,
                f"The Seconds field must be a non-negative integer, got {value}.",
            )
        return float(value)

    def _wait_timestamp(self, field: Dynamic, env: StateEnv, effective: Any, raw: Any) -> float:
        path = field.path.text if field.path is not None else ""
        try:
            value = self.dynamic_value(field, env, raw, effective, None)
        except PathNotFoundError:
            raise StatesError(
                ErrorName.RUNTIME, f"The TimestampPath parameter does not reference an input value: {path}"
            ) from None
        seconds = timestamp_seconds(value)
        if seconds is not None:
            return seconds
        if field.path is not None:
            raise StatesError(
                ErrorName.RUNTIME,
                "The TimestampPath parameter does not reference a valid ISO-8601 extended offset "
                f"date-time format string: {path} == {java_text(value)}",
            )
        raise StatesError(
            ErrorName.QUERY_EVALUATION_ERROR if field.expression is not None else ErrorName.RUNTIME,
            "The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format "
            f"string: {java_text(value)}",
        )

    def _run_succeed(self, branch: Branch, node: State) -> None:
        assert isinstance(node, SucceedState)
        env = self.env(branch, node)
        effective = node.io.effective_input(branch.data, env)
        output, assigned = node.io.finish(branch.data, effective, env, default_result=False)
        self.exit_state(branch, node, output, assigned, None)

    def _run_fail(self, branch: Branch, node: State) -> None:
        assert isinstance(node, FailState)
        env = self.env(branch, node)
        raw = branch.data
        error = self._fail_field(node.error, node.error_expression, env, raw)
        cause = self._fail_field(node.cause, node.cause_expression, env, raw)
        self.branch_failed(branch, error, cause)

    def _fail_field(self, field: Dynamic, expression: Any, env: StateEnv, raw: Any) -> str | None:
        if field.expression is not None:
            value = field.expression.evaluate(
                env.states(input=raw),
                env.variables,
                field=field.name,
                expected_type="string",
                now_ms=env.now_ms,
            )
            return str(value)
        if expression is not None:
            value = expression(env.scope(raw))
            return value if isinstance(value, str) else dumps_compact(value)
        return None if field.constant is None else str(field.constant)
