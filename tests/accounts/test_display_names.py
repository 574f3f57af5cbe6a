"""A display name is shown on every page and export: control and bidi characters are refused."""

from __future__ import annotations

import pytest

from ecozone.accounts import audit, service
from ecozone.accounts.model import AccountError


@pytest.mark.parametrize(
    ("display_name", "problem"),
    [
        ("王\u202e工", "display name: character U+202E at position 2 is not allowed"),
        ("\x1b[1m王工", "display name: character U+001B (ESC) at position 1 is not allowed"),
        ("王工\n", "display name: character U+000A (LF) at position 3 is not allowed"),
    ],
)
def test_a_display_name_with_a_control_or_bidi_character_is_refused(engine, display_name, problem):
    with pytest.raises(AccountError) as caught:
        service.create_user(engine, "wang", "wang-password-1", role="admin", actor="tests",
                            display_name=display_name)  # fmt: skip
    assert str(caught.value) == f"user 'wang' not created: {problem}"
    assert service.list_users(engine) == []
    service.create_user(engine, "wang", "wang-password-1", role="admin", actor="tests",
                        display_name="王工")  # fmt: skip
    with pytest.raises(AccountError) as caught:
        service.update_user(engine, "wang", actor="tests", display_name=display_name)
    assert str(caught.value) == f"user 'wang' not changed: {problem}"
    assert service.get_user(engine, "wang").display_name == "王工"
    assert [entry.action for entry in audit.entries(engine, entity="user_account")] == ["create"]
