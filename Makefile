PY ?= .venv/bin/python

.PHONY: screenshots bench-tui

# SVGs of the real UI on a realistic session (README pictures).
screenshots:
	$(PY) scripts/screenshots.py screenshots

# UI benchmark: open/filter a 1,000,000-message session, key latency under 10,000 msg/s.
bench-tui:
	$(PY) benchmarks/bench_tui.py
