"""Making sure the configured database exists before Django first connects to it."""

from __future__ import annotations

from typing import Any

import psycopg2
from psycopg2 import sql


def ensure_database(db: dict[str, Any]) -> bool:
    """Create the database named in settings if it is missing; returns True if it was created."""
    params = {
        "host": db.get("HOST") or None,
        "port": db.get("PORT") or None,
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
        "dbname": "postgres",
        "connect_timeout": 5,
    }
    conn = psycopg2.connect(**{k: v for k, v in params.items() if v is not None})
    try:
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]])
            if cursor.fetchone():
                return False
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))
            return True
    finally:
        conn.close()


def describe_database(db: dict[str, Any]) -> str:
    return f"PostgreSQL {db.get('USER') or ''}@{db.get('HOST') or 'socket'}:{db.get('PORT') or 5432}/{db['NAME']}"
