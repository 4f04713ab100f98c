"""The session store (SQLite). See ``session.py`` and docs/session-format.md."""

from inspector.store.session import (
    MessageRecord,
    RequestRecord,
    Row,
    SessionMessage,
    Store,
    StoreError,
    in_use,
    read_session_messages,
)

__all__ = [
    "MessageRecord",
    "RequestRecord",
    "Row",
    "SessionMessage",
    "Store",
    "StoreError",
    "in_use",
    "read_session_messages",
]
