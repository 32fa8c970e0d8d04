"""The read-only JSON API of published content at /api/ (docs/api.md)."""
