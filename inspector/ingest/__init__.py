"""Segment-compatible ingestion: decoding, limits, the aiohttp app and the capture pipeline."""

from inspector.ingest.app import PortInUse, create_app, make_runner, start_server
from inspector.ingest.service import Capture, Outcome

__all__ = ["Capture", "Outcome", "PortInUse", "create_app", "make_runner", "start_server"]
