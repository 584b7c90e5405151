#!/usr/bin/env python3
"""Write PSKC fixtures with python-pskc (PyPI `python-pskc`), an independent producer of
encrypted TOTP files for the Rust importer's tests (`otp.md` §8.4).

    python3 -m venv /tmp/pskc && /tmp/pskc/bin/pip install python-pskc
    /tmp/pskc/bin/python src/mfa/import/testdata/make_python_pskc.py

IVs, salts and MAC keys are random, so each run writes different bytes that must import to the
same tokens. The tests pin the values below.
"""

import datetime
import os

import pskc

HERE = os.path.dirname(os.path.abspath(__file__))
UTC = datetime.timezone.utc


def add_tokens(container):
    # Token 1: SHA-256, 60-second steps, drift -2, with a validity window.
    key = container.add_key(
        id="PYPSKC-000001",
        serial="PYPSKC-000001",
        manufacturer="python-pskc",
        model="fixture-60",
        issuer="Tessera tests",
        algorithm="urn:ietf:params:xml:ns:keyprov:pskc:totp",
        algorithm_suite="HMAC-SHA256",
        response_encoding="DECIMAL",
        response_length=6,
        secret=bytes(range(1, 33)),
        time_offset=0,
        time_interval=60,
        time_drift=-2,
    )
    key.start_date = datetime.datetime(2024, 1, 1, tzinfo=UTC)
    key.expiry_date = datetime.datetime(2099, 1, 1, tzinfo=UTC)
    # Token 2: SHA-1, 30-second steps, the RFC 6238 seed.
    container.add_key(
        id="PYPSKC-000002",
        serial="PYPSKC-000002",
        manufacturer="python-pskc",
        algorithm="urn:ietf:params:xml:ns:keyprov:pskc:totp",
        response_encoding="DECIMAL",
        response_length=6,
        secret=b"12345678901234567890",
        time_interval=30,
    )


def pbkdf2_file():
    container = pskc.PSKC()
    add_tokens(container)
    container.encryption.setup_pbkdf2(
        "correct horse battery staple",
        algorithm="aes256-cbc",
        iterations=2000,
        prf="hmac-sha256",
        # python-pskc cannot encrypt negative integers, so TimeDrift stays plain.
        fields=["secret", "time_offset", "time_interval"],
    )
    container.mac.setup(algorithm="hmac-sha256")
    container.write(os.path.join(HERE, "python-pskc-totp-pbkdf2.pskcxml"))


def pre_shared_key_file():
    container = pskc.PSKC()
    add_tokens(container)
    container.encryption.setup_preshared_key(
        key=bytes.fromhex("000102030405060708090a0b0c0d0e0f"),
        key_name="Tessera test key",
    )
    container.write(os.path.join(HERE, "python-pskc-totp-pre-shared-key.pskcxml"))


if __name__ == "__main__":
    pbkdf2_file()
    pre_shared_key_file()
