"""The YAML reader of files people write: no aliases, no repeated keys, bounded messages."""

from __future__ import annotations

import datetime

import pytest

from ecozone.compliance.permit_file import parse_permits
from ecozone.registry.rules import parse_registry
from ecozone.safeyaml import MESSAGE_QUOTE_MAX, YamlRefused, brief, load, read_file

# Ten levels of nine aliases each: 9**10 (about 3.5 billion) strings once expanded, 1 KB here.
ALIAS_BOMB = "\n".join(
    ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    + ["enterprises: *a9"]
)


def _expanding_structure() -> list:
    """What the bomb's first seven lines load to under a plain SafeLoader: 9**7 leaves
    (4.8 million, 38 MB of repr) sharing 7 lists."""
    node: list = ["lol"] * 9
    for _ in range(6):
        node = [node] * 9
    return node


def test_an_alias_bomb_is_refused_at_its_first_anchor_with_a_short_message() -> None:
    assert len(ALIAS_BOMB) < 1024
    with pytest.raises(YamlRefused) as caught:
        load(ALIAS_BOMB)
    assert str(caught.value) == (
        "line 1: anchors and aliases (& and *) are not allowed; write each value out"
    )


def test_a_lone_alias_and_a_merge_key_are_refused_too() -> None:
    with pytest.raises(YamlRefused, match=r"^line 1: merge keys \(<<\) are not allowed$"):
        load("<<: {limit: 50}\nunit: mg/m3\n")
    with pytest.raises(YamlRefused, match=r"^line 2: anchors and aliases"):
        load("a: 1\nb: *a\n")


def test_a_repeated_key_is_refused_naming_the_key_and_both_lines() -> None:
    text = (
        "permits:\n"  # line 1
        "  - permit_no: P1\n"  # line 2
        "    limits:\n"  # line 3
        "      - pollutant: a21026\n"  # line 4
        "        limit: 50\n"  # line 5
        "        unit: mg/m3\n"  # line 6
        "        limit: 99999\n"  # line 7: silently won under yaml.safe_load
    )
    with pytest.raises(YamlRefused) as caught:
        load(text)
    assert str(caught.value) == (
        "line 7: key 'limit' is repeated (first at line 5); each key may appear once"
    )


def test_a_repeated_key_in_a_flow_mapping_is_refused() -> None:
    with pytest.raises(YamlRefused, match=r"^line 1: key 'mn' is repeated \(first at line 1\)"):
        load('device: {mn: "A", password: "1", mn: "B"}')


def test_plain_files_load_as_with_the_safe_loader() -> None:
    assert load("districts: [两江新区]\nvalid_from: 2024-01-01\nlimit: 50.0\nx: null\n") == {
        "districts": ["两江新区"],
        "valid_from": datetime.date(2024, 1, 1),
        "limit": 50.0,
        "x": None,
    }


def test_size_nesting_and_encoding_are_bounded(tmp_path) -> None:
    with pytest.raises(YamlRefused, match="larger than 100 bytes"):
        load("a: " + "x" * 100, max_bytes=100)
    path = tmp_path / "big.yaml"
    path.write_bytes(b"a: " + b"x" * 200)
    with pytest.raises(YamlRefused, match="larger than 100 bytes"):
        read_file(path, max_bytes=100)
    with pytest.raises(YamlRefused, match=r"^line 1: nested more than 32 levels deep$"):
        load("[" * 10_000 + "]" * 10_000)
    with pytest.raises(YamlRefused, match=r"^not UTF-8 text \(byte 4\)$"):
        load(b"a: \xff")
    with pytest.raises(YamlRefused, match=r"^line 2: not a readable YAML file: "):
        load("districts: [unclosed\n")


def test_brief_cuts_any_value_short() -> None:
    assert brief("DA001") == "'DA001'"
    assert len(brief("x" * 10_000)) <= MESSAGE_QUOTE_MAX
    assert len(brief(_expanding_structure())) <= MESSAGE_QUOTE_MAX


def test_file_readers_quote_an_expanding_value_cut_short() -> None:
    """Data loaded elsewhere (JSON, an older loader) may still share nodes: the error
    names it in a few characters instead of formatting billions."""
    bomb = _expanding_structure()
    _, errors, _ = parse_registry({"enterprises": [bomb]})
    assert len(errors) == 1 and errors[0].startswith("enterprises[0]: expected a mapping")
    assert len(errors[0]) < 300
    _, errors, _ = parse_permits({"permits": bomb})
    assert all(len(error) < 300 for error in errors)
    _, errors, _ = parse_permits(bomb)
    assert len(errors) == 1 and len(errors[0]) < 300
