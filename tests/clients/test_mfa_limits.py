"""The 8-devices-per-principal limit across device kinds, ownership rules, and the races of
iam-mfa.md §1.4, §2.6 and §8 on both backends (threads, one boto3 client each)."""

import threading

from botocore.exceptions import ClientError

from harness import MFA_NOW, MFA_STEP, aws_error, enable_device, run_import_hardware, totp_pair
from harness import virtual_device

T = MFA_STEP
LIMIT = "Cannot exceed quota for MFADevicesPerUser: 8"
IN_USE = "MFA device is already in use."

# Hardware tokens (CSV import, hex seeds) for the mixed limit.
HW = {f"LIMHW{i:07d}": f"{i:02x}" * 20 for i in range(1, 5)}


def import_tokens(tessera, tmp_path, tokens: dict):
    f = tmp_path / "tokens.csv"
    f.write_text("".join(f"{s},{seed},6,30\n" for s, seed in tokens.items()))
    p = run_import_hardware(tessera.server.database, f)
    assert p.returncode == 0, f"import-hardware exited {p.returncode}: {p.stdout} {p.stderr}"


def serials_of(tessera, user):
    return [d["SerialNumber"] for d in tessera.iam().list_mfa_devices(UserName=user)["MFADevices"]]


def code_of(exc: ClientError) -> str:
    return exc.response["Error"]["Code"]


def run_together(calls):
    """Runs each zero-argument callable in its own thread, released together; returns "ok" or
    the error code of each, in order."""
    results = [None] * len(calls)
    barrier = threading.Barrier(len(calls))

    def worker(i):
        barrier.wait()
        try:
            calls[i]()
            results[i] = "ok"
        except ClientError as e:
            results[i] = code_of(e)
        except Exception as e:  # noqa: BLE001 - reported in the assertion
            results[i] = f"{type(e).__name__}: {e}"

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(180)
    assert not any(t.is_alive() for t in threads), "a request hung"
    return results


# --- the limit ---------------------------------------------------------------------------------


def test_eight_virtual_devices_then_limit(tessera):
    tessera.freeze(MFA_NOW)
    iam = tessera.iam()
    tessera.create_user("alice")
    tessera.create_user("bob")
    made = [virtual_device(iam, f"v{i}") for i in range(9)]
    for serial, seed in made[:8]:
        enable_device(iam, "alice", serial, seed)
    ninth, ninth_seed = made[8]
    with aws_error("LimitExceeded", 409, message=LIMIT):
        enable_device(iam, "alice", ninth, ninth_seed)
    assert len(serials_of(tessera, "alice")) == 8
    assert ninth not in serials_of(tessera, "alice")
    # Someone else is not affected, and the refusal consumed no code.
    enable_device(iam, "bob", ninth, ninth_seed)
    assert serials_of(tessera, "bob") == [ninth]


def test_limit_mixes_virtual_and_hardware(tessera, tmp_path):
    tessera.freeze(MFA_NOW)
    import_tokens(tessera, tmp_path, HW)
    iam = tessera.iam()
    tessera.create_user("alice")
    tessera.create_user("bob")
    virtual = [virtual_device(iam, f"v{i}") for i in range(6)]
    hw = list(HW.items())
    for serial, seed in virtual[:5]:
        enable_device(iam, "alice", serial, seed)
    for serial, seed in hw[:3]:
        enable_device(iam, "alice", serial, seed, hex_seed=True)
    assert len(serials_of(tessera, "alice")) == 8

    # The 9th of either kind is refused, before any code is checked.
    with aws_error("LimitExceeded", 409, message=LIMIT):
        enable_device(iam, "alice", virtual[5][0], virtual[5][1])
    h9, h9_seed = hw[3]
    with aws_error("LimitExceeded", 409, message=LIMIT):
        enable_device(iam, "alice", h9, h9_seed, hex_seed=True)
    with aws_error("LimitExceeded", 409, message=LIMIT):
        iam.enable_mfa_device(UserName="alice", SerialNumber=h9, AuthenticationCode1="000000",
                              AuthenticationCode2="000000")
    # A device already in use is reported as such, full or not (§4.2 step 4 before step 5).
    with aws_error("EntityAlreadyExists", 409, message=IN_USE):
        enable_device(iam, "alice", virtual[0][0], virtual[0][1], T + 2)

    # Another user can still enable, with the same (unconsumed) codes.
    enable_device(iam, "bob", virtual[5][0], virtual[5][1])
    # Freeing one place lets the hardware token in, again with the unconsumed codes.
    iam.deactivate_mfa_device(UserName="alice", SerialNumber=virtual[0][0])
    enable_device(iam, "alice", h9, h9_seed, hex_seed=True)
    got = serials_of(tessera, "alice")
    assert len(got) == 8 and h9 in got and virtual[0][0] not in got
    assert sorted(got) == sorted([s for s, _ in virtual[1:5]] + [s for s, _ in hw])
    assert {d["UserName"] for d in iam.list_mfa_devices(UserName="alice")["MFADevices"]} == {
        "alice"}


