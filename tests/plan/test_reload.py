"""The plan is re-read when its file changes; a broken edit keeps the previous plan."""

from __future__ import annotations

import json
import os
from pathlib import Path

import yaml

from inspector.plan import load_plan
from inspector.plan.plan import Plan
from inspector.spec import Engine

from .helpers import rules, track

V1 = {"events": {"Signed Up": {"properties": {"plan": "string"}}}}
V2 = {"events": {"Signed Up": {"properties": {"plan": "integer"}}, "Logged In": None}}


def rewrite(path: Path, text: str, bump: int = 10) -> None:
    """Write and move the mtime forward so the change is seen whatever the clock resolution."""
    st = path.stat()
    path.write_text(text)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + bump * 1_000_000_000))


def test_reload_swaps_the_plan_under_the_same_engine(tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(V1))
    plan = load_plan(path)
    engine = Engine(extra=plan.rules)
    assert not [
        v for v in engine.check(track("Signed Up", plan="pro")) if v.rule.startswith("plan/")
    ]
    assert plan.reload_if_changed() is False

    rewrite(path, yaml.safe_dump(V2))
    assert plan.reload_if_changed() is True
    assert plan.reloads == 1
    found = [v for v in engine.check(track("Signed Up", plan="pro")) if v.rule.startswith("plan/")]
    assert rules(found) == [("plan/wrong-type", "properties.plan")]
    assert "Logged In" in plan.event_names


def test_broken_edit_keeps_the_previous_plan_and_records_the_error(tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(V1))
    plan = load_plan(path)

    rewrite(path, "events: [\n", bump=10)
    assert plan.reload_if_changed() is False
    assert plan.last_error is not None and "invalid YAML" in plan.last_error
    assert plan.check(track("Signed Up", plan="pro")) == []  # V1 still in force
    assert plan.coverage_summary()["error"] == plan.last_error
    # Not re-read again until the file changes again.
    assert plan.reload_if_changed() is False

    rewrite(path, yaml.safe_dump(V2), bump=20)
    assert plan.reload_if_changed() is True
    assert plan.last_error is None
    assert rules(plan.check(track("Signed Up", plan="pro"))) == [
        ("plan/wrong-type", "properties.plan")
    ]


def test_deleted_plan_keeps_the_previous_plan(tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(V1))
    plan = load_plan(path)
    path.unlink()
    assert plan.reload_if_changed() is False
    assert plan.last_error is not None and "no such file" in plan.last_error
    assert plan.event_names == ["Signed Up"]


def test_directory_plans_reload_when_a_file_is_added_or_changed(tmp_path: Path) -> None:
    d = tmp_path / "schemas"
    d.mkdir()
    (d / "signed_up.json").write_text(json.dumps({"title": "Signed Up"}))
    plan = load_plan(d)
    assert rules(plan.check(track("Logged In"))) == [("plan/unplanned-event", "event")]

    (d / "logged_in.json").write_text(json.dumps({"title": "Logged In", "required": ["via"]}))
    assert plan.reload_if_changed() is True
    assert rules(plan.check(track("Logged In"))) == [("plan/missing-required", "properties.via")]

    rewrite(d / "logged_in.json", json.dumps({"title": "Logged In"}))
    assert plan.reload_if_changed() is True
    assert plan.check(track("Logged In")) == []


def test_the_rule_looks_for_changes_at_most_once_per_interval(tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(V1))
    now = [100.0]
    plan = Plan(path, clock=lambda: now[0], interval=1.0)
    rewrite(path, yaml.safe_dump(V2))

    now[0] += 0.5
    assert plan.check(track("Signed Up", plan="pro")) == []  # too soon: not looked at yet
    now[0] += 0.6
    assert rules(plan.check(track("Signed Up", plan="pro"))) == [
        ("plan/wrong-type", "properties.plan")
    ]
    assert plan.reloads == 1


def test_coverage_survives_a_reload(tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(V1))
    plan = load_plan(path)
    plan.check(track("Signed Up", plan="pro"))
    rewrite(path, yaml.safe_dump(V2))
    plan.reload_if_changed()
    report = plan.coverage_summary()
    assert report["unseen"] == ["Logged In"]


async def test_watch_task_reloads_without_traffic(tmp_path: Path) -> None:
    import asyncio

    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(V1))
    plan = load_plan(path)
    task = asyncio.create_task(plan.watch(interval=0.01))
    try:
        rewrite(path, yaml.safe_dump(V2))
        for _ in range(200):
            if plan.reloads:
                break
            await asyncio.sleep(0.01)
        assert plan.reloads == 1
        assert "Logged In" in plan.event_names
    finally:
        task.cancel()
