"""`tessera init` and `tessera serve` as processes: credentials block, idempotent init, restart,
and the test-mode endpoints being absent without --danger-test-mode."""

import time

import requests

import harness
from harness import (ACCOUNT_ID, ROOT, ROOT_ACCESS_KEY_ID, ROOT_SECRET_ACCESS_KEY, Creds,
                     aws_error)

EXPECTED = {"AccountId": ACCOUNT_ID, "AccessKeyId": ROOT_ACCESS_KEY_ID,
            "SecretAccessKey": ROOT_SECRET_ACCESS_KEY}


def credentials_in(text):
    obj = harness.find_json_object(text)
    return obj if obj and "SecretAccessKey" in obj else None


def serve(database, tmp_path, name, **kw):
    return harness.TesseraServer(database, tmp_path / f"{name}.log", **kw).start()


def test_serve_on_empty_database_initialises(fresh_database, tmp_path, binary):
    srv = serve(fresh_database, tmp_path, "serve")
    try:
        creds = srv.credentials
        assert creds is not None, f"no credentials block before the listening line: {srv.preamble}"
        assert {k: creds.get(k) for k in EXPECTED} == EXPECTED
        assert requests.get(srv.url + "/health", timeout=10).status_code == 200
        ident = harness.client(srv.url, "sts").get_caller_identity()
        assert ident["Arn"] == f"arn:aws:iam::{ACCOUNT_ID}:root"
    finally:
        srv.stop()


def test_serve_stops_cleanly_on_sigterm(fresh_database, tmp_path, binary):
    srv = serve(fresh_database, tmp_path, "serve")
    harness.client(srv.url, "iam").create_user(UserName="before-stop")
    code = srv.stop()
    log = srv.log_path.read_text(errors="replace")
    assert "panicked" not in log, log[-3000:]
    assert code == 0, f"exit status {code}" + srv.log_tail()


def test_init_twice_then_serve(fresh_database, tmp_path, binary):
    first = harness.run_init(fresh_database)
    assert first.returncode == 0, first.stderr[-3000:]
    creds = credentials_in(first.stdout)
    assert creds is not None, first.stdout
    assert {k: creds.get(k) for k in EXPECTED} == EXPECTED

    second = harness.run_init(fresh_database)
    assert second.returncode == 0, second.stderr[-3000:]
    assert credentials_in(second.stdout) is None, second.stdout
    assert ROOT_SECRET_ACCESS_KEY not in second.stdout + second.stderr

    srv = serve(fresh_database, tmp_path, "serve")
    try:
        assert srv.credentials is None, srv.preamble
        assert ROOT_SECRET_ACCESS_KEY not in "\n".join(srv.preamble)
        ident = harness.client(srv.url, "sts").get_caller_identity()
        assert ident["UserId"] == ACCOUNT_ID
    finally:
        srv.stop()
    log = srv.log_path.read_text(errors="replace")
    assert ROOT_SECRET_ACCESS_KEY not in log, "the root secret was logged"


def test_second_init_with_other_values_changes_nothing(fresh_database, tmp_path, binary):
    assert harness.run_init(fresh_database).returncode == 0
    other = {"TESSERA_ROOT_ACCESS_KEY_ID": "AKIAOTHERROOTKEY2345",
             "TESSERA_ROOT_SECRET_ACCESS_KEY": "otherSecretKey0123456789abcdefghijKLMNOP"}
    again = harness.run_init(fresh_database, other)
    assert again.returncode == 0, again.stderr
    assert credentials_in(again.stdout) is None, again.stdout
    srv = serve(fresh_database, tmp_path, "serve", env_extra=other)
    try:
        assert srv.credentials is None
        assert harness.client(srv.url, "sts").get_caller_identity()["Account"] == ACCOUNT_ID
        with aws_error("InvalidClientTokenId", 403):
            harness.client(srv.url, "sts", Creds(other["TESSERA_ROOT_ACCESS_KEY_ID"],
                                                 other["TESSERA_ROOT_SECRET_ACCESS_KEY"])
                           ).get_caller_identity()
    finally:
        srv.stop()


def test_state_survives_restart(fresh_database, tmp_path, binary):
    srv = serve(fresh_database, tmp_path, "first")
    try:
        iam = harness.client(srv.url, "iam")
        user = iam.create_user(UserName="persist", Tags=[{"Key": "a", "Value": "b"}])["User"]
        key = iam.create_access_key(UserName="persist")["AccessKey"]
    finally:
        srv.stop()
    srv = serve(fresh_database, tmp_path, "second")
    try:
        assert srv.credentials is None
        iam = harness.client(srv.url, "iam")
        again = iam.get_user(UserName="persist")["User"]
        assert again["UserId"] == user["UserId"]
        assert again["Tags"] == [{"Key": "a", "Value": "b"}]
        creds = Creds(key["AccessKeyId"], key["SecretAccessKey"])
        assert harness.client(srv.url, "sts", creds).get_caller_identity()["UserId"] == user["UserId"]
    finally:
        srv.stop()


def test_acknowledged_writes_survive_sigkill(fresh_database, tmp_path, binary):
    """Writers keep creating users while the server is killed with SIGKILL; after a restart
    every user whose CreateUser was answered 200 exists (durability before acknowledgement)."""
    import signal
    import threading

    srv = serve(fresh_database, tmp_path, "killed")
    acknowledged: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def writer(worker: int):
        iam = harness.client(srv.url, "iam")
        n = 0
        while not stop.is_set():
            name = f"w{worker}-{n}"
            n += 1
            try:
                iam.create_user(UserName=name)
            except Exception:  # connection reset once the process is gone
                return
            with lock:
                acknowledged.append(name)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with lock:
                if len(acknowledged) >= 200:
                    break
            time.sleep(0.05)
        srv.proc.send_signal(signal.SIGKILL)
        srv.proc.wait(timeout=30)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=30)
        srv.stop()
    assert len(acknowledged) >= 50, f"only {len(acknowledged)} writes were acknowledged before the kill"

    srv = serve(fresh_database, tmp_path, "after-kill")
    try:
        iam = harness.client(srv.url, "iam")
        stored = {u["UserName"] for page in iam.get_paginator("list_users").paginate() for u in page["Users"]}
        lost = [name for name in acknowledged if name not in stored]
        assert not lost, f"{len(lost)} acknowledged users lost after SIGKILL, e.g. {lost[:5]}"
    finally:
        srv.stop()


def test_without_test_mode_the_test_endpoints_are_404(fresh_database, tmp_path, binary):
    srv = serve(fresh_database, tmp_path, "prod", test_mode=False)
    try:
        harness.client(srv.url, "iam").create_user(UserName="keepme")
        assert requests.post(srv.url + "/_tessera/reset", timeout=10).status_code == 404
        assert requests.get(srv.url + "/_tessera/clock", timeout=10).status_code == 404
        assert requests.post(srv.url + "/_tessera/clock", json={"advance_seconds": 60},
                             timeout=10).status_code == 404
        assert requests.get(srv.url + "/health", timeout=10).status_code == 200
        users = harness.client(srv.url, "iam").list_users()["Users"]
        assert [u["UserName"] for u in users] == ["keepme"]
    finally:
        srv.stop()


def test_test_mode_endpoints_answer(server, tessera):
    r = requests.post(tessera.url + "/_tessera/reset", timeout=30)
    assert r.status_code == 200 and r.json() == {"reset": True}
    r = requests.get(tessera.url + "/_tessera/clock", timeout=10)
    assert r.status_code == 200 and set(r.json()) == {"now", "frozen"}
    assert ROOT.access_key_id == ROOT_ACCESS_KEY_ID