def test_users_cannot_touch_each_others_devices(tessera):
    tessera.freeze(MFA_NOW)
    iam = tessera.iam()
    tessera.create_user("alice")
    tessera.create_user("bob")
    serial, seed = virtual_device(iam, "alice-dev")
    enable_device(iam, "alice", serial, seed)
    codes = totp_pair(seed, T + 2)
    with aws_error("EntityAlreadyExists", 409, message=IN_USE):
        iam.enable_mfa_device(UserName="bob", SerialNumber=serial, AuthenticationCode1=codes[0],
                              AuthenticationCode2=codes[1])
    with aws_error("NoSuchEntity", 404):
        iam.deactivate_mfa_device(UserName="bob", SerialNumber=serial)
    with aws_error("NoSuchEntity", 404):
        iam.resync_mfa_device(UserName="bob", SerialNumber=serial, AuthenticationCode1=codes[0],
                              AuthenticationCode2=codes[1])
    assert serials_of(tessera, "alice") == [serial]
    assert serials_of(tessera, "bob") == []
    # None of that used the codes.
    iam.resync_mfa_device(UserName="alice", SerialNumber=serial, AuthenticationCode1=codes[0],
                          AuthenticationCode2=codes[1])


# --- races -------------------------------------------------------------------------------------


def test_sixteen_enables_for_a_user_holding_seven(tessera):
    tessera.freeze(MFA_NOW)
    iam = tessera.iam()
    tessera.create_user("alice")
    for i in range(7):
        enable_device(iam, "alice", *virtual_device(iam, f"held{i}"))
    racers = [virtual_device(iam, f"race{i:02d}") for i in range(16)]
    clients = [tessera.iam() for _ in racers]

    def call(client, serial, seed):
        return lambda: enable_device(client, "alice", serial, seed)

    results = run_together([call(c, s, seed) for c, (s, seed) in zip(clients, racers)])
    assert sorted(results) == ["LimitExceeded"] * 15 + ["ok"], results
    got = serials_of(tessera, "alice")
    assert len(got) == 8
    winner = racers[results.index("ok")][0]
    assert winner in got
    assigned = [d["SerialNumber"] for d in
                iam.list_virtual_mfa_devices(AssignmentStatus="Assigned")["VirtualMFADevices"]]
    assert sorted(assigned) == sorted(got)


def test_sixteen_users_enable_one_device(tessera):
    tessera.freeze(MFA_NOW)
    iam = tessera.iam()
    users = [f"user{i:02d}" for i in range(16)]
    for u in users:
        tessera.create_user(u)
    serial, seed = virtual_device(iam, "contested")
    clients = [tessera.iam() for _ in users]

    def call(client, user):
        return lambda: enable_device(client, user, serial, seed)

    results = run_together([call(c, u) for c, u in zip(clients, users)])
    # The losers see the device in use, or the pair already consumed (iam-mfa.md §8).
    assert results.count("ok") == 1, results
    assert set(results) <= {"ok", "EntityAlreadyExists", "InvalidAuthenticationCode"}, results
    winner = users[results.index("ok")]
    owners = [u for u in users if serials_of(tessera, u)]
    assert owners == [winner]
    [dev] = iam.list_virtual_mfa_devices()["VirtualMFADevices"]
    assert dev["User"]["UserName"] == winner


def test_same_pair_resynced_concurrently(tessera):
    # §2.6: of concurrent requests carrying the same valid codes, exactly one succeeds.
    tessera.freeze(MFA_NOW)
    iam = tessera.iam()
    tessera.create_user("alice")
    serial, seed = virtual_device(iam, "dev")
    enable_device(iam, "alice", serial, seed)
    c1, c2 = totp_pair(seed, T + 2)
    clients = [tessera.iam() for _ in range(8)]

    def call(client):
        return lambda: client.resync_mfa_device(UserName="alice", SerialNumber=serial,
                                                AuthenticationCode1=c1, AuthenticationCode2=c2)

    results = run_together([call(c) for c in clients])
    assert sorted(results) == ["InvalidAuthenticationCode"] * 7 + ["ok"], results


def test_delete_user_racing_enable(tessera):
    # §8: never a deleted user holding a device.
    tessera.freeze(MFA_NOW)
    iam = tessera.iam()
    rounds = 6
    for r in range(rounds):
        user = f"racer{r}"
        tessera.create_user(user)
        serial, seed = virtual_device(iam, f"race-dev{r}")
        a, b = tessera.iam(), tessera.iam()
        enable_result, delete_result = run_together([
            lambda: enable_device(a, user, serial, seed),
            lambda: b.delete_user(UserName=user),
        ])
        assert enable_result in {"ok", "NoSuchEntity"}, enable_result
        assert delete_result in {"ok", "DeleteConflict"}, delete_result
        [dev] = [d for d in iam.list_virtual_mfa_devices()["VirtualMFADevices"]
                 if d["SerialNumber"] == serial]
        if delete_result == "ok":
            assert "User" not in dev, (r, enable_result, dev)
            with aws_error("NoSuchEntity", 404):
                iam.get_user(UserName=user)
        else:
            assert enable_result == "ok"
            assert dev["User"]["UserName"] == user
            assert serials_of(tessera, user) == [serial]
