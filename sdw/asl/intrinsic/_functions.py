"""The eighteen ``States.*`` intrinsic functions, as AWS Step Functions runs them.

Each function takes its already evaluated arguments (plain JSON values) and returns a JSON
value, or raises :class:`FunctionFailure` with a sentence saying what is wrong with the
arguments; :mod:`sdw.asl.intrinsic._calls` turns that into ``States.IntrinsicFailure`` naming the
whole expression. Argument *counts* are not checked here: the parser rejects a wrong count
when the definition is created, as AWS does, so a body can index its arguments freely.

The rules follow the AWS developer guide ("Intrinsic functions for JSONPath states") and
the executions AWS recorded in the conformance cases:

- numbers: ``MathAdd`` and ``MathRandom`` round non-integers half up, as Java's
  ``Math.round`` does (``-0.5 -> 0``, ``2.5 -> 3``; recorded in ``test_math_add``);
  indices, sizes and ranges must be integers;
- limits: ``ArrayRange`` builds at most 1,000 items; ``Base64Encode``, ``Base64Decode`` and
  ``Hash`` take at most 10,000 characters of input;
- ``Hash`` knows MD5, SHA-1, SHA-256, SHA-384 and SHA-512, spelled exactly so;
- ``JsonMerge`` merges shallowly only: its third argument must be ``false``;
- ``StringSplit`` splits on any of the delimiter characters and drops empty pieces, as
  Java's ``StringTokenizer`` does (``",,,,"`` gives ``[]``);
- ``StringToJson`` of a blank string is ``null`` (recorded by AWS for ``""`` and ``" "``);
- ``MathRandom`` returns an integer from start (inclusive) to end (exclusive).
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import random
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sdw.asl.intrinsic._text import java_string_text, json_identity, json_text, json_type_name


class FunctionFailure(Exception):
    """An intrinsic function refused its arguments. ``detail`` completes a sentence that
    starts with the function's name; ``function`` is filled in by the caller."""

    def __init__(self, detail: str, function: str = "") -> None:
        super().__init__(detail)
        self.detail = detail
        self.function = function


# The characters ASL reserves in a string literal, which a backslash must escape for them to
# stand for themselves (AWS guide: ' { } and \). AWS's CreateStateMachine refuses any other
# escape, such as \" (LocalStack's ESCAPE_SEQUENCES_ILLEGAL_INTRINSIC_FUNCTION scenarios).
ESCAPABLE = "'{}\\"
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_FORMAT_TOKEN = re.compile(r"\\(?P<escaped>.)|(?P<hole>\{\})|(?P<text>[^\\{]+|.)", re.DOTALL)


def unescape_literal(raw: str) -> str:
    """The value of a string literal written ``raw`` between its quotes: ``it\\'s`` is ``it's``."""
    if "\\" not in raw:
        return raw
    return _ESCAPE.sub(lambda match: match[1], raw)


@dataclass(frozen=True, slots=True)
class FormatTemplate:
    """The first argument of ``States.Format``, split once into text and ``{}`` holes.

    ``\\{`` and ``\\}`` are literal braces, ``\\'`` a quote and ``\\\\`` a backslash (AWS guide:
    these characters are reserved and must be escaped to appear in the output).
    """

    pieces: tuple[str | None, ...]  # None marks a {} placeholder
    placeholders: int

    @classmethod
    def compile(cls, text: str) -> FormatTemplate:
        pieces: list[str | None] = []
        chunk: list[str] = []
        for token in _FORMAT_TOKEN.finditer(text):
            if token["hole"]:
                pieces.extend(("".join(chunk), None))
                chunk = []
            elif token["escaped"] is not None:
                chunk.append(token["escaped"])
            else:
                chunk.append(token["text"])
        pieces.append("".join(chunk))
        return cls(tuple(piece for piece in pieces if piece != ""), pieces.count(None))

    def render(self, values: list[Any]) -> str:
        supplied = iter(values)
        return "".join(java_string_text(next(supplied)) if piece is None else piece for piece in self.pieces)


@dataclass(frozen=True, slots=True)
class FunctionSpec:
    """One intrinsic: its name, how many arguments it takes, and its body."""

    name: str
    min_args: int
    max_args: int | None  # None: any number
    body: Callable[[list[Any], random.Random | None], Any]

    def arity_text(self) -> str:
        if self.max_args is None:
            return f"at least {self.min_args} argument{'s' if self.min_args != 1 else ''}"
        if self.min_args == self.max_args:
            count = self.min_args
            return f"exactly {count} argument{'s' if count != 1 else ''}"
        return f"{self.min_args} to {self.max_args} arguments"


