"""CloudTrail log files (cloudtrail.md §1, §7): records of API calls reach gzip files in
CloudTrail's S3 layout under the audit directory, on schedule, on SIGTERM, and after `kill -9`
for every acknowledged change. Each test runs its own server with a one-second delivery
interval (or the default five minutes where the flush on shutdown is the point)."""

import datetime as dt
import json
import re
import stat
import subprocess
import threading
import time
from pathlib import Path

import pytest

import harness
from harness import ACCOUNT_ID, UUID4, log_files, records_in


FILE_NAME = re.compile(r"^(\d{12})_CloudTrail_([a-z0-9-]+)_(\d{8})T(\d{4})Z_([A-Za-z0-9]{16})\.json\.gz$")
DELIVERY_WAIT = 20  # seconds; delivery runs every second in these tests


def start(database: str, tmp_path: Path, name: str, *args: str) -> harness.TesseraServer:
    return harness.TesseraServer(database, tmp_path / f"{name}.log", test_mode=False,
                                 audit_dir=tmp_path / "audit", extra_args=list(args)).start()


def fast(database: str, tmp_path: Path, name: str = "serve", *args: str) -> harness.TesseraServer:
    return start(database, tmp_path, name, "--audit-delivery-interval", "1", *args)


def created_users(records: list[dict]) -> set[str]:
    return {r["requestParameters"]["userName"] for r in records
            if r.get("eventName") == "CreateUser" and not r.get("errorCode")}


def wait_for_users(audit_dir: Path, names: set[str], timeout: float = DELIVERY_WAIT) -> list[dict]:
    """The delivered records once every user in `names` has its CreateUser record in a file."""
    deadline = time.monotonic() + timeout
    while True:
        records = records_in(audit_dir)
        missing = names - created_users(records)
        if not missing:
            return records
        if time.monotonic() > deadline:
            pytest.fail(f"{len(missing)} acknowledged CreateUser calls have no record in a log file "
                        f"after {timeout}s, e.g. {sorted(missing)[:5]}")
        time.sleep(0.25)


def test_calls_reach_log_files_in_cloudtrail_layout(fresh_database, tmp_path, binary):
    srv = fast(fresh_database, tmp_path)
    try:
        iam = harness.client(srv.url, "iam")
        before = dt.datetime.now(dt.timezone.utc)
        iam.create_user(UserName="audited-alice", Path="/audit/")
        iam.create_user(UserName="audited-bob")
        records = wait_for_users(srv.audit_dir, {"audited-alice", "audited-bob"})
        after = dt.datetime.now(dt.timezone.utc)
    finally:
        srv.stop()

    # Without a crash each record is delivered once, in its final form (with its output).
    ids = [r["eventID"] for r in records]
    assert len(ids) == len(set(ids)), ids
    alice = next(r for r in records if r["eventName"] == "CreateUser"
                 and r["requestParameters"]["userName"] == "audited-alice")
    assert alice["requestParameters"] == {"path": "/audit/", "userName": "audited-alice"}
    assert alice["eventSource"] == "iam.amazonaws.com"
    assert alice["responseElements"]["user"]["userName"] == "audited-alice"
    for record in records:
        assert UUID4.match(record["eventID"]), record
        assert record["recipientAccountId"] == ACCOUNT_ID
        assert record["awsRegion"] == "us-east-1"
        assert record["eventVersion"] == "1.11"

    audit = srv.audit_dir
    assert stat.S_IMODE(audit.stat().st_mode) == 0o700
    for path in log_files(audit):
        parts = path.relative_to(audit).parts
        assert len(parts) == 8, parts
        root, account, service, region, year, month, day, name = parts
        assert (root, account, service, region) == ("AWSLogs", ACCOUNT_ID, "CloudTrail", "us-east-1")
        m = FILE_NAME.match(name)
        assert m, f"not a CloudTrail file name (or a temporary file was left): {name}"
        assert (m.group(1), m.group(2)) == (ACCOUNT_ID, "us-east-1")
        assert m.group(3) == year + month + day
        delivered = dt.datetime.strptime(m.group(3) + m.group(4), "%Y%m%d%H%M").replace(
            tzinfo=dt.timezone.utc)
        assert before.replace(second=0, microsecond=0) <= delivered <= after, (delivered, before, after)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        for directory in path.relative_to(audit).parents:
            if directory != Path("."):
                assert stat.S_IMODE((audit / directory).stat().st_mode) == 0o700, directory
        # What CloudTrail's own documentation says to check a file with.
        shown = subprocess.run(f"gunzip -c '{path}' | python3 -m json.tool", shell=True,
                               capture_output=True, text=True, timeout=30)
        assert shown.returncode == 0 and '"Records"' in shown.stdout, shown.stderr


