"""Spec rules: common. Registered on import."""
