"""Precision and recall of event-name/non-descriptive on labelled names.

Two lists: the shared sample (../shared/reference/event_names_sample.tsv, beside the repository)
and this project's own held-out list (tests/spec/data/naming_heldout.tsv). Targets for both:
at least 90% of bad names flagged, at most 3% of good names flagged.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from inspector.spec.naming_analysis import non_descriptive

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO.parent / "shared" / "reference" / "event_names_sample.tsv"
HELDOUT = Path(__file__).resolve().parent / "data" / "naming_heldout.tsv"

MIN_RECALL = 0.90
MAX_FALSE_POSITIVE_RATE = 0.03


def load(path: Path) -> tuple[list[str], list[str]]:
    if not path.is_file():
        pytest.fail(
            f"labelled names not found at {path}: the shared/ folder must sit beside the repository "
            "(shared/reference/event_names_sample.tsv)"
        )
    good: list[str] = []
    bad: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        label, _, name = line.partition("\t")
        if label == "good":
            good.append(name)
        elif label == "bad":
            bad.append(name)
    return good, bad


def measure(path: Path) -> tuple[float, float, list[str], list[str]]:
    good, bad = load(path)
    assert good and bad, f"{path} has no labelled rows"
    missed = [n for n in bad if non_descriptive(n) is None]
    false_pos = [n for n in good if non_descriptive(n) is not None]
    recall = 1 - len(missed) / len(bad)
    fp_rate = len(false_pos) / len(good)
    return recall, fp_rate, missed, false_pos


@pytest.mark.parametrize("path", [SAMPLE, HELDOUT], ids=["shared-sample", "heldout"])
def test_non_descriptive_precision_recall(path: Path) -> None:
    recall, fp_rate, missed, false_pos = measure(path)
    print(f"{path.name}: recall {recall:.3f}, false-positive rate {fp_rate:.3f}")
    assert recall >= MIN_RECALL, f"recall {recall:.3f} < {MIN_RECALL}; missed: {missed}"
    assert fp_rate <= MAX_FALSE_POSITIVE_RATE, f"false positives {fp_rate:.3f}: {false_pos}"


def test_heldout_is_big_enough() -> None:
    good, bad = load(HELDOUT)
    assert len(good) >= 150 and len(bad) >= 100
    assert not set(good) & set(bad)


def test_heldout_shares_few_names_with_sample() -> None:
    s_good, s_bad = load(SAMPLE)
    h_good, h_bad = load(HELDOUT)
    overlap = (set(s_good) | set(s_bad)) & (set(h_good) | set(h_bad))
    # A held-out list is only worth something if it is mostly new names.
    assert len(overlap) <= 10, overlap