def test_file_event_ids_are_those_lookup_events_shows(fresh_database, tmp_path, binary):
    srv = fast(fresh_database, tmp_path)
    try:
        harness.client(srv.url, "iam").create_user(UserName="looked-up")
        records = wait_for_users(srv.audit_dir, {"looked-up"})
        events = harness.client(srv.url, "cloudtrail").lookup_events(
            LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "CreateUser"}])["Events"]
    finally:
        srv.stop()
    in_files = {r["eventID"] for r in records if r["eventName"] == "CreateUser"}
    assert in_files == {e["EventId"] for e in events}
    for event in events:
        assert json.loads(event["CloudTrailEvent"]) in records


def test_records_carry_the_configured_region(fresh_database, tmp_path, binary):
    srv = fast(fresh_database, tmp_path, "serve", "--audit-region", "eu-west-1")
    try:
        harness.client(srv.url, "iam").create_user(UserName="in-ireland")
        records = wait_for_users(srv.audit_dir, {"in-ireland"})
    finally:
        srv.stop()
    assert {r["awsRegion"] for r in records} == {"eu-west-1"}
    regions = {p.relative_to(srv.audit_dir).parts[3] for p in log_files(srv.audit_dir)}
    assert regions == {"eu-west-1"}
    assert all(FILE_NAME.match(p.name).group(2) == "eu-west-1" for p in log_files(srv.audit_dir))


def test_operator_imports_are_delivered_in_the_configured_region(fresh_database, tmp_path, binary):
    srv = fast(fresh_database, tmp_path, "serve", "--audit-region", "eu-west-1")
    try:
        seeds = tmp_path / "tokens.csv"
        seeds.write_text("serial,seed,digits,period\nHWLOG0000001,3132333435363738393031323334353637383930,6,30\n")
        # The import command writes its record itself; the server delivers it.
        done = harness.run_import_hardware(srv.database, seeds, "--audit-region", "eu-west-1")
        assert done.returncode == 0, done.stderr
        deadline = time.monotonic() + DELIVERY_WAIT
        while not [r for r in records_in(srv.audit_dir) if r["eventName"] == "ImportHardwareMFATokens"]:
            assert time.monotonic() < deadline, "the import's record was not delivered"
            time.sleep(0.25)
    finally:
        srv.stop()
    (record,) = [r for r in records_in(srv.audit_dir) if r["eventName"] == "ImportHardwareMFATokens"]
    assert record["awsRegion"] == "eu-west-1"
    assert record["userIdentity"] == {"type": "AWSService", "invokedBy": "tessera-admin"}
    assert record["responseElements"]["imported"] == ["HWLOG0000001"]
    assert {p.relative_to(srv.audit_dir).parts[3] for p in log_files(srv.audit_dir)} == {"eu-west-1"}


def test_sigterm_delivers_pending_records_before_exit(fresh_database, tmp_path, binary):
    # The default interval (five minutes) is far away: only the flush on shutdown delivers.
    srv = start(fresh_database, tmp_path, "serve")
    try:
        harness.client(srv.url, "iam").create_user(UserName="flushed")
        time.sleep(1.5)
        assert log_files(srv.audit_dir) == []
    finally:
        code = srv.stop()
    assert code == 0, srv.log_tail()
    assert "flushed" in created_users(records_in(srv.audit_dir))


