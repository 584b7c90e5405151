"""Process and wire helpers for the real-client suite.

Starts `tessera serve`/`tessera init` as the contract describes, creates throwaway databases
(SQLite files, PostgreSQL databases created with `psql`), and builds SigV4-signed raw requests
with botocore's own signer so wire cases can be sent with `requests`.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import queue
import re
import secrets
import shutil
import subprocess
import threading
import time
import urllib.parse
import xml.etree.ElementTree as ET
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import boto3
import pytest
import requests
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

REPO = Path(__file__).resolve().parents[2]

ACCOUNT_ID = "123456789012"
ROOT_ACCESS_KEY_ID = "AKIATESSERAROOT2KEY7"
ROOT_SECRET_ACCESS_KEY = "tesseraRootSecretKey0123456789abcdefGHIJ"
# Three character classes and 8+ characters, so only the "not the root e-mail" rule rejects it
# as a password (iam-mfa.md §5.5).
ROOT_EMAIL = "admin-1@example.com"
ROOT_PASSWORD = "Root-Passw0rd!Tessera"
DATA_KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="

IAM_NS = "https://iam.amazonaws.com/doc/2010-05-08/"
STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/"
IAM_VERSION = "2010-05-08"
STS_VERSION = "2011-06-15"

LISTENING = re.compile(r"^tessera listening on (http://127\.0\.0\.1:\d+)\s*$")
UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
ISO_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")
FORM = "application/x-www-form-urlencoded; charset=utf-8"


@dataclass(frozen=True)
class Creds:
    access_key_id: str
    secret_access_key: str
    session_token: str | None = None


ROOT = Creds(ROOT_ACCESS_KEY_ID, ROOT_SECRET_ACCESS_KEY)


def tessera_bin() -> Path:
    return Path(os.environ.get("TESSERA_BIN") or REPO / "target" / "release" / "tessera")


def server_env(extra: dict | None = None) -> dict:
    """The environment of a Tessera process: the caller's, minus anything AWS_* or TESSERA_*
    that could leak in, plus the deterministic account."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TESSERA_"))}
    env.update(
        TESSERA_ACCOUNT_ID=ACCOUNT_ID,
        TESSERA_ROOT_ACCESS_KEY_ID=ROOT_ACCESS_KEY_ID,
        TESSERA_ROOT_SECRET_ACCESS_KEY=ROOT_SECRET_ACCESS_KEY,
        TESSERA_ROOT_EMAIL=ROOT_EMAIL,
        TESSERA_ROOT_PASSWORD=ROOT_PASSWORD,
        TESSERA_DATA_KEY=DATA_KEY,
        NO_COLOR="1",  # plain log lines in failure reports
    )
    env.update(extra or {})
    return env


def find_json_object(text: str) -> dict | None:
    """The first JSON object in `text` (the credentials block printed by init/serve)."""
    decoder = json.JSONDecoder()
    for i, ch in enumerate(text):
        if ch == "{":
            try:
                obj, _ = decoder.raw_decode(text[i:])
            except ValueError:
                continue
            if isinstance(obj, dict):
                return obj
    return None


# ---------------------------------------------------------------------------------------------
# Databases


class PostgresUnavailable(Exception):
    pass


def psql(url: str, sql: str, timeout: float = 30) -> str:
    try:
        out = subprocess.run(
            ["psql", url, "-v", "ON_ERROR_STOP=1", "-qAtc", sql],
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
    except FileNotFoundError as e:
        raise PostgresUnavailable("psql is not installed") from e
    except subprocess.TimeoutExpired as e:
        raise PostgresUnavailable(f"psql timed out after {timeout}s") from e
    if out.returncode != 0:
        raise PostgresUnavailable(f"psql failed ({out.returncode}): {out.stderr.strip()}")
    return out.stdout


def with_database(url: str, name: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + name))


