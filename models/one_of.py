"""`one_of(column, values)`: `column IN values` sent as one parameter, whatever the count.

`column.in_(values)` sends one bound parameter per value. For the 5,000 or 20,000 people of
a user group or a channel that costs more than the query: each statement of a report took
about 250 ms at the driver with 20,000 ids, on an empty table (SQLAlchemy expanding the
list, psycopg and PostgreSQL parsing and binding them), and SQLite refuses more than
32,766. Here the values travel as one array (PostgreSQL: `column = ANY(%s)`) or one JSON
text (SQLite: `column IN (SELECT value FROM json_each(?))`), and the statement's text and
cache key do not depend on how many there are.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Boolean, ColumnElement, bindparam
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import TypeDecorator, TypeEngine, UserDefinedType


class _Values(TypeDecorator[list[Any]]):
    """A list bound as an array on PostgreSQL (psycopg adapts it), as JSON text elsewhere."""

    impl = UserDefinedType  # never rendered: only bound
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        return _Opaque()

    def process_bind_param(self, value: list[Any] | None, dialect: Dialect) -> Any:
        values = list(value or ())
        return values if dialect.name == "postgresql" else json.dumps(values)


class _Opaque(UserDefinedType[Any]):
    cache_ok = True

    def get_col_spec(self, **kw: Any) -> str:
        return "UNKNOWN"


class OneOf(ColumnElement[bool]):
    """The condition; compiled per dialect below."""

    type = Boolean()
    inherit_cache = True
    _is_implicitly_boolean = True  # a predicate: not compared with 1 where booleans are ints
    _traverse_internals = [  # noqa: RUF012 (SQLAlchemy's own shape for this attribute)
        ("column", InternalTraversal.dp_clauseelement),
        ("values", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, column: ColumnElement[Any], values: Iterable[Any]) -> None:
        self.column = column
        self.values = bindparam(None, list(values), type_=_Values(), unique=True)


def one_of(column: Any, values: Iterable[Any]) -> ColumnElement[bool]:
    """`column` is one of `values` (a list, a tuple, a set: any number of them)."""
    return OneOf(column.expression if hasattr(column, "expression") else column, values)


@compiles(OneOf, "postgresql")
def _postgresql(element: OneOf, compiler: SQLCompiler, **kw: Any) -> str:
    return (
        f"{compiler.process(element.column, **kw)} = ANY({compiler.process(element.values, **kw)})"
    )


@compiles(OneOf)
def _elsewhere(element: OneOf, compiler: SQLCompiler, **kw: Any) -> str:
    column, values = compiler.process(element.column, **kw), compiler.process(element.values, **kw)
    return f"{column} IN (SELECT value FROM json_each({values}))"
