"""Reading YAML files people write (registry, permits), safely.

PyYAML's SafeLoader still expands aliases (a 1 KB file of nested aliases becomes
billions of nodes for whoever walks or prints it) and lets a repeated key silently
overwrite the first. This loader refuses anchors, aliases, merge keys and repeated keys
with the line they are on, bounds size and nesting, and `brief` bounds what an error
message quotes of a value.
"""

from __future__ import annotations

import reprlib
from typing import Any

import yaml
from yaml.events import AliasEvent, CollectionStartEvent
from yaml.nodes import MappingNode

from ecozone.errors import Invalid

MAX_BYTES = 4 * 1024 * 1024  # far above the largest registry of a zone
MAX_DEPTH = 32  # registry files nest 5 deep
MESSAGE_QUOTE_MAX = 80

_MERGE_TAG = "tag:yaml.org,2002:merge"


class YamlRefused(Invalid):
    """A YAML file that is unreadable or uses what these files do not allow."""


_repr = reprlib.Repr()
_repr.maxlevel = 2
_repr.maxdict = _repr.maxlist = _repr.maxtuple = _repr.maxset = 4
_repr.maxstring = _repr.maxother = 40


def brief(value: Any) -> str:
    """repr(value) cut short, for error messages: never longer than MESSAGE_QUOTE_MAX."""
    text = _repr.repr(value)
    if len(text) > MESSAGE_QUOTE_MAX:
        text = text[: MESSAGE_QUOTE_MAX - 3] + "..."
    return text


def _line(node_or_event: Any) -> int:
    return node_or_event.start_mark.line + 1


class _Loader(yaml.SafeLoader):
    """SafeLoader without anchors, aliases, merge keys or repeated keys, nesting bounded."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, AliasEvent) or getattr(event, "anchor", None) is not None:
            raise YamlRefused(
                f"line {_line(event)}: anchors and aliases (& and *) are not allowed;"
                " write each value out"
            )
        if not isinstance(event, CollectionStartEvent):
            return super().compose_node(parent, index)
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise YamlRefused(f"line {_line(event)}: nested more than {MAX_DEPTH} levels deep")
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        first_line: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == _MERGE_TAG:
                raise YamlRefused(f"line {_line(key_node)}: merge keys (<<) are not allowed")
            key = self.construct_object(key_node, deep=True)
            try:
                seen = first_line.get(key)
            except TypeError:  # an unhashable key: the constructor names it below
                continue
            if seen is not None:
                raise YamlRefused(
                    f"line {_line(key_node)}: key {brief(key)} is repeated"
                    f" (first at line {seen}); each key may appear once"
                )
            first_line[key] = _line(key_node)
        return super().construct_mapping(node, deep=deep)


def load(text: str | bytes, *, max_bytes: int = MAX_BYTES) -> Any:
    """The data of one YAML document; YamlRefused naming the line of what is wrong."""
    if isinstance(text, bytes):
        if len(text) > max_bytes:
            raise YamlRefused(f"file is larger than {max_bytes} bytes, the most read")
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise YamlRefused(f"not UTF-8 text (byte {exc.start + 1})") from None
    elif len(text.encode("utf-8")) > max_bytes:
        raise YamlRefused(f"file is larger than {max_bytes} bytes, the most read")
    loader = _Loader(text)
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = exc.problem or exc.context
        raise YamlRefused(f"{where}not a readable YAML file: {problem}") from None
    except yaml.YAMLError as exc:
        raise YamlRefused(f"not a readable YAML file: {brief(str(exc))}") from None
    finally:
        loader.dispose()


def read_file(path: Any, *, max_bytes: int = MAX_BYTES) -> Any:
    """`load` of a file, reading no more than `max_bytes` + 1 bytes of it."""
    with open(path, "rb") as file:
        data = file.read(max_bytes + 1)
    return load(data, max_bytes=max_bytes)