class Databases:
    """Creates one fresh database per Tessera process and drops the PostgreSQL ones at exit."""

    def __init__(self, tmpdir: Path, pg_admin_url: str | None):
        self.tmpdir = tmpdir
        self.pg_admin_url = pg_admin_url
        self.created_pg: list[str] = []
        self.counter = 0

    def new(self, backend: str) -> str:
        self.counter += 1
        if backend == "sqlite":
            path = self.tmpdir / f"tessera-{self.counter}-{secrets.token_hex(3)}.db"
            return f"sqlite://{path.resolve()}"
        assert backend == "postgres" and self.pg_admin_url
        name = f"tessera_t{os.getpid()}_{self.counter}_{secrets.token_hex(3)}"
        psql(self.pg_admin_url, f"CREATE DATABASE {name}")
        self.created_pg.append(name)
        return with_database(self.pg_admin_url, name)

    def drop_all(self) -> None:
        for name in self.created_pg:
            try:
                psql(self.pg_admin_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            except PostgresUnavailable:
                pass
        self.created_pg.clear()


# ---------------------------------------------------------------------------------------------
# Processes


def run_init(database: str, env_extra: dict | None = None, timeout: float = 120):
    return subprocess.run(
        [str(tessera_bin()), "init", "--database", database],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=server_env(env_extra),
        stdin=subprocess.DEVNULL,
    )


class TesseraServer:
    """One `tessera serve` process on 127.0.0.1:0. Audit log files go to `audit_dir`, by
    default a directory beside the log file, so no test writes into the repository."""

    def __init__(self, database: str, log_path: Path, test_mode: bool = True,
                 env_extra: dict | None = None, audit_dir: Path | None = None,
                 extra_args: list[str] | None = None):
        self.database = database
        self.log_path = log_path
        self.test_mode = test_mode
        self.env_extra = env_extra
        self.audit_dir = audit_dir or log_path.with_name(log_path.stem + "-audit")
        self.extra_args = list(extra_args or [])
        self.proc: subprocess.Popen | None = None
        self.url: str | None = None
        self.preamble: list[str] = []  # stdout lines before the "listening" line
        self.credentials: dict | None = None
        self._lines: queue.Queue = queue.Queue()

    def start(self, timeout: float = 90) -> "TesseraServer":
        cmd = [str(tessera_bin()), "serve", "--listen", "127.0.0.1:0", "--database", self.database,
               "--audit-log-dir", str(self.audit_dir), *self.extra_args]
        if self.test_mode:
            cmd.append("--danger-test-mode")
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=self._log,
            stdin=subprocess.DEVNULL,
            env=server_env(self.env_extra),
        )
        threading.Thread(target=self._pump, daemon=True).start()
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                self.stop()
                raise RuntimeError(f"tessera serve did not print its listening line in {timeout}s"
                                   + self.log_tail())
            try:
                line = self._lines.get(timeout=min(left, 0.5))
            except queue.Empty:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"tessera serve exited with {self.proc.returncode} before "
                                       f"listening; stdout={self.preamble!r}" + self.log_tail())
                continue
            if line is None:
                continue
            m = LISTENING.match(line)
            if m:
                self.url = m.group(1)
                break
            self.preamble.append(line)
        self.credentials = find_json_object("\n".join(self.preamble))
        # GET /health → 200 once ready.
        while time.monotonic() < deadline:
            try:
                if requests.get(self.url + "/health", timeout=5).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("GET /health never answered 200" + self.log_tail())

    def _pump(self) -> None:
        assert self.proc and self.proc.stdout
        for raw in self.proc.stdout:
            self._lines.put(raw.decode("utf-8", "replace").rstrip("\r\n"))
        self._lines.put(None)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> int | None:
        """SIGTERM, then SIGKILL after 15 s; returns the exit status."""
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=15)
        if getattr(self, "_log", None):
            self._log.close()
        return self.proc.returncode if self.proc else None

    def log_size(self) -> int:
        try:
            return self.log_path.stat().st_size
        except OSError:
            return 0

    def log_since(self, offset: int, max_lines: int = 30) -> str:
        try:
            with open(self.log_path, "rb") as f:
                f.seek(offset)
                data = f.read().decode("utf-8", "replace")
        except OSError:
            return ""
        lines = data.splitlines()
        if len(lines) > max_lines:
            lines = [f"... ({len(lines) - max_lines} earlier lines)"] + lines[-max_lines:]
        return "\n".join(lines)

    def log_tail(self, max_lines: int = 40) -> str:
        return "\n--- server stderr (tail) ---\n" + self.log_since(0, max_lines)


