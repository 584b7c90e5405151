"""TOTP verification through EnableMFADevice and ResyncMFADevice: the pair search windows,
order, replay, resynchronisation and guess throttling (iam-mfa.md §2, otp.md §6–§7).

Tessera's clock is frozen (test-mode.md) at MFA_NOW, step T; every code comes from oathtool (or
pyotp) for a chosen step, never from Tessera."""

import pytest
from botocore.exceptions import ClientError

from harness import MFA_NOW, MFA_STEP, TOTP_STEP, aws_error, enable_device, totp_pair
from harness import virtual_device

T = MFA_STEP
WRONG_CODE = "Authentication code for device is not valid."


@pytest.fixture
def alice(tessera):
    tessera.freeze(MFA_NOW)
    tessera.create_user("alice")
    return tessera


def assigned(tessera, user="alice"):
    return [d["SerialNumber"] for d in tessera.iam().list_mfa_devices(UserName=user)["MFADevices"]]


def enable(tessera, serial, codes, user="alice"):
    c1, c2 = codes
    tessera.iam().enable_mfa_device(UserName=user, SerialNumber=serial, AuthenticationCode1=c1,
                                    AuthenticationCode2=c2)


def resync(tessera, serial, codes, user="alice"):
    c1, c2 = codes
    tessera.iam().resync_mfa_device(UserName=user, SerialNumber=serial, AuthenticationCode1=c1,
                                    AuthenticationCode2=c2)


def refused(fn, *args):
    """The call fails exactly as a wrong code does (iam-mfa.md §4.2 step 6)."""
    with aws_error("InvalidAuthenticationCode", 403, message=WRONG_CODE):
        fn(*args)


def wrong_pair(seed, step=T):
    """A pair that is certainly wrong: the right first code and a different second one."""
    c1, c2 = totp_pair(seed, step)
    return c1, f"{(int(c2) + 500000) % 1000000:06d}"


# --- Enable window: s in [t-10, t+9] -----------------------------------------------------------


@pytest.mark.parametrize("offset, ok", [
    (0, True),
    (-1, True),
    (1, True),
    (-8, True),    # read 4 minutes ago
    (-10, True),   # edge of the window
    (9, True),     # device clock ahead, edge
    (-11, False),
    (10, False),
    (-20, False),  # read 10 minutes ago
    (40, False),
])
def test_enable_window(alice, offset, ok):
    serial, seed = virtual_device(alice.iam(), "dev")
    codes = totp_pair(seed, T + offset)
    if ok:
        enable(alice, serial, codes)
        assert assigned(alice) == [serial]
    else:
        refused(enable, alice, serial, codes)
        assert assigned(alice) == []


def test_enable_codes_in_reverse_order(alice):
    serial, seed = virtual_device(alice.iam(), "dev")
    c1, c2 = totp_pair(seed, T)
    refused(enable, alice, serial, (c2, c1))
    assert assigned(alice) == []
    enable(alice, serial, (c1, c2))  # nothing was consumed by the refusal


def test_enable_codes_not_consecutive(alice):
    serial, seed = virtual_device(alice.iam(), "dev")
    c0 = totp_pair(seed, T)[0]
    c2 = totp_pair(seed, T + 2)[0]
    refused(enable, alice, serial, (c0, c2))
    refused(enable, alice, serial, (c0, c0))
    assert assigned(alice) == []


def test_enable_codes_of_another_device(alice):
    serial, _ = virtual_device(alice.iam(), "dev")
    _, other_seed = virtual_device(alice.iam(), "other")
    refused(enable, alice, serial, totp_pair(other_seed, T))
    assert assigned(alice) == []


