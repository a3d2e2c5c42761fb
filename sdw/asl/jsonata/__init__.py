"""sdw.asl.jsonata: JSONata as Step Functions evaluates it (``"QueryLanguage": "JSONata"``).

The face: :func:`is_jsonata_template` tells a ``{% ... %}`` template from a plain
string, :func:`compile_jsonata` parses one expression once (a syntax error is a
:class:`~sdw.asl.JsonataSyntaxError`) and :func:`compile_template_tree` a whole field
value with templates anywhere inside it; both evaluate on every visit to the state.

    _templates    templates and expressions: compile once, bind what is read, evaluate
    _engine       the one place that drives jsonata-python, safe for concurrent evaluations
    _functions    the functions Step Functions adds ($partition, $hash, ...) and takes away ($eval)
    _references   what an expression reads (variables, $states fields, the context item)
    _text         numbers and values written as JavaScript writes them
    _values       values crossing between JSON and the engine (null vs undefined, numbers)
"""

from __future__ import annotations

from sdw.asl.jsonata._references import JsonataReferences
from sdw.asl.jsonata._templates import (
    JsonataExpression,
    TemplateTree,
    compile_jsonata,
    compile_template_tree,
    is_jsonata_template,
)

__all__ = [
    "JsonataExpression",
    "JsonataReferences",
    "TemplateTree",
    "compile_jsonata",
    "compile_template_tree",
    "is_jsonata_template",
]