# ---------------------------------------------------------------------------------------------
# boto3 clients


def client(url: str, service: str, creds: Creds = ROOT, region: str = "us-east-1",
           validate: bool = True, session: boto3.session.Session | None = None):
    """A boto3 client for Tessera: explicit credentials, no retries (errors surface at once)."""
    return (session or boto3.session.Session()).client(
        service,
        endpoint_url=url,
        region_name=region,
        aws_access_key_id=creds.access_key_id,
        aws_secret_access_key=creds.secret_access_key,
        aws_session_token=creds.session_token,
        config=Config(
            retries={"total_max_attempts": 1},
            connect_timeout=10,
            read_timeout=60,
            parameter_validation=validate,
        ),
    )


# ---------------------------------------------------------------------------------------------
# Raw signed requests


def form(params: dict | list) -> str:
    return urllib.parse.urlencode(params)


def sign(method: str, url: str, body: bytes | str | None, creds: Creds, service: str,
         region: str = "us-east-1", headers: dict | None = None,
         when: _dt.datetime | None = None) -> dict:
    """Headers of a SigV4-signed request, signed by botocore (optionally at a fake time)."""
    hdrs = {"Content-Type": FORM} if body is not None else {}
    hdrs.update(headers or {})
    req = AWSRequest(method=method, url=url, data=body, headers=hdrs)
    signer = SigV4Auth(Credentials(creds.access_key_id, creds.secret_access_key,
                                   creds.session_token), service, region)
    if when is None:
        signer.add_auth(req)
    else:
        with mock.patch("botocore.auth.get_current_datetime", lambda: when):
            signer.add_auth(req)
    return dict(req.headers.items())


def presign(url: str, params: dict, creds: Creds, service: str, region: str = "us-east-1",
            expires: int = 300, when: _dt.datetime | None = None) -> str:
    """A presigned GET URL (query-string SigV4) for the given Query parameters."""
    full = url.rstrip("/") + "/?" + form(params)
    req = AWSRequest(method="GET", url=full)
    signer = SigV4QueryAuth(Credentials(creds.access_key_id, creds.secret_access_key,
                                        creds.session_token), service, region, expires=expires)
    if when is None:
        signer.add_auth(req)
    else:
        with mock.patch("botocore.auth.get_current_datetime", lambda: when):
            signer.add_auth(req)
    return req.url


def call(url: str, params: dict | list | None = None, creds: Creds | None = ROOT,
         service: str = "iam", region: str = "us-east-1", body: bytes | str | None = None,
         method: str = "POST", headers: dict | None = None, when: _dt.datetime | None = None,
         send_body: bytes | str | None = None, timeout: float = 30) -> requests.Response:
    """Sends a Query request. `params` (or a raw `body`) is signed with `creds` unless creds is
    None; `send_body` replaces the body after signing (tampering)."""
    if body is None and params is not None:
        body = form(params)
    endpoint = url.rstrip("/") + "/"
    if creds is None:
        hdrs = {"Content-Type": FORM} if body is not None else {}
        hdrs.update(headers or {})
    else:
        hdrs = sign(method, endpoint, body, creds, service, region, headers, when)
    data = send_body if send_body is not None else body
    if isinstance(data, str):
        data = data.encode("utf-8")
    return requests.request(method, endpoint, data=data, headers=hdrs, timeout=timeout)


def strip_ns(tag: str) -> str:
    return tag.split("}", 1)[1] if tag.startswith("{") else tag


def namespace(tag: str) -> str | None:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else None


def parse_xml(resp: requests.Response) -> ET.Element:
    return ET.fromstring(resp.content)


def child(el: ET.Element, name: str) -> ET.Element | None:
    for c in el:
        if strip_ns(c.tag) == name:
            return c
    return None