def test_clock_moves_the_window(alice):
    # The window follows Tessera's clock, not the real one: codes for the frozen instant one
    # day later are accepted only once the clock is there.
    serial, seed = virtual_device(alice.iam(), "dev")
    day = 24 * 3600
    codes = totp_pair(seed, (MFA_NOW + day) // TOTP_STEP)
    refused(enable, alice, serial, codes)
    alice.advance(day)
    enable(alice, serial, codes)
    assert assigned(alice) == [serial]


# --- replay: a step <= last_used_step never again ----------------------------------------------


def test_replay_after_deactivate(alice):
    iam = alice.iam()
    serial, seed = virtual_device(iam, "dev")
    enable(alice, serial, totp_pair(seed, T))            # last_used_step = T+1
    iam.deactivate_mfa_device(UserName="alice", SerialNumber=serial)
    refused(enable, alice, serial, totp_pair(seed, T))      # the same pair
    refused(enable, alice, serial, totp_pair(seed, T - 2))  # older steps
    refused(enable, alice, serial, totp_pair(seed, T + 1))  # overlaps the used step
    assert assigned(alice) == []
    enable(alice, serial, totp_pair(seed, T + 2))
    assert assigned(alice) == [serial]


def test_replay_survives_reassignment_to_another_user(alice):
    iam = alice.iam()
    alice.create_user("bob")
    serial, seed = virtual_device(iam, "dev")
    enable(alice, serial, totp_pair(seed, T + 3))        # a pair from the near future
    iam.deactivate_mfa_device(UserName="alice", SerialNumber=serial)
    refused(enable, alice, serial, totp_pair(seed, T), "bob")  # before the used steps
    enable(alice, serial, totp_pair(seed, T + 5), "bob")
    assert assigned(alice, "bob") == [serial]


def test_replay_through_resync(alice):
    serial, seed = virtual_device(alice.iam(), "dev")
    enable(alice, serial, totp_pair(seed, T))
    refused(resync, alice, serial, totp_pair(seed, T))
    refused(resync, alice, serial, totp_pair(seed, T - 5))
    resync(alice, serial, totp_pair(seed, T + 2))
    refused(resync, alice, serial, totp_pair(seed, T + 2))
    resync(alice, serial, totp_pair(seed, T + 4))


def test_replay_after_the_clock_steps_back(alice):
    # test-mode.md: moving the clock back is allowed; used steps stay used.
    iam = alice.iam()
    serial, seed = virtual_device(iam, "dev")
    enable(alice, serial, totp_pair(seed, T))
    alice.freeze(MFA_NOW - 600)                          # t = T-20
    refused(resync, alice, serial, totp_pair(seed, T - 20))
    refused(resync, alice, serial, totp_pair(seed, T))
    resync(alice, serial, totp_pair(seed, T + 2))        # inside the ±1 h resync window


def test_same_pair_for_two_devices_is_independent(alice):
    # last_used_step is per device: using steps T, T+1 on one device leaves another's alone.
    iam = alice.iam()
    s1, seed1 = virtual_device(iam, "one")
    s2, seed2 = virtual_device(iam, "two")
    enable(alice, s1, totp_pair(seed1, T))
    enable(alice, s2, totp_pair(seed2, T))
    assert sorted(assigned(alice)) == sorted([s1, s2])


# --- resynchronisation: s in [t-120, t+119] ----------------------------------------------------


def test_resync_recovers_a_fast_device(alice):
    # The phone's clock runs 10 minutes (20 steps) ahead: outside the enable window, inside
    # the resync window.
    iam = alice.iam()
    fresh, fresh_seed = virtual_device(iam, "fresh")
    refused(enable, alice, fresh, totp_pair(fresh_seed, (MFA_NOW + 600) // TOTP_STEP))
    assert assigned(alice) == []

    serial, seed = virtual_device(iam, "phone")
    enable(alice, serial, totp_pair(seed, T))
    ahead = totp_pair(seed, (MFA_NOW + 600) // TOTP_STEP)    # steps T+20, T+21
    resync(alice, serial, ahead)
    assert assigned(alice) == [serial]
    refused(resync, alice, serial, ahead)                      # used now
    resync(alice, serial, totp_pair(seed, T + 22))
    # The unrelated device is untouched by all this and still enables normally.
    enable(alice, fresh, totp_pair(fresh_seed, T))


def test_resync_recovers_a_slow_device(alice):
    iam = alice.iam()
    serial, seed = virtual_device(iam, "phone")
    alice.freeze(MFA_NOW - 3000)                               # enabled 50 minutes ago
    enable(alice, serial, totp_pair(seed, T - 100))
    alice.freeze(MFA_NOW)
    refused(enable, alice, *_fresh(alice, "probe", T - 60))    # a slow phone cannot enable
    resync(alice, serial, totp_pair(seed, T - 60))             # 30 minutes slow
    assert assigned(alice) == [serial]


def _fresh(tessera, name, step):
    serial, seed = virtual_device(tessera.iam(), name)
    return serial, totp_pair(seed, step)


@pytest.mark.parametrize("offset, ok", [
    (119, True), (120, False), (-120, True), (-121, False), (60, True), (-60, True),
])
def test_resync_window(alice, offset, ok):
    iam = alice.iam()
    serial, seed = virtual_device(iam, "phone")
    # Enabled 70 minutes earlier, so that steps from T-121 on are still unused.
    alice.freeze(MFA_NOW - 140 * TOTP_STEP)
    enable(alice, serial, totp_pair(seed, T - 140))
    alice.freeze(MFA_NOW)
    codes = totp_pair(seed, T + offset)
    if ok:
        resync(alice, serial, codes)
    else:
        refused(resync, alice, serial, codes)
    assert assigned(alice) == [serial]


def test_resync_needs_consecutive_codes_in_order(alice):
    serial, seed = virtual_device(alice.iam(), "phone")
    enable(alice, serial, totp_pair(seed, T))
    c1, c2 = totp_pair(seed, T + 30)
    refused(resync, alice, serial, (c2, c1))
    refused(resync, alice, serial, (c1, totp_pair(seed, T + 32)[0]))
    resync(alice, serial, (c1, c2))


def test_resync_malformed_codes(alice):
    serial, seed = virtual_device(alice.iam(), "phone")
    enable(alice, serial, totp_pair(seed, T))
    with aws_error("ValidationError", 400):
        alice.iam(validate=False).resync_mfa_device(
            UserName="alice", SerialNumber=serial, AuthenticationCode1="12345",
            AuthenticationCode2="123456")


# --- guess throttling: 5 failures lock a device for 60 s, doubling ------------------------------


def test_throttling_after_five_wrong_pairs(alice):
    serial, seed = virtual_device(alice.iam(), "dev")
    for _ in range(5):
        refused(enable, alice, serial, wrong_pair(seed))
    right = totp_pair(seed, T)
    refused(enable, alice, serial, right)  # locked: the right pair fails like a wrong one
    alice.advance(30)
    refused(enable, alice, serial, totp_pair(seed, (MFA_NOW + 30) // TOTP_STEP))
    alice.advance(31)                      # 61 s after the fifth failure
    enable(alice, serial, totp_pair(seed, (MFA_NOW + 61) // TOTP_STEP))
    assert assigned(alice) == [serial]


def test_throttled_answer_is_the_wrong_code_answer(alice):
    serial, seed = virtual_device(alice.iam(), "dev")
    errors = []
    for pair in [wrong_pair(seed)] * 5 + [totp_pair(seed, T)]:
        with pytest.raises(ClientError) as ei:
            enable(alice, serial, pair)
        r = ei.value.response
        errors.append((r["ResponseMetadata"]["HTTPStatusCode"], r["Error"]))
    assert all(e == errors[0] for e in errors), errors
    assert errors[0] == (403, {"Type": "Sender", "Code": "InvalidAuthenticationCode",
                               "Message": WRONG_CODE})


def test_four_failures_do_not_lock(alice):
    serial, seed = virtual_device(alice.iam(), "dev")
    for _ in range(4):
        refused(enable, alice, serial, wrong_pair(seed))
    enable(alice, serial, totp_pair(seed, T))
    assert assigned(alice) == [serial]


def test_success_resets_the_failure_count(alice):
    iam = alice.iam()
    serial, seed = virtual_device(iam, "dev")
    for _ in range(4):
        refused(enable, alice, serial, wrong_pair(seed))
    enable(alice, serial, totp_pair(seed, T))
    iam.deactivate_mfa_device(UserName="alice", SerialNumber=serial)
    for _ in range(4):
        refused(enable, alice, serial, wrong_pair(seed, T + 2))
    enable(alice, serial, totp_pair(seed, T + 2))  # 4 + 4 failures, but not consecutive
    assert assigned(alice) == [serial]


def test_lock_is_per_device(alice):
    iam = alice.iam()
    locked, seed = virtual_device(iam, "locked")
    other, other_seed = virtual_device(iam, "other")
    for _ in range(5):
        refused(enable, alice, locked, wrong_pair(seed))
    enable(alice, other, totp_pair(other_seed, T))
    refused(enable, alice, locked, totp_pair(seed, T))
    assert assigned(alice) == [other]


def test_lock_doubles_on_the_next_failure(alice):
    serial, seed = virtual_device(alice.iam(), "dev")
    for _ in range(5):
        refused(enable, alice, serial, wrong_pair(seed))
    alice.advance(61)                                   # the 60 s lock is over
    now = MFA_NOW + 61
    refused(enable, alice, serial, wrong_pair(seed, now // TOTP_STEP))  # 6th failure: 120 s
    alice.advance(61)
    now += 61
    refused(enable, alice, serial, totp_pair(seed, now // TOTP_STEP))   # still locked
    alice.advance(60)
    now += 60                                           # 121 s after the 6th failure
    enable(alice, serial, totp_pair(seed, now // TOTP_STEP))
    assert assigned(alice) == [serial]


def test_lock_is_capped_at_fifteen_minutes(alice):
    # 60 s after five failures, then 120, 240, 480 and 960 -> capped at 900 s (otp.md §7).
    serial, seed = virtual_device(alice.iam(), "dev")
    now = MFA_NOW
    for _ in range(5):
        refused(enable, alice, serial, wrong_pair(seed))
    for lock in (60, 120, 240, 480):
        alice.advance(lock + 1)
        now += lock + 1
        refused(enable, alice, serial, wrong_pair(seed, now // TOTP_STEP))  # one more failure
    alice.advance(899)
    now += 899
    refused(enable, alice, serial, totp_pair(seed, now // TOTP_STEP))       # still locked
    alice.advance(2)
    now += 2
    enable(alice, serial, totp_pair(seed, now // TOTP_STEP))                # 901 s: free
    assert assigned(alice) == [serial]


def test_throttling_resync(alice):
    serial, seed = virtual_device(alice.iam(), "dev")
    enable(alice, serial, totp_pair(seed, T))
    for _ in range(5):
        refused(resync, alice, serial, wrong_pair(seed, T + 2))
    refused(resync, alice, serial, totp_pair(seed, T + 2))
    alice.advance(61)
    resync(alice, serial, totp_pair(seed, T + 2))


def test_enable_helper_uses_the_frozen_step(alice):
    serial, seed = virtual_device(alice.iam(), "dev")
    enable_device(alice.iam(), "alice", serial, seed)
    assert assigned(alice) == [serial]
