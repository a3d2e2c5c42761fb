"""sdw.asl.validate: a definition checked at creation as Step Functions checks it, every problem at once.

The face of the validator: :func:`validate_definition` returns every problem as a
:class:`~sdw.asl.Diagnostic` located by a JSON pointer; :func:`ensure_valid_definition`
raises :class:`~sdw.asl.DefinitionError` carrying them. The checks are split by topic,
each module stating the AWS rules it imitates:

    _definition    the document and each (nested) state machine; dispatch per state
    _base          the report, pointers and value tests every part shares
    _graph         transitions: targets exist, reachability, terminal states
    _fields        fields allowed per state type and query language; Next/End
    _states        field values per state type: types, ranges, exclusive pairs
    _retry         Retry and Catch
    _choice        Choice rules
    _expressions   JSONPath, intrinsic functions and JSONata, via their own parsers
    _resource      Task Resource: the integrations sdw runs locally
"""

from __future__ import annotations

from sdw.asl.validate._definition import ensure_valid_definition, validate_definition

__all__ = ["ensure_valid_definition", "validate_definition"]