def error_of(resp: requests.Response) -> dict:
    """Code, Message, Type, RequestId and namespace of an ErrorResponse, checking its shape."""
    root = parse_xml(resp)
    assert strip_ns(root.tag) == "ErrorResponse", resp.text
    err = child(root, "Error")
    assert err is not None, resp.text
    names = [strip_ns(c.tag) for c in err]
    assert names.count("Message") <= 1 and "message" not in names, resp.text
    rid = child(root, "RequestId")
    return {
        "ns": namespace(root.tag),
        "Type": getattr(child(err, "Type"), "text", None),
        "Code": getattr(child(err, "Code"), "text", None),
        "Message": getattr(child(err, "Message"), "text", None),
        "RequestId": getattr(rid, "text", None),
    }


def assert_raw_error(resp: requests.Response, status: int, code: str, message: str | None = None,
                     ns: str | None = None) -> dict:
    assert resp.status_code == status, f"expected {status} {code}, got {resp.status_code}: {resp.text}"
    e = error_of(resp)
    assert e["Code"] == code, f"expected {code}, got {e}"
    if message is not None:
        assert e["Message"] == message, e
    assert e["Type"] == ("Sender" if status < 500 else "Receiver"), e
    if ns is not None:
        assert e["ns"] == ns, e
    assert resp.headers.get("Content-Type", "").startswith("text/xml"), resp.headers
    assert e["RequestId"] and resp.headers.get("x-amzn-RequestId") == e["RequestId"], (
        resp.headers, e)
    return e


@contextmanager
def fake_now(when: _dt.datetime):
    with mock.patch("botocore.auth.get_current_datetime", lambda: when):
        yield


# ---------------------------------------------------------------------------------------------
# Assertions


class aws_error:
    """`with aws_error("NoSuchEntity", 404, message=...) as e:` around one boto3 call."""

    def __init__(self, code: str, status: int, message: str | None = None,
                 prefix: str | None = None, contains: tuple | list | str = ()):
        self.code, self.status, self.message, self.prefix = code, status, message, prefix
        self.contains = (contains,) if isinstance(contains, str) else tuple(contains)
        self.error: dict = {}
        self.response: dict = {}

    def __enter__(self):
        return self

    def __exit__(self, et, ev, tb):
        if ev is None:
            pytest.fail(f"expected {self.status} {self.code}, but the call succeeded")
        if not isinstance(ev, ClientError):
            return False
        self.response = ev.response
        self.error = ev.response.get("Error", {})
        status = ev.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        got = (status, self.error.get("Code"), self.error.get("Message"))
        assert (status, self.error.get("Code")) == (self.status, self.code), (
            f"expected {self.status} {self.code}, got {got}")
        msg = self.error.get("Message") or ""
        if self.message is not None:
            assert msg == self.message, f"message: expected {self.message!r}, got {msg!r}"
        if self.prefix is not None:
            assert msg.startswith(self.prefix), f"message {msg!r} lacks prefix {self.prefix!r}"
        for part in self.contains:
            assert part in msg, f"message {msg!r} lacks {part!r}"
        return True


def validation_message(value, member: str, constraint: str) -> str:
    """AWS's one-violation ValidationError text (wire-protocol.md §2.5)."""
    shown = "null" if value is None else f"'{value}'"
    return (f"1 validation error detected: Value {shown} at '{member}' failed to satisfy "
            f"constraint: {constraint}")


def near_now(ts: _dt.datetime, slack: float = 120) -> bool:
    now = _dt.datetime.now(_dt.timezone.utc)
    return abs((ts - now).total_seconds()) <= slack


# ---------------------------------------------------------------------------------------------
# MFA: codes from independent TOTP implementations (never from Tessera), QR decoding, the
# hardware-token import command


TOTP_STEP = 30


