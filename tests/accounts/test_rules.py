"""Account rules without a database: passwords, hashing, tokens, expiry, lockout, scope."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher

from ecozone.accounts import rules
from ecozone.accounts.model import PUBLIC, AccountError, Principal, Scope

# --- usernames and passwords ------------------------------------------------------


def test_password_of_7_characters_is_too_short_and_8_is_enough():
    assert rules.password_problems("abcdefg", "alice") == [
        "password is 7 characters long; it must have at least 8"
    ]
    assert rules.password_problems("abcdefgh", "alice") == []


def test_password_counts_characters_not_bytes():
    # 8 Chinese characters are 24 bytes of UTF-8 but 8 characters: enough.
    assert rules.password_problems("生态环境监管平台", "alice") == []


def test_password_equal_to_the_username_is_refused_whatever_the_case():
    assert rules.password_problems("Supervisor", "supervisor") == [
        "password must not be the username"
    ]


def test_check_password_names_every_problem_at_once():
    with pytest.raises(AccountError) as caught:
        rules.check_password("bob", "bob")
    assert str(caught.value) == (
        "password is 3 characters long; it must have at least 8; password must not be the username"
    )


def test_username_rules():
    assert rules.check_username("zhang.san@cq") == "zhang.san@cq"
    for bad in ("a", "-leading", "with space", "张三", "x" * 65):
        with pytest.raises(AccountError, match="is not allowed"):
            rules.check_username(bad)


def test_unknown_role_names_the_known_ones():
    with pytest.raises(AccountError) as caught:
        rules.check_role("root")
    assert str(caught.value) == (
        "unknown role 'root'; expected one of admin, supervisor, enterprise, coordinator, bank"
    )


def test_role_bindings():
    assert rules.binding_problems("supervisor", district="两江新区", enterprises=[]) == []
    assert rules.binding_problems("supervisor", district=None, enterprises=[]) == []
    assert rules.binding_problems("enterprise", district=None, enterprises=["X"]) == []
    assert rules.binding_problems("enterprise", district=None, enterprises=[]) == [
        "an enterprise user must be bound to at least one enterprise"
    ]
    assert rules.binding_problems("admin", district="两江新区", enterprises=["X"]) == [
        "only a supervisor has a district, not role admin",
        "only an enterprise user is bound to enterprises, not role admin",
    ]


# --- hashing and tokens --------------------------------------------------------------


def test_hash_verifies_the_right_password_only(monkeypatch):
    hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(rules, "PASSWORD_HASHER", hasher)
    stored = rules.hash_password("correct horse")
    assert stored.startswith("$argon2id$v=19$m=8,t=1,p=1$")
    assert "correct horse" not in stored
    assert rules.verify_password(stored, "correct horse") == (True, False)
    assert rules.verify_password(stored, "correct horsE") == (False, False)
    assert rules.verify_password("not a hash", "correct horse") == (False, False)


def test_hash_made_with_other_parameters_needs_rehash(monkeypatch):
    monkeypatch.setattr(rules, "PASSWORD_HASHER", PasswordHasher(time_cost=1, memory_cost=8,
                                                                  parallelism=1))  # fmt: skip
    old = rules.hash_password("correct horse")
    monkeypatch.setattr(rules, "PASSWORD_HASHER", PasswordHasher(time_cost=2, memory_cost=16,
                                                                  parallelism=1))  # fmt: skip
    # Still the right password, but made with m=8,t=1: replace it.
    assert rules.verify_password(old, "correct horse") == (True, True)
    assert rules.verify_password(rules.hash_password("correct horse"), "correct horse") == (
        True,
        False,
    )


def test_default_hasher_is_argon2id_with_rfc_9106_low_memory_parameters():
    hasher = PasswordHasher()
    assert (hasher.time_cost, hasher.memory_cost, hasher.parallelism) == (3, 65536, 4)


def test_token_hash_is_sha256_hex():
    # FIPS 180-2 test vector: SHA-256("abc").
    assert rules.token_hash("abc") == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )


def test_new_tokens_are_43_characters_and_differ():
    tokens = {rules.new_token() for _ in range(100)}
    assert len(tokens) == 100
    assert {len(token) for token in tokens} == {43}  # 32 bytes in base64url: ceil(32*4/3)


# --- expiry -------------------------------------------------------------------------


def test_session_expiry_slides_8_hours_past_the_latest_use():
    created = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    # Used at 10:30: 10:30 + 8 h = 18:30.
    assert rules.session_expiry(created, created + timedelta(hours=1, minutes=30)) == datetime(
        2026, 3, 2, 18, 30, tzinfo=UTC
    )


def test_session_expiry_never_passes_7_days_after_login():
    created = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    # Used 6 days 20 h later: +8 h would be 7 days 4 h; capped at 7 days, 2026-03-09 09:00.
    used = created + timedelta(days=6, hours=20)
    assert rules.session_expiry(created, used) == datetime(2026, 3, 9, 9, 0, tzinfo=UTC)


def test_token_use_is_recorded_at_most_once_a_minute():
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    assert rules.is_due_for_touch(None, now)
    assert not rules.is_due_for_touch(now - timedelta(seconds=59), now)
    assert rules.is_due_for_touch(now - timedelta(seconds=60), now)


def test_api_token_days_are_1_to_366():
    assert rules.check_token_days(1) == 1
    with pytest.raises(AccountError, match=r"token lifetime of 0 days is outside 1\.\.366"):
        rules.check_token_days(0)


# --- login backoff --------------------------------------------------------------------


def test_backoff_is_free_then_doubles_up_to_its_cap():
    backoff = rules.Backoff(free=3, base_s=1.0, cap_s=60.0)
    # 0, 1, 2 failures: no wait; 3: 1 s; 4: 2 s; 5: 4 s ... 9: 64 s, capped to 60 s.
    assert [backoff.wait_s(n) for n in range(11)] == [0, 0, 0, 1, 2, 4, 8, 16, 32, 60, 60]
    assert backoff.wait_s(10_000) == 60.0  # no overflow however many


def test_login_waits_after_the_newest_failure_of_the_pair():
    # Pair failures at 100, 101, 102, 103 s: 4 failures wait 2 s after 103, so until 105.
    pair = [100.0, 101.0, 102.0, 103.0]
    wait = rules.login_wait_s(104.0, pair=pair, address=pair, account=pair, known_address=False)
    assert wait == 1.0
    assert rules.login_wait_s(105.0, pair=pair, address=pair, account=pair,
                              known_address=False) == 0.0  # fmt: skip


def test_others_failures_on_the_account_do_not_delay_a_known_address():
    # 40 failures of the account from elsewhere: an unknown address waits the cap
    # (30 s after the newest, at 140), the user's known address not at all.
    account = [100.0 + n for n in range(41)]
    assert rules.login_wait_s(141.0, pair=[], address=[], account=account,
                              known_address=False) == 30.0 - 1.0  # fmt: skip
    assert rules.login_wait_s(141.0, pair=[], address=[], account=account,
                              known_address=True) == 0.0  # fmt: skip


def test_a_spray_from_one_address_waits_after_20_failures():
    spray = [float(n) for n in range(20)]  # 20 usernames, one failure each, at 0..19 s
    # 20 failures: the 21st attempt waits 1 s after the newest (19 + 1 = 20).
    assert rules.login_wait_s(19.5, pair=[], address=spray, account=[],
                              known_address=False) == 0.5  # fmt: skip
    assert rules.login_wait_s(19.5, pair=[], address=spray[:19], account=[],
                              known_address=False) == 0.0  # fmt: skip


# --- scope ----------------------------------------------------------------------------

ADMIN = Principal(user_id=1, username="admin", role="admin")
CITY = Principal(user_id=2, username="city", role="supervisor")
DISTRICT_7 = Principal(user_id=3, username="lj", role="supervisor", district_id=7)
OWNER_OF_42 = Principal(user_id=4, username="power", role="enterprise",
                        enterprise_ids=frozenset({42}))  # fmt: skip
COORDINATOR = Principal(user_id=5, username="plan", role="coordinator")


@pytest.mark.parametrize(
    ("principal", "own_in_7", "other_in_8", "disclosed_in_8"),
    [
        (ADMIN, True, True, True),
        (CITY, True, True, True),
        (DISTRICT_7, True, False, False),
        (OWNER_OF_42, True, False, False),
        (COORDINATOR, False, False, True),
        (PUBLIC, False, False, True),
    ],
)
def test_who_sees_which_enterprise(principal, own_in_7, other_in_8, disclosed_in_8):
    # Enterprise 42 in district 7, enterprise 43 in district 8; 44 in district 8 is disclosed.
    # A logged-in user's scope replaces the public view: an enterprise sees its own data
    # "and nobody else's" (DESIGN.md), a district supervisor the district.
    assert principal.scope.can_read(42, district_id=7, disclosed=False) is own_in_7
    assert principal.scope.can_read(43, district_id=8, disclosed=False) is other_in_8
    assert principal.scope.can_read(44, district_id=8, disclosed=True) is disclosed_in_8


def test_public_is_not_authenticated():
    assert not PUBLIC.is_authenticated
    assert (PUBLIC.username, PUBLIC.role) == ("anonymous", "public")
    assert ADMIN.is_authenticated and ADMIN.is_staff and ADMIN.scope.everything
    assert DISTRICT_7.is_staff and not DISTRICT_7.scope.everything


def test_scope_of_each_role():
    assert ADMIN.scope.everything and not ADMIN.scope.disclosed_only
    assert Principal(1, "city", "supervisor").scope.everything
    assert not DISTRICT_7.scope.everything and DISTRICT_7.scope.district_id == 7
    assert COORDINATOR.scope.disclosed_only and PUBLIC.scope.disclosed_only
    # A stored user whose role claims admin but who is not authenticated reads as the public.
    assert Principal(None, "ghost", "admin").scope.disclosed_only


def test_own_scope_is_narrower_than_disclosure():
    assert Scope("admin").owns(9, district_id=2)
    assert Scope("supervisor", district_id=2).owns(9, district_id=2)
    assert not Scope("supervisor", district_id=2).owns(9, district_id=3)
    assert Scope("enterprise", enterprise_ids=frozenset({9})).owns(9, district_id=3)
    assert not Scope("enterprise", enterprise_ids=frozenset({9})).owns(8, district_id=3)
    # The public reads a disclosed enterprise but it is never its own business.
    assert Scope("public").can_read(9, district_id=2, disclosed=True)
    assert not Scope("public").owns(9, district_id=2)
