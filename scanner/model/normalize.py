"""Brings a snapshot (collected, or loaded from a file someone edited) to the declared shape (schema/snapshot.py)."""

from __future__ import annotations

from typing import Any

from ..schema.snapshot import (
    BOOL,
    FREE,
    INT,
    LISTS_ALWAYS_PRESENT,
    MAPS_ALWAYS_PRESENT,
    NUMBER,
    REQUIRED,
    SNAPSHOT,
    STR,
    Map,
)


def normalize_snapshot(snapshot: Any) -> dict[str, Any]:
    """The snapshot in the declared shape; never raises."""
    shaped = _shape(snapshot, SNAPSHOT) or {}
    for name in LISTS_ALWAYS_PRESENT:
        shaped[name] = shaped.get(name) or []
    for name in MAPS_ALWAYS_PRESENT:
        shaped[name] = shaped.get(name) or {}
    return shaped


def _shape(value: Any, spec: Any) -> Any:
    if type(spec) is not str:
        return _shape_container(value, spec)
    if spec == STR:
        return value if isinstance(value, str) else None
    if spec == BOOL:
        return value if isinstance(value, bool) else None
    if spec == INT:
        return value if isinstance(value, int) and not isinstance(value, bool) else None
    if spec == NUMBER:
        return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    if spec == FREE:
        return value if isinstance(value, dict) else None
    return _shape_container(value, spec)


def _shape_container(value: Any, spec: Any) -> Any:
    if isinstance(spec, Map):
        if not isinstance(value, dict):
            return None
        shaped_map = {str(key): _shape(item, spec.value) for key, item in value.items()}
        return {key: item for key, item in shaped_map.items() if item is not None}
    if isinstance(spec, list):
        if not isinstance(value, list):
            return None
        shaped_items = [_shape(item, spec[0]) for item in value]
        return [item for item in shaped_items if item is not None]
    if not isinstance(value, dict):
        return None
    shaped = {}
    for key, field in spec.items():
        if key in value and key != REQUIRED:
            item = value[key]
            # A string field (most of them) checked here: one call less each.
            shaped[key] = (item if isinstance(item, str) else None) if field is STR else _shape(item, field)
    if any(shaped.get(key) is None for key in spec.get(REQUIRED, ())):
        return None
    return shaped
