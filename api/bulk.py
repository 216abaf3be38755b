"""One bulk INSERT for many rows, tuned for PostgreSQL (used by the sync path's visit and pain-point writes)."""

import json
from functools import cache

from sqlalchemy import JSON, ColumnElement, Table, insert
from sqlalchemy.dialects import postgresql
from sqlmodel import Session


def bulk_insert(session: Session, table: Table, rows: list[dict], common: dict) -> None:
    """Insert `rows` (dicts with the same keys), each completed with the `common` values (which may hold
    SQL expressions). On PostgreSQL this is one statement whatever the number of rows: each varying
    column travels as one array, unnested by the server; elsewhere an executemany."""
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        plain = {k: v for k, v in common.items() if not isinstance(v, ColumnElement)}
        sql = {k: v for k, v in common.items() if isinstance(v, ColumnElement)}
        connection.execute(insert(table).values(sql) if sql else insert(table), [{**row, **plain} for row in rows])
        return
    varying, params = list(rows[0]), {}
    for i, name in enumerate(varying):
        values = [row[name] for row in rows]
        if isinstance(table.c[name].type, JSON):
            values = [json.dumps(v) for v in values]
        params[f"v{i}"] = values
    selected = ["u.*"]
    for i, (name, value) in enumerate(common.items()):
        if isinstance(value, ColumnElement):
            selected.append(str(value.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})))
        else:
            params[f"c{i}"] = value
            selected.append(f"%(c{i})b::{_pg_type(table, name)}")
    arrays = ", ".join(
        f"%(v{i})b::{'TEXT[]::' if isinstance(table.c[name].type, JSON) else ''}{_pg_type(table, name)}[]"
        for i, name in enumerate(varying)
    )
    columns = ", ".join(f'"{name}"' for name in [*varying, *common])
    # Only names and types from the table definition are spliced in; every value is a parameter.
    statement = f'INSERT INTO "{table.name}" ({columns}) SELECT {", ".join(selected)} FROM unnest({arrays}) AS u'  # noqa: S608
    connection.exec_driver_sql(statement, params)


@cache
def _pg_type(table: Table, column: str) -> str:
    return table.c[column].type.compile(dialect=postgresql.dialect())