def totp_codes(seed: str, unix: int, count: int = 2, hex_seed: bool = False,
               period: int = TOTP_STEP) -> list[str]:
    """`count` consecutive 6-digit codes starting at the step holding `unix`: oathtool's when it
    is installed (tests/run installs it), else pyotp's. `seed` is Base32 text, or hex with
    `hex_seed`."""
    if shutil.which("oathtool"):
        cmd = ["oathtool", "--totp", "-N", f"@{unix}", "-w", str(count - 1)]
        if period != TOTP_STEP:
            cmd.append(f"--time-step-size={period}s")
        if not hex_seed:
            cmd.append("-b")
        out = subprocess.run(cmd + [seed], capture_output=True, text=True, timeout=30,
                             stdin=subprocess.DEVNULL)
        assert out.returncode == 0, f"oathtool failed: {out.stderr}"
        codes = out.stdout.split()
    else:
        import base64

        import pyotp

        b32 = base64.b32encode(bytes.fromhex(seed)).decode() if hex_seed else seed
        gen = pyotp.TOTP(b32, interval=period)
        codes = [gen.at(unix + i * period) for i in range(count)]
    assert len(codes) == count and all(re.fullmatch(r"\d{6}", c) for c in codes), codes
    return codes


def totp_pair(seed: str, step: int, hex_seed: bool = False, period: int = TOTP_STEP):
    """The codes of steps `step` and `step + 1` (what EnableMFADevice and ResyncMFADevice take)."""
    c1, c2 = totp_codes(seed, step * period, 2, hex_seed, period)
    return c1, c2


def decode_qr(png: bytes) -> list[str]:
    """The texts of every QR code in a PNG, read by zxing-cpp (an independent decoder)."""
    import io

    import zxingcpp
    from PIL import Image

    image = Image.open(io.BytesIO(png))
    image.load()
    return [r.text for r in zxingcpp.read_barcodes(image.convert("L"))
            if r.format == zxingcpp.BarcodeFormat.QRCode]


# A frozen instant for MFA tests (test-mode.md): 10 s into TOTP step MFA_STEP.
MFA_NOW = 1_800_000_010
MFA_STEP = MFA_NOW // TOTP_STEP


def virtual_device(iam, name: str, **kw) -> tuple[str, str]:
    """Creates a virtual MFA device; returns its serial and its Base32 seed text."""
    dev = iam.create_virtual_mfa_device(VirtualMFADeviceName=name, **kw)["VirtualMFADevice"]
    return dev["SerialNumber"], dev["Base32StringSeed"].decode("ascii")


def enable_device(iam, user: str, serial: str, seed: str, step: int = MFA_STEP,
                  hex_seed: bool = False, period: int = TOTP_STEP) -> None:
    """EnableMFADevice with the codes of `step` and `step + 1`."""
    c1, c2 = totp_pair(seed, step, hex_seed, period)
    iam.enable_mfa_device(UserName=user, SerialNumber=serial, AuthenticationCode1=c1,
                          AuthenticationCode2=c2)


def run_import_hardware(database: str, file: Path, *args: str, env_extra: dict | None = None,
                        timeout: float = 120) -> subprocess.CompletedProcess:
    """`tessera mfa import-hardware --file F --database URL ARGS…` with the server's
    environment (same data key), e.g. against a running server's database."""
    return subprocess.run(
        [str(tessera_bin()), "mfa", "import-hardware", "--database", database, "--file", str(file),
         *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=server_env(env_extra),
        stdin=subprocess.DEVNULL,
    )


def policy_of_size(n: int) -> str:
    """A valid identity policy of exactly `n` characters not counting whitespace (the size IAM's
    policy quotas measure), padded by its `Sid`; `n` ≥ 70."""
    body = {"Statement": {"Sid": "", "Effect": "Allow", "Action": "*", "Resource": "*"}}
    body["Statement"]["Sid"] = "x" * (n - len(json.dumps(body).replace(" ", "")))
    text = json.dumps(body)
    assert len(text.replace(" ", "")) == n, n
    return text


def log_files(audit_dir: Path) -> list[Path]:
    """Every file under an audit log directory (cloudtrail.md §7)."""
    return sorted(p for p in audit_dir.rglob("*") if p.is_file())


def records_in(audit_dir: Path) -> list[dict]:
    """Every record of every delivered file (after a crash the same eventID may repeat)."""
    import gzip

    records = []
    for path in log_files(audit_dir):
        if path.name.endswith(".json.gz"):
            body = json.loads(gzip.decompress(path.read_bytes()))
            assert list(body) == ["Records"], path
            records.extend(body["Records"])
    return records
