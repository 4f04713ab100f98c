"""The terminal UI (the only package that imports Textual). Entry point: ``app.run``."""
