"""The session file's SQLite schema (documented in docs/session-format.md).

One file per run. WAL journal so readers (the UI, the test API, `inspector export`) never
block the writer; ``synchronous=NORMAL`` is enough for the promise we make: a committed
transaction survives a crash of the process (SIGKILL), which is when the 200 is sent.

No secondary indexes on messages: inserts stay cheap at tens of thousands of messages
per second, and a full scan of a million rows answers a filter well under a second.
"""

SCHEMA_VERSION = 1

PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=OFF",
    "PRAGMA temp_store=MEMORY",
)

DDL = """
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Every HTTP request received (accepted, rejected, settings fetches, browser metrics).
CREATE TABLE IF NOT EXISTS requests (
    id            INTEGER PRIMARY KEY,
    received_at   TEXT NOT NULL,      -- ISO-8601 UTC, millisecond precision
    method        TEXT NOT NULL,
    path          TEXT NOT NULL,      -- path and query string as sent
    kind          TEXT NOT NULL,      -- ingest | metrics | settings | other
    status        INTEGER NOT NULL,   -- status we answered
    reason        TEXT,               -- why it was rejected (NULL when accepted)
    write_key     TEXT,
    headers       BLOB NOT NULL,      -- JSON list of [name, value] pairs, in order
    body          BLOB NOT NULL,      -- body bytes; inflated when it came gzip-encoded
    body_encoding TEXT,               -- 'gzip' when the body arrived compressed
    wire_size     INTEGER NOT NULL,   -- bytes on the wire (compressed size for gzip)
    message_count INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS requests_rejected ON requests(id) WHERE reason IS NOT NULL;

-- One row per message. The message's exact JSON text is body[raw_start:raw_end] of its
-- request (byte offsets), so it is stored once and kept byte-for-byte. raw_start = -1 means
-- the span was not computed at ingest (fast path): it is found again by re-scanning the
-- request body (item batch_index of its "batch" array).
CREATE TABLE IF NOT EXISTS messages (
    seq           INTEGER PRIMARY KEY,
    request_id    INTEGER NOT NULL,
    batch_index   INTEGER NOT NULL,
    raw_start     INTEGER NOT NULL,
    raw_end       INTEGER NOT NULL,
    received_at   TEXT NOT NULL,
    endpoint      TEXT NOT NULL,
    write_key     TEXT,
    type          TEXT,
    name          TEXT,               -- track event, page/screen name
    user_id       TEXT,
    anonymous_id  TEXT,
    message_id    TEXT,
    library       TEXT,               -- context.library.name (or the batch's)
    errors        INTEGER NOT NULL DEFAULT 0,
    warnings      INTEGER NOT NULL DEFAULT 0,
    infos         INTEGER NOT NULL DEFAULT 0,
    violations    BLOB,               -- JSON list of {rule, severity, path, message}, NULL if none
    extra         BLOB                -- JSON object of top-level fields the inspector set (batch
                                      -- context/integrations merged, type from the path), or NULL
);
"""
