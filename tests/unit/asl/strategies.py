"""Hypothesis strategies shared by the property tests of sdw.asl."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st


def json_values(
    *, int_bound: int, text_size: int, key_size: int, container_size: int, max_leaves: int
) -> st.SearchStrategy[Any]:
    """Any JSON value: null, booleans, integers within ``±int_bound``, finite floats, text,
    and arrays and objects of them."""
    return st.recursive(
        st.none()
        | st.booleans()
        | st.integers(min_value=-int_bound, max_value=int_bound)
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text(max_size=text_size),
        lambda children: (
            st.lists(children, max_size=container_size)
            | st.dictionaries(st.text(max_size=key_size), children, max_size=container_size)
        ),
        max_leaves=max_leaves,
    )