MAX_ARRAY_RANGE_ITEMS = 1000
MAX_INPUT_CHARACTERS = 10_000
HASH_ALGORITHMS = {
    "MD5": "md5",
    "SHA-1": "sha1",
    "SHA-256": "sha256",
    "SHA-384": "sha384",
    "SHA-512": "sha512",
}
"""The algorithms of ``States.Hash`` (and JSONata's ``$hash``), by AWS's name -> hashlib's."""
_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")
_ORDINALS = ("first", "second", "third")


# --------------------------------------------------------------------------- argument checks
def _wrong(what: str, position: int, value: Any) -> FunctionFailure:
    return FunctionFailure(f"expects {what} as its {_ORDINALS[position]} argument, but got {_show(value)}.")


def _show(value: Any) -> str:
    text = json_text(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"the {json_type_name(value)} {text}"


def _string(args: list[Any], position: int) -> str:
    value = args[position]
    if not isinstance(value, str):
        raise _wrong("a string", position, value)
    return value


def _array(args: list[Any], position: int) -> list[Any]:
    value = args[position]
    if not isinstance(value, list):
        raise _wrong("an array", position, value)
    return value


def _object(args: list[Any], position: int) -> dict[str, Any]:
    value = args[position]
    if not isinstance(value, dict):
        raise _wrong("a JSON object", position, value)
    return value


def _integer(args: list[Any], position: int) -> int:
    """An integer argument; a double with no fraction (``2.0``) is accepted as that integer."""
    value = args[position]
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise _wrong("an integer", position, value)


def _rounded(args: list[Any], position: int) -> int:
    """A number rounded half up to an integer, as Java's ``Math.round`` rounds."""
    value = args[position]
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and math.isfinite(value):
        floor = math.floor(value)
        return floor + 1 if value - floor >= 0.5 else floor
    raise _wrong("a number", position, value)


def _limited(args: list[Any], position: int) -> str:
    text = _string(args, position)
    if len(text) > MAX_INPUT_CHARACTERS:
        raise FunctionFailure(
            f"accepts at most {MAX_INPUT_CHARACTERS} characters of input, but got {len(text)}."
        )
    return text


def _utf8(text: str) -> bytes:
    # Java's String.getBytes(UTF_8) writes '?' for a lone surrogate instead of failing.
    return text.encode("utf-8", errors="replace")


# --------------------------------------------------------------------------- the functions
def _format(args: list[Any], _rng: random.Random | None) -> str:
    template = args[0]
    if isinstance(template, str):
        template = FormatTemplate.compile(template)
    elif not isinstance(template, FormatTemplate):
        raise _wrong("a string", 0, template)
    values = args[1:]
    if template.placeholders != len(values):
        raise FunctionFailure(
            f"has {template.placeholders} '{{}}' placeholder(s) in its format string "
            f"but {len(values)} argument(s) to put in them."
        )
    return template.render(values)


def _string_to_json(args: list[Any], _rng: random.Random | None) -> Any:
    text = _string(args, 0)
    if not text.strip():
        return None  # AWS returns null for "" and " " (recorded in test_string_to_json)
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as error:
        raise FunctionFailure(f"could not parse its argument as JSON: {error}.") from None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _json_to_string(args: list[Any], _rng: random.Random | None) -> str:
    return json_text(args[0])


def _array_of(args: list[Any], _rng: random.Random | None) -> list[Any]:
    return list(args)


def _array_partition(args: list[Any], _rng: random.Random | None) -> list[list[Any]]:
    items = _array(args, 0)
    size = _integer(args, 1)
    if size <= 0:
        raise FunctionFailure(f"needs a chunk size greater than 0, but got {size}.")
    return [items[start : start + size] for start in range(0, len(items), size)]


def _array_contains(args: list[Any], _rng: random.Random | None) -> bool:
    items = _array(args, 0)
    wanted = json_identity(args[1])
    return any(json_identity(item) == wanted for item in items)


def _array_range(args: list[Any], _rng: random.Random | None) -> list[int]:
    first, last, step = _integer(args, 0), _integer(args, 1), _integer(args, 2)
    if step == 0:
        raise FunctionFailure("needs a step other than 0.")
    count = max(0, (last - first) // step + 1)
    if count > MAX_ARRAY_RANGE_ITEMS:
        raise FunctionFailure(
            f"can build at most {MAX_ARRAY_RANGE_ITEMS} items, but from {first} to {last} "
            f"by {step} there would be {count}."
        )
    return list(range(first, first + count * step, step))


def _array_get_item(args: list[Any], _rng: random.Random | None) -> Any:
    items = _array(args, 0)
    index = _integer(args, 1)
    if not 0 <= index < len(items):
        raise FunctionFailure(
            f"got the index {index}, which is out of bounds for an array of {len(items)} items."
        )
    return items[index]


def _array_length(args: list[Any], _rng: random.Random | None) -> int:
    return len(_array(args, 0))


def _array_unique(args: list[Any], _rng: random.Random | None) -> list[Any]:
    seen: set[object] = set()
    unique = []
    for item in _array(args, 0):
        key = json_identity(item)
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return unique


def _base64_encode(args: list[Any], _rng: random.Random | None) -> str:
    return base64.b64encode(_utf8(_limited(args, 0))).decode("ascii")


def _base64_decode(args: list[Any], _rng: random.Random | None) -> str:
    text = _limited(args, 0)
    # Java's basic decoder: the RFC 4648 alphabet only, padding optional, no line breaks.
    body = text.rstrip("=")
    if not _BASE64.fullmatch(text) or len(body) % 4 == 1 or (body != text and len(text) % 4):
        raise FunctionFailure("got a string that is not valid Base64.")
    # The checks above leave only text that decodes: alphabet characters, whole quanta.
    data = base64.b64decode(body + "=" * (-len(body) % 4), validate=True)
    return data.decode("utf-8", errors="replace")  # as Java's new String(bytes, UTF_8)


def _hash(args: list[Any], _rng: random.Random | None) -> str:
    data = _limited(args, 0)
    algorithm = _string(args, 1)
    if algorithm not in HASH_ALGORITHMS:
        raise FunctionFailure(
            f"does not know the algorithm '{algorithm}'; use one of {', '.join(HASH_ALGORITHMS)}."
        )
    return hashlib.new(HASH_ALGORITHMS[algorithm], _utf8(data)).hexdigest()


def _json_merge(args: list[Any], _rng: random.Random | None) -> dict[str, Any]:
    first, second = _object(args, 0), _object(args, 1)
    deep = args[2]
    if not isinstance(deep, bool):
        raise _wrong("the boolean false", 2, deep)
    if deep:
        raise FunctionFailure("supports only shallow merging; its third argument must be false.")
    return {**first, **second}


def _math_random(args: list[Any], rng: random.Random | None) -> int:
    start, end = _rounded(args, 0), _rounded(args, 1)
    if start >= end:
        raise FunctionFailure(f"needs a start lower than its end, but got {start} and {end}.")
    if len(args) == 3:
        rng = random.Random(_rounded(args, 2))  # a seed makes the draw repeatable
    return (rng or _SYSTEM_RANDOM).randrange(start, end)


_SYSTEM_RANDOM = random.SystemRandom()


def _math_add(args: list[Any], _rng: random.Random | None) -> int:
    return _rounded(args, 0) + _rounded(args, 1)


def _string_split(args: list[Any], _rng: random.Random | None) -> list[str]:
    text, delimiters = _string(args, 0), _string(args, 1)
    if not delimiters:
        return [text] if text else []
    pattern = "[" + "".join(f"\\U{ord(char):08x}" for char in set(delimiters)) + "]+"
    return [piece for piece in re.split(pattern, text) if piece]


def _uuid(args: list[Any], rng: random.Random | None) -> str:
    if rng is None:
        return str(uuid.uuid4())
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


FUNCTIONS: dict[str, FunctionSpec] = {
    spec.name: spec
    for spec in (
        FunctionSpec("States.Format", 1, None, _format),
        FunctionSpec("States.StringToJson", 1, 1, _string_to_json),
        FunctionSpec("States.JsonToString", 1, 1, _json_to_string),
        FunctionSpec("States.Array", 0, None, _array_of),
        FunctionSpec("States.ArrayPartition", 2, 2, _array_partition),
        FunctionSpec("States.ArrayContains", 2, 2, _array_contains),
        FunctionSpec("States.ArrayRange", 3, 3, _array_range),
        FunctionSpec("States.ArrayGetItem", 2, 2, _array_get_item),
        FunctionSpec("States.ArrayLength", 1, 1, _array_length),
        FunctionSpec("States.ArrayUnique", 1, 1, _array_unique),
        FunctionSpec("States.Base64Encode", 1, 1, _base64_encode),
        FunctionSpec("States.Base64Decode", 1, 1, _base64_decode),
        FunctionSpec("States.Hash", 2, 2, _hash),
        FunctionSpec("States.JsonMerge", 3, 3, _json_merge),
        FunctionSpec("States.MathRandom", 2, 3, _math_random),
        FunctionSpec("States.MathAdd", 2, 2, _math_add),
        FunctionSpec("States.StringSplit", 2, 2, _string_split),
        FunctionSpec("States.UUID", 0, 0, _uuid),
    )
}
