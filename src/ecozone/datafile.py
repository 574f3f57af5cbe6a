"""Walking the data of a file people write (registry, permits), collecting every problem.

One reader for every such file, so they all say the same thing about the same mistake:
each error is prefixed by its path (enterprises[3].points[0].code), quotes values only
cut short (safeyaml.brief) and refuses text the platform cannot store (textguard).
Pure: the data comes already loaded from YAML or JSON.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from ecozone.safeyaml import brief
from ecozone.textguard import describe, find_unstorable


def where(path: str, key: str) -> str:
    """`path.key`, or `key` at the top of a file."""
    return f"{path}.{key}" if path else key


class FileReader:
    """Collects errors and warnings while reading one file's data."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.warnings: list[str] = []

    def error(self, path: str, message: str) -> None:
        self.errors.append(f"{path}: {message}")

    def mapping(self, value: Any, path: str, keys: tuple[str, ...]) -> Mapping[str, Any] | None:
        """`value` when it is a mapping; each key outside `keys` is an error."""
        if not isinstance(value, Mapping):
            self.error(path, f"expected a mapping with keys {', '.join(keys)}, got {brief(value)}")
            return None
        for key in value:
            if key not in keys:
                close = difflib.get_close_matches(str(key), keys, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                self.error(path, f"unknown key {brief(key)}{hint}")
        return value

    def items(self, node: Mapping[str, Any], key: str, path: str) -> list[Any]:
        """The list at `key`; absent is empty."""
        value = node.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(where(path, key), f"must be a list, not {brief(value)}")
            return []
        return value

    def text(
        self,
        node: Mapping[str, Any],
        key: str,
        path: str,
        *,
        required: bool,
        max_length: int | None = None,
    ) -> str | None:
        return self.text_value(
            node.get(key), where(path, key), required=required, max_length=max_length
        )

    def text_value(
        self, value: Any, at: str, *, required: bool, max_length: int | None = None
    ) -> str | None:
        """Single-line text, stripped; None (and an error when required) if absent or bad."""
        if value is None:
            if required:
                self.error(at, "missing")
            return None
        if not isinstance(value, str):
            kind = type(value).__name__
            self.error(
                at, f"must be text; write it in quotes (the file gives {brief(value)}, a {kind})"
            )
            return None
        value = value.strip()
        if not value:
            self.error(at, "is empty")
            return None
        if max_length is not None and len(value) > max_length:
            self.error(at, f"is {len(value)} characters long; at most {max_length} are allowed")
            return None
        found = find_unstorable(value)
        if found is not None:
            position, char = found
            self.error(at, f"character {describe(char)} at position {position + 1} is not allowed")
            return None
        return value

    def flag(self, node: Mapping[str, Any], key: str, path: str, default: bool) -> bool:
        value = node.get(key, default)
        if not isinstance(value, bool):
            self.error(where(path, key), f"must be true or false, not {brief(value)}")
            return default
        return value
