"""Fixtures for the real-client suite (boto3, AWS CLI, raw SigV4 requests).

One `tessera serve --danger-test-mode` process per backend per session (`server`), reset with
`POST /_tessera/reset` before every test that asks for `tessera`. The backend parameter is
`sqlite` (always) and `postgres` (when `TESSERA_TEST_POSTGRES_URL` names a superuser URL of a
running cluster; otherwise skipped, or failed when `TESSERA_REQUIRE_POSTGRES=1`).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import boto3
import pytest
import requests

import harness
from harness import ACCOUNT_ID, ROOT, Creds

BACKENDS = ["sqlite", "postgres"]


def pytest_configure(config):
    # Nothing from this machine's AWS configuration may leak into clients.
    for k in [k for k in os.environ if k.startswith("AWS_")]:
        del os.environ[k]
    d = Path(tempfile.mkdtemp(prefix="tessera-aws-"))
    (d / "config").write_text("")
    (d / "credentials").write_text("")
    os.environ["AWS_CONFIG_FILE"] = str(d / "config")
    os.environ["AWS_SHARED_CREDENTIALS_FILE"] = str(d / "credentials")
    os.environ["AWS_EC2_METADATA_DISABLED"] = "true"


# ---------------------------------------------------------------------------------------------
# Backends and servers


_pg_state: dict = {}


def _postgres_admin_url() -> str:
    """The superuser URL, checked once; skips or fails the caller per the environment."""
    required = os.environ.get("TESSERA_REQUIRE_POSTGRES") == "1"
    if "checked" not in _pg_state:
        url = os.environ.get("TESSERA_TEST_POSTGRES_URL")
        problem = None
        if not url:
            problem = "TESSERA_TEST_POSTGRES_URL is not set (tests/run starts a throwaway cluster)"
        else:
            try:
                harness.psql(url, "SELECT 1", timeout=15)
            except harness.PostgresUnavailable as e:
                problem = f"PostgreSQL at TESSERA_TEST_POSTGRES_URL is unreachable: {e}"
        _pg_state.update(checked=True, url=url, problem=problem)
    if _pg_state["problem"]:
        if required:
            pytest.fail("TESSERA_REQUIRE_POSTGRES=1 but " + _pg_state["problem"], pytrace=False)
        pytest.skip("SKIPPED: " + _pg_state["problem"])
    return _pg_state["url"]


@pytest.fixture(scope="session")
def binary():
    path = harness.tessera_bin()
    if not path.is_file():
        pytest.fail(f"Tessera binary not found at {path}: run `cargo build --release` or set "
                    "TESSERA_BIN", pytrace=False)
    return path


@pytest.fixture(scope="session")
def databases(tmp_path_factory):
    dbs = harness.Databases(tmp_path_factory.mktemp("db"), os.environ.get("TESSERA_TEST_POSTGRES_URL"))
    yield dbs
    dbs.drop_all()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request, databases):
    if request.param == "postgres":
        databases.pg_admin_url = _postgres_admin_url()
    return request.param


@pytest.fixture
def fresh_database(backend, databases):
    """A new, empty database URL for the backend under test."""
    return databases.new(backend)


@pytest.fixture(scope="session")
def server(backend, binary, databases, tmp_path_factory):
    log = tmp_path_factory.mktemp("logs") / f"serve-{backend}.log"
    srv = harness.TesseraServer(databases.new(backend), log)
    try:
        srv.start()
    except RuntimeError as e:
        pytest.fail(f"could not start tessera ({backend}): {e}", pytrace=False)
    yield srv
    srv.stop()


_boto: list = []


def _boto_session() -> boto3.session.Session:
    """One boto3 session for the whole run, so service models are loaded once."""
    if not _boto:
        _boto.append(boto3.session.Session())
    return _boto[0]


class Tessera:
    """What a test sees: the server's URL, root credentials, client factories, helpers."""

    def __init__(self, server: harness.TesseraServer, backend: str):
        self.server = server
        self.backend = backend
        self.url = server.url
        self.account_id = ACCOUNT_ID
        self.root = ROOT
        self.clock_touched = False
        self._session = _boto_session()

    # --- clients -------------------------------------------------------------------------------
    def client(self, service: str, creds: Creds | None = None, region: str = "us-east-1",
               validate: bool = True):
        return harness.client(self.url, service, creds or self.root, region, validate,
                              session=self._session)

    def iam(self, creds: Creds | None = None, **kw):
        return self.client("iam", creds, **kw)

    def sts(self, creds: Creds | None = None, **kw):
        return self.client("sts", creds, **kw)

    def raw(self, params=None, **kw) -> requests.Response:
        return harness.call(self.url, params, **kw)

    # --- fixtures in code ----------------------------------------------------------------------
    def create_user(self, name: str, **kw) -> dict:
        return self.iam().create_user(UserName=name, **kw)["User"]

    def user_with_key(self, name: str, **kw) -> tuple[dict, Creds]:
        user = self.create_user(name, **kw)
        key = self.iam().create_access_key(UserName=name)["AccessKey"]
        return user, Creds(key["AccessKeyId"], key["SecretAccessKey"])

    def grant(self, user: str, actions: list[str], resource: str = "*", name: str = "grant"):
        import json

        doc = {"Version": "2012-10-17",
               "Statement": [{"Effect": "Allow", "Action": actions, "Resource": resource}]}
        self.iam().put_user_policy(UserName=user, PolicyName=name, PolicyDocument=json.dumps(doc))

    # --- clock (test-mode.md) ------------------------------------------------------------------
    def clock(self) -> dict:
        r = requests.get(self.url + "/_tessera/clock", timeout=10)
        assert r.status_code == 200, r.text
        return r.json()

    def set_clock(self, body: dict) -> dict:
        self.clock_touched = True
        r = requests.post(self.url + "/_tessera/clock", json=body, timeout=10)
        assert r.status_code == 200, r.text
        return r.json()

    def freeze(self, unix: int) -> dict:
        """Freezes Tessera's clock at `unix` (whole seconds), so TOTP steps are deterministic."""
        import datetime as dt

        when = dt.datetime.fromtimestamp(unix, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        frozen = self.set_clock({"now": when})
        assert frozen == {"now": when, "frozen": True}, frozen
        return frozen

    def advance(self, seconds: int) -> None:
        self.set_clock({"advance_seconds": seconds})

    def tick(self, seconds: int = 1) -> None:
        """Moves Tessera's clock forward so that the next CreateDate is strictly later (ordering
        by CreateDate is only defined between different seconds)."""
        self.set_clock({"advance_seconds": seconds})

    def reset(self) -> None:
        r = requests.post(self.url + "/_tessera/reset", timeout=60)
        assert r.status_code == 200 and r.json() == {"reset": True}, (r.status_code, r.text)


@pytest.fixture
def tessera(server, backend, request):
    if not server.alive():
        pytest.fail("the tessera server process has died" + server.log_tail(), pytrace=False)
    t = Tessera(server, backend)
    t.reset()
    request.node._tessera_log = (server, server.log_size())
    yield t
    if t.clock_touched:
        requests.post(server.url + "/_tessera/clock", json={"real": True}, timeout=10)


def pytest_terminal_summary(terminalreporter):
    # One readable line instead of a skip reason per PostgreSQL test (tests/run hides -rs).
    problem = _pg_state.get("problem")
    if problem and os.environ.get("TESSERA_REQUIRE_POSTGRES") != "1":
        n = sum(1 for r in terminalreporter.stats.get("skipped", []) if "[postgres" in r.nodeid)
        terminalreporter.write_line(f"SKIPPED: {problem} ({n} PostgreSQL-backed tests skipped)")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    info = getattr(item, "_tessera_log", None)
    if info and report.failed and report.when == "call":
        server, offset = info
        text = server.log_since(offset)
        if text.strip():
            report.sections.append(("tessera stderr during this test", text))
    return report
