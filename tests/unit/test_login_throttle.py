"""Login throttling rules (staff/throttle.py): the address buckets and the failed-login locks, with
times passed in (no clock, no sleeps)."""

from __future__ import annotations

from callcenter.staff.throttle import AddressBuckets, FailedLogins, LoginPolicy

POLICY = LoginPolicy(attempts_per_minute=10, burst=3, max_failures=5, lockout_seconds=900, max_tracked=100)


def test_a_bucket_allows_a_burst_then_the_rate_and_tells_how_long_to_wait() -> None:
    buckets = AddressBuckets(POLICY)
    assert [buckets.take("10.0.0.1", 0.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert buckets.take("10.0.0.1", 0.0) == 6.0  # 10 a minute: one token every 6 s
    assert buckets.take("10.0.0.2", 0.0) == 0.0  # another address has its own bucket
    assert buckets.take("10.0.0.1", 6.0) == 0.0
    assert buckets.take("10.0.0.1", 6.0) > 0


def test_a_successful_login_gives_its_token_back() -> None:
    buckets = AddressBuckets(POLICY)
    for _ in range(20):  # twenty colleagues behind one NAT address log in at shift start
        assert buckets.take("10.0.0.9", 0.0) == 0.0
        buckets.give_back("10.0.0.9", 0.0)


def test_buckets_are_bounded_and_full_ones_are_forgotten() -> None:
    buckets = AddressBuckets(POLICY)
    for n in range(1000):
        buckets.take(f"10.1.{n // 256}.{n % 256}", 0.0)
    assert len(buckets) == POLICY.max_tracked
    buckets.take("10.2.0.1", 3600.0)  # an hour later every old bucket is full again: the same as none
    assert len(buckets) == 1


def test_five_failures_lock_the_login_from_that_source_only() -> None:
    failures = FailedLogins(POLICY)
    assert [failures.record("admin", "203.0.113.5", t) for t in range(4)] == [None] * 4
    lockout = failures.record("admin", "203.0.113.5", 4.0)
    assert lockout is not None and lockout.failures == 5 and lockout.until == 904.0
    assert failures.locked_for("admin", "203.0.113.5", 10.0) == 894.0
    assert failures.locked_for("admin", "10.0.0.7", 10.0) == 0.0  # the real admin's desk
    assert failures.locked_for("agent1", "203.0.113.5", 10.0) == 0.0
    assert failures.locked_for("admin", "203.0.113.5", 904.0) == 0.0  # the lock ends


def test_the_lockout_reports_the_accounts_failures_from_every_source() -> None:
    failures = FailedLogins(POLICY)
    for source in ("198.51.100.1", "198.51.100.2"):
        failures.record("admin", source, 0.0)
    for t in range(5):
        lockout = failures.record("admin", "203.0.113.5", float(t))
    assert lockout is not None
    assert (lockout.account_failures, lockout.account_sources) == (7, 3)
    assert failures.locks(10.0) == [("admin", "203.0.113.5", 894.0)]


def test_failures_age_out_and_a_right_password_or_an_admin_clears_them() -> None:
    failures = FailedLogins(POLICY)
    for t in range(4):
        failures.record("agent1", "10.0.0.1", float(t))
    assert failures.record("agent1", "10.0.0.1", 1000.0) is None  # the first four are out of the window
    failures.clear("agent1", "10.0.0.1")
    assert len(failures) == 0
    for t in range(5):
        failures.record("agent1", "10.0.0.2", float(t))
    assert failures.unlock("agent1") == 1
    assert failures.locked_for("agent1", "10.0.0.2", 5.0) == 0.0


def test_a_thousand_junk_logins_do_not_grow_the_table_past_its_bound() -> None:
    failures = FailedLogins(POLICY)
    for n in range(1000):
        failures.record(f"junk{n}", "203.0.113.5", float(n))
    assert len(failures) == POLICY.max_tracked
    failures.record("junk-late", "203.0.113.5", 1000.0 + POLICY.lockout_seconds)
    assert len(failures) == 1  # everything older than the window has expired
