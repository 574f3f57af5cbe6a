"""Account rules without a database: passwords, hashing, tokens, expiry, lockout, scope."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher

from ecozone.accounts import rules
from ecozone.accounts.model import PUBLIC, AccountError, Principal, RateLimited, Scope
from ecozone.accounts.throttle import LoginThrottle

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
        "unknown role 'root'; expected one of admin, supervisor, enterprise, coordinator"
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


# --- lockout --------------------------------------------------------------------------


def test_retry_after_with_5_failures_in_the_window():
    # Failures at t = 0, 10, 20, 30, 40 s; at t = 100 all five lie within 300 s,
    # so the next try waits until the oldest leaves: 0 + 300 - 100 = 200 s.
    failures = [0.0, 10.0, 20.0, 30.0, 40.0]
    assert rules.retry_after(failures, 100.0, limit=5, window_s=300.0) == 200.0
    # Four failures: allowed.
    assert rules.retry_after(failures[:4], 100.0, limit=5, window_s=300.0) is None
    # At t = 300 the failure at 0 has left the window (300 - 0 is not < 300).
    assert rules.retry_after(failures, 300.0, limit=5, window_s=300.0) is None


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_throttle_refuses_the_6th_attempt_after_5_failures_for_a_username():
    clock = FakeClock()
    throttle = LoginThrottle(clock=clock)
    for second in range(5):
        clock.now = 1000.0 + second
        throttle.check("alice", "10.0.0.1")
        throttle.failed("alice", "10.0.0.1")
    clock.now = 1010.0
    with pytest.raises(RateLimited) as caught:
        throttle.check("ALICE", "10.0.0.2")  # other case, other address: same username
    # Oldest failure at 1000 leaves the window at 1300: 1300 - 1010 = 290 s.
    assert caught.value.retry_after_s == 290
    assert str(caught.value) == (
        "too many failed logins for this username or from this address; try again in 290 s"
    )
    throttle.check("bob", "10.0.0.2")  # other usernames are not affected
    clock.now = 1300.0
    throttle.check("alice", "10.0.0.1")  # window passed


def test_throttle_counts_failures_per_address_across_usernames():
    clock = FakeClock()
    throttle = LoginThrottle(clock=clock)
    for n in range(20):  # a spray: 20 usernames, one failure each, from one address
        throttle.failed(f"user{n}", "10.0.0.9")
    with pytest.raises(RateLimited):
        throttle.check("user99", "10.0.0.9")
    throttle.check("user99", "10.0.0.10")


def test_a_correct_password_clears_the_usernames_failures():
    throttle = LoginThrottle(clock=FakeClock())
    for _ in range(4):
        throttle.failed("alice", "10.0.0.1")
    throttle.succeeded("alice")
    throttle.failed("alice", "10.0.0.1")
    throttle.check("alice", "10.0.0.1")  # 1 failure since, not 5


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
