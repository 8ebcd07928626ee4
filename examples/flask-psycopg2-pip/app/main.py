"""A small notes service backed by PostgreSQL.

The database is optional at start-up: /health answers without it so the
container can be checked on its own, /db reports whether PostgreSQL is reachable.
"""

import os

import psycopg2
from flask import Flask, jsonify, request

app = Flask(__name__)

DATABASE_URL = os.environ.get("DATABASE_URL", "postgresql://notes:notes@localhost:5432/notes")


def connect():
    return psycopg2.connect(DATABASE_URL, connect_timeout=2)


@app.get("/health")
def health():
    return jsonify(status="ok", libpq=psycopg2.__libpq_version__)


@app.get("/db")
def db():
    try:
        with connect() as conn, conn.cursor() as cur:
            cur.execute("SELECT version()")
            (version,) = cur.fetchone()
        return jsonify(database="up", version=version)
    except psycopg2.OperationalError as exc:
        return jsonify(database="down", error=str(exc).strip()), 503


@app.post("/notes")
def add_note():
    body = request.get_json(force=True)
    with connect() as conn, conn.cursor() as cur:
        cur.execute("CREATE TABLE IF NOT EXISTS notes (id serial PRIMARY KEY, text text NOT NULL)")
        cur.execute("INSERT INTO notes (text) VALUES (%s) RETURNING id", (body["text"],))
        (note_id,) = cur.fetchone()
    return jsonify(id=note_id), 201


@app.get("/notes")
def list_notes():
    with connect() as conn, conn.cursor() as cur:
        cur.execute("CREATE TABLE IF NOT EXISTS notes (id serial PRIMARY KEY, text text NOT NULL)")
        cur.execute("SELECT id, text FROM notes ORDER BY id")
        rows = cur.fetchall()
    return jsonify([{"id": r[0], "text": r[1]} for r in rows])
