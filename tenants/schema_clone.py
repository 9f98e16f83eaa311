"""Make a region schema by copying the migrated template schema (provisioning's fast path), verified.

django-tenants' clone function (pg-clone-schema) copies tables, data, sequences, functions and triggers in
one statement, but not every detail survives: unique constraints come out under PostgreSQL's default names
(`<table>_<columns>_key` instead of Django's `..._uniq`), and identity sequences of integer columns come out
as bigint sequences capped at 2^31-1. A later migration that drops a constraint by name would then fail in
cloned regions only. So after cloning we rename those constraints and retype those sequences to match the
template, then compare a catalogue signature of both schemas (columns, constraints, indexes, triggers,
sequences, functions, applied migrations). If anything still differs, the copy is dropped and the caller
falls back to plain migrations.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from django.db import connection
from django_tenants.clone import CloneSchema

from tenants.models import validate_schema_name

logger = logging.getLogger(__name__)


class CloneMismatchError(RuntimeError):
    """The copy differs from the template; the caller drops it and migrates instead."""


def _rows(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [tuple(row) for row in cursor.fetchall()]


def _unique_constraints(schema: str) -> dict[tuple[str, tuple[str, ...]], str]:
    """(table, columns) -> constraint name, for the schema's unique constraints."""
    rows = _rows(
        """
        SELECT c.relname, con.conname,
               ARRAY(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(attnum, ord)
                     JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum ORDER BY k.ord)
        FROM pg_constraint con
        JOIN pg_class c ON c.oid = con.conrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = %s AND con.contype = 'u'
        """,
        [schema],
    )
    return {(table, tuple(columns)): name for table, name, columns in rows}


def _sequence_types(schema: str) -> dict[str, str]:
    rows = _rows(
        """
        SELECT c.relname, format_type(s.seqtypid, NULL)
        FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = %s
        """,
        [schema],
    )
    return dict(rows)


def _repair(template: str, target: str) -> None:
    """Give the copy the template's constraint names and sequence types."""
    wanted = _unique_constraints(template)
    with connection.cursor() as cursor:
        for key, name in _unique_constraints(target).items():
            if key in wanted and wanted[key] != name:
                cursor.execute(f'ALTER TABLE "{target}"."{key[0]}" RENAME CONSTRAINT "{name}" TO "{wanted[key]}"')
        types = _sequence_types(template)
        for sequence, seq_type in _sequence_types(target).items():
            if sequence in types and types[sequence] != seq_type:
                cursor.execute(f'ALTER SEQUENCE "{target}"."{sequence}" AS {types[sequence]}')


def schema_signature(schema: str) -> dict[str, list[tuple[Any, ...]]]:
    """What the schema is made of, with its own name replaced by `S`, so two schemas can be compared."""
    if schema != "template":
        validate_schema_name(schema)
    qualifier = re.compile(rf'(?<![A-Za-z0-9_])"?{re.escape(schema)}"?\.')

    def norm(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        return sorted(tuple(qualifier.sub("S.", v) if isinstance(v, str) else v for v in row) for row in rows)

    return {
        "columns": norm(
            _rows(
                "SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attidentity,"
                " pg_get_expr(d.adbin, d.adrelid) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
                " LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
                " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s"
                " AND a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm')",
                [schema],
            )
        ),
        "constraints": norm(
            _rows(
                "SELECT c.relname, con.conname, con.contype, pg_get_constraintdef(con.oid), con.condeferrable,"
                " con.condeferred FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid"
                " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s",
                [schema],
            )
        ),
        "indexes": norm(_rows("SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = %s", [schema])),
        "triggers": norm(
            _rows(
                "SELECT c.relname, t.tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t"
                " JOIN pg_class c ON c.oid = t.tgrelid"
                " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND NOT t.tgisinternal",
                [schema],
            )
        ),
        "sequences": norm(
            _rows(
                "SELECT c.relname, format_type(s.seqtypid, NULL), s.seqmin, s.seqmax, s.seqincrement, s.seqcycle"
                " FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid"
                " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s",
                [schema],
            )
        ),
        "functions": norm(
            _rows(
                "SELECT p.proname, pg_get_functiondef(p.oid) FROM pg_proc p"
                " JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = %s",
                [schema],
            )
        ),
        # The schema name is validated (SCHEMA_RE) before it reaches this identifier.
        "migrations": norm(_rows(f'SELECT app, name FROM "{schema}".django_migrations', [])),  # noqa: S608
    }


def signature_differences(first: str, second: str) -> list[str]:
    a, b = schema_signature(first), schema_signature(second)
    problems = []
    for part in a:
        only_a, only_b = set(a[part]) - set(b[part]), set(b[part]) - set(a[part])
        problems += [f"{part}: only in {first}: {row}" for row in sorted(only_a, key=repr)[:5]]
        problems += [f"{part}: only in {second}: {row}" for row in sorted(only_b, key=repr)[:5]]
    return problems


def clone_verified(template: str, target: str) -> None:
    """Create `target` as a copy of `template` (structure and data), or raise CloneMismatchError after dropping
    a copy that does not match. The caller holds the template lock and has migrated the template."""
    validate_schema_name(target)
    connection.set_schema_to_public()
    CloneSchema().clone_schema(template, target, clone_mode="DATA")
    connection.set_schema_to_public()
    _repair(template, target)
    problems = signature_differences(template, target)
    if problems:
        logger.warning("clone of %s into %s differs, falling back: %s", template, target, problems)
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{target}" CASCADE')
        raise CloneMismatchError("; ".join(problems))