def test_acknowledged_changes_reach_log_files_after_sigkill(fresh_database, tmp_path, binary):
    # A long interval, so the records are still undelivered when the process dies.
    srv = start(fresh_database, tmp_path, "first")
    acknowledged: set[str] = set()
    lock = threading.Lock()
    stop = threading.Event()

    def writer(n: int) -> None:
        iam = harness.client(srv.url, "iam")
        i = 0
        while not stop.is_set():
            name = f"crash-{n}-{i}"
            try:
                iam.create_user(UserName=name)
            except Exception:  # the server died mid-call: not acknowledged
                return
            with lock:
                acknowledged.add(name)
            i += 1

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    try:
        deadline = time.monotonic() + 30
        while len(acknowledged) < 60 and time.monotonic() < deadline:
            time.sleep(0.05)
        srv.proc.kill()  # SIGKILL while the writers are still calling
        srv.proc.wait(timeout=15)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=60)
        srv.stop()
    assert len(acknowledged) >= 60, "too few writes before the kill"
    assert not any(p.name.endswith(".json.gz") for p in log_files(srv.audit_dir)), \
        "records were delivered before the kill; the test proves nothing"

    again = fast(fresh_database, tmp_path, "second")
    try:
        # In the database: LookupEvents shows every acknowledged change's record.
        trail = harness.client(again.url, "cloudtrail")
        looked_up = [json.loads(event["CloudTrailEvent"])
                     for page in trail.get_paginator("lookup_events").paginate(
                         LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "CreateUser"}])
                     for event in page["Events"]]
        assert acknowledged <= created_users(looked_up)
        # And, once delivered, in a log file.
        records = wait_for_users(again.audit_dir, set(acknowledged), timeout=60)
    finally:
        again.stop()
    assert not [p for p in log_files(again.audit_dir) if not FILE_NAME.match(p.name)], \
        "a temporary file was left behind"
    assert acknowledged <= created_users(records)


@pytest.mark.parametrize("args, message", [
    (["--audit-region", "EU-WEST-1"], "audit.region: 'EU-WEST-1' is not a region name"),
    (["--audit-region", "../x"], "audit.region: '../x' is not a region name"),
    (["--audit-delivery-interval", "0"], "audit.delivery_interval_seconds: must be at least 1"),
    (["--audit-retention-days", "0"], "audit.retention_days: must be at least 1"),
    (["--audit-delivery-batch", "0"], "audit.delivery_batch: must be at least 1"),
])
def test_bad_audit_settings_stop_the_server_at_start(fresh_database, tmp_path, binary, args, message):
    out = subprocess.run(
        [str(binary), "serve", "--listen", "127.0.0.1:0", "--database", fresh_database,
         "--audit-log-dir", str(tmp_path / "audit"), *args],
        capture_output=True, text=True, timeout=60, env=harness.server_env(), stdin=subprocess.DEVNULL)
    assert out.returncode != 0
    assert message in out.stderr, out.stderr
    assert not (tmp_path / "audit").exists()


def test_audit_settings_come_from_the_environment_and_the_config_file(fresh_database, tmp_path, binary):
    config = tmp_path / "tessera.toml"
    config.write_text('[audit]\nregion = "ap-south-2"\nretention_days = 0\n')
    env = harness.server_env({"TESSERA_CONFIG": str(config)})
    cmd = [str(binary), "serve", "--listen", "127.0.0.1:0", "--database", fresh_database,
           "--audit-log-dir", str(tmp_path / "audit")]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=60, env=env,
                         stdin=subprocess.DEVNULL)
    assert out.returncode != 0 and "audit.retention_days: must be at least 1" in out.stderr, out.stderr
    # The environment overrides the file.
    env["TESSERA_AUDIT_RETENTION_DAYS"] = "30"
    env["TESSERA_AUDIT_REGION"] = "BAD"
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=60, env=env,
                         stdin=subprocess.DEVNULL)
    assert out.returncode != 0 and "audit.region: 'BAD' is not a region name" in out.stderr, out.stderr
