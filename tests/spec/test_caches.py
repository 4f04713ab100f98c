"""The engine's memos are bounded and never change what a rule reports."""

from __future__ import annotations

from inspector.model import MessageMeta
from inspector.spec import naming
from inspector.spec.engine import Engine


def _track(event: str) -> dict[str, object]:
    return {"type": "track", "event": event, "userId": "u-1", "messageId": f"m-{event}"}


def test_event_name_memos_are_bounded() -> None:
    meta = MessageMeta()
    for i in range(naming.MEMO_SIZE + 50):
        msg = _track(f"Button {i} Clicked")
        naming.non_descriptive_event(msg, meta)
        naming.event_name_convention(msg, meta)
    assert 0 < len(naming._NON_DESCRIPTIVE) <= naming.MEMO_SIZE
    assert 0 < len(naming._CONVENTION) <= naming.MEMO_SIZE


def test_long_event_names_are_not_remembered() -> None:
    name = "Order " + "x" * naming.MEMO_NAME_LENGTH + " Completed"
    naming.non_descriptive_event(_track(name), MessageMeta())
    naming.event_name_convention(_track(name), MessageMeta())
    assert name not in naming._NON_DESCRIPTIVE and name not in naming._CONVENTION


def test_a_remembered_name_reports_what_a_fresh_one_does() -> None:
    names = ["Event 12", "order_completed", "Viewed Product", "Order Completed", "TMDropd"]
    first = [Engine().check(_track(n)) for n in names]
    again = [Engine().check(_track(n)) for n in names]  # now answered from the memos
    assert first == again
    naming._NON_DESCRIPTIVE.clear()
    naming._CONVENTION.clear()
    assert [Engine().check(_track(n)) for n in names] == first
