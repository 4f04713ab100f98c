"""Spec rules: session. Registered on import."""
