"""Hardware TOTP tokens imported with `tessera mfa import-hardware` (CSV and PSKC, RFC 6030),
then enabled, resynchronised and deactivated through boto3 with oathtool codes (iam-mfa.md
§1.1–§1.2, otp.md §8). The command runs against the server's own database while it serves."""

import base64

import pytest

from harness import ACCOUNT_ID, MFA_NOW, MFA_STEP, aws_error, enable_device, run_import_hardware
from harness import totp_pair, virtual_device

T = MFA_STEP
# RFC 4226/6238 seed: ASCII "12345678901234567890".
RFC_HEX = "3132333435363738393031323334353637383930"
RFC_B32 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
PSK = "12345678901234567890123456789012"
WRONG_CODE = "Authentication code for device is not valid."

# otp.md §8.4 "Tessera TOTP variant": the RFC 6030 §6.1 pre-shared-key example with a TOTP key
# package; the encrypted secret, ValueMAC and MACKey are the RFC's bytes.
PSKC_PSK = """<?xml version="1.0" encoding="UTF-8"?>
<KeyContainer Version="1.0"
    xmlns="urn:ietf:params:xml:ns:keyprov:pskc"
    xmlns:ds="http://www.w3.org/2000/09/xmldsig#"
    xmlns:xenc="http://www.w3.org/2001/04/xmlenc#">
  <EncryptionKey>
    <ds:KeyName>Pre-shared-key</ds:KeyName>
  </EncryptionKey>
  <MACMethod Algorithm="http://www.w3.org/2000/09/xmldsig#hmac-sha1">
    <MACKey>
      <xenc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc"/>
      <xenc:CipherData>
        <xenc:CipherValue>ESIzRFVmd4iZABEiM0RVZgKn6WjLaTC1sbeBMSvIhRejN9vJa2BOlSaMrR7I5wSX</xenc:CipherValue>
      </xenc:CipherData>
    </MACKey>
  </MACMethod>
  <KeyPackage>
    <DeviceInfo>
      <Manufacturer>Manufacturer</Manufacturer>
      <SerialNo>{serial}</SerialNo>
    </DeviceInfo>
    <CryptoModuleInfo>
      <Id>CM_ID_001</Id>
    </CryptoModuleInfo>
    <Key Id="{serial}" Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:totp">
      <Issuer>Issuer</Issuer>
      <AlgorithmParameters>
        <ResponseFormat Length="6" Encoding="DECIMAL"/>
      </AlgorithmParameters>
      <Data>
        <Secret>
          <EncryptedValue>
            <xenc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc"/>
            <xenc:CipherData>
              <xenc:CipherValue>AAECAwQFBgcICQoLDA0OD+cIHItlB3Wra1DUpxVvOx2lef1VmNPCMl8jwZqIUqGv</xenc:CipherValue>
            </xenc:CipherData>
          </EncryptedValue>
          <ValueMAC>{mac}</ValueMAC>
        </Secret>
        <Time>
          <PlainValue>0</PlainValue>
        </Time>
        <TimeInterval>
          <PlainValue>30</PlainValue>
        </TimeInterval>
      </Data>
    </Key>
  </KeyPackage>
</KeyContainer>
"""

# The RFC 6030 §6.2 PBKDF2 example (passphrase "qwerty") turned into a TOTP key package the
# same way; the encrypted values are the RFC's bytes.
PSKC_PBKDF2 = """<?xml version="1.0" encoding="UTF-8"?>
<pskc:KeyContainer Version="1.0"
    xmlns:pskc="urn:ietf:params:xml:ns:keyprov:pskc"
    xmlns:xenc11="http://www.w3.org/2009/xmlenc11#"
    xmlns:pkcs5="http://www.rsasecurity.com/rsalabs/pkcs/schemas/pkcs-5v2-0#"
    xmlns:xenc="http://www.w3.org/2001/04/xmlenc#">
  <pskc:EncryptionKey>
    <xenc11:DerivedKey>
      <xenc11:KeyDerivationMethod
          Algorithm="http://www.rsasecurity.com/rsalabs/pkcs/schemas/pkcs-5v2-0#pbkdf2">
        <pkcs5:PBKDF2-params>
          <Salt>
            <Specified>Ej7/PEpyEpw=</Specified>
          </Salt>
          <IterationCount>1000</IterationCount>
          <KeyLength>16</KeyLength>
          <PRF/>
        </pkcs5:PBKDF2-params>
      </xenc11:KeyDerivationMethod>
      <xenc:ReferenceList>
        <xenc:DataReference URI="#ED"/>
      </xenc:ReferenceList>
      <xenc11:MasterKeyName>My Password 1</xenc11:MasterKeyName>
    </xenc11:DerivedKey>
  </pskc:EncryptionKey>
  <pskc:MACMethod Algorithm="http://www.w3.org/2000/09/xmldsig#hmac-sha1">
    <pskc:MACKey>
      <xenc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc"/>
      <xenc:CipherData>
        <xenc:CipherValue>2GTTnLwM3I4e5IO5FkufoOEiOhNj91fhKRQBtBJYluUDsPOLTfUvoU2dStyOwYZx</xenc:CipherValue>
      </xenc:CipherData>
    </pskc:MACKey>
  </pskc:MACMethod>
  <pskc:KeyPackage>
    <pskc:DeviceInfo>
      <pskc:Manufacturer>TokenVendorAcme</pskc:Manufacturer>
      <pskc:SerialNo>{serial}</pskc:SerialNo>
    </pskc:DeviceInfo>
    <pskc:CryptoModuleInfo>
      <pskc:Id>CM_ID_001</pskc:Id>
    </pskc:CryptoModuleInfo>
    <pskc:Key Id="{serial}" Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:totp">
      <pskc:Issuer>Example-Issuer</pskc:Issuer>
      <pskc:AlgorithmParameters>
        <pskc:ResponseFormat Length="6" Encoding="DECIMAL"/>
      </pskc:AlgorithmParameters>
      <pskc:Data>
        <pskc:Secret>
          <pskc:EncryptedValue Id="ED">
            <xenc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc"/>
            <xenc:CipherData>
              <xenc:CipherValue>oTvo+S22nsmS2Z/RtcoF8Hfh+jzMe0RkiafpoDpnoZTjPYZu6V+A4aEn032yCr4f</xenc:CipherValue>
            </xenc:CipherData>
          </pskc:EncryptedValue>
          <pskc:ValueMAC>LP6xMvjtypbfT9PdkJhBZ+D6O4w=</pskc:ValueMAC>
        </pskc:Secret>
        <pskc:TimeInterval>
          <pskc:PlainValue>30</pskc:PlainValue>
        </pskc:TimeInterval>
      </pskc:Data>
    </pskc:Key>
  </pskc:KeyPackage>
</pskc:KeyContainer>
"""
RFC_MAC = "Su+NvtQfmvfJzF6bmQiJqoLRExc="

PSKC_PLAIN = """<?xml version="1.0" encoding="UTF-8"?>
<KeyContainer Version="1.0" xmlns="urn:ietf:params:xml:ns:keyprov:pskc">
  <KeyPackage>
    <DeviceInfo>
      <Manufacturer>Manufacturer</Manufacturer>
      <SerialNo>{serial}</SerialNo>
    </DeviceInfo>
    <Key Id="{serial}" Algorithm="{algorithm}">
      <Issuer>Issuer-A</Issuer>
      <Data>
        <Secret>
          <PlainValue>{secret}</PlainValue>
        </Secret>
        <TimeInterval>
          <PlainValue>{period}</PlainValue>
        </TimeInterval>
      </Data>
    </Key>
  </KeyPackage>
</KeyContainer>
"""
TOTP_URI = "urn:ietf:params:xml:ns:keyprov:pskc:totp"
HOTP_URI = "urn:ietf:params:xml:ns:keyprov:pskc:hotp"


def pskc_psk(serial="TSR000000001", mac=RFC_MAC):
    return PSKC_PSK.replace("{serial}", serial).replace("{mac}", mac)


def pskc_pbkdf2(serial="TSR000000002"):
    return PSKC_PBKDF2.replace("{serial}", serial)


def pskc_plain(serial, seed_hex=RFC_HEX, algorithm=TOTP_URI, period=30):
    secret = base64.b64encode(bytes.fromhex(seed_hex)).decode()
    return (PSKC_PLAIN.replace("{serial}", serial).replace("{algorithm}", algorithm)
            .replace("{secret}", secret).replace("{period}", str(period)))


class Importer:
    def __init__(self, tessera, tmp_path):
        self.tessera, self.tmp = tessera, tmp_path
        self.n = 0

    def run(self, content: str, *args: str, suffix=".csv"):
        self.n += 1
        f = self.tmp / f"tokens{self.n}{suffix}"
        f.write_text(content)
        return run_import_hardware(self.tessera.server.database, f, *args)

    def ok(self, content: str, *args: str, suffix=".csv"):
        p = self.run(content, *args, suffix=suffix)
        assert p.returncode == 0, f"import-hardware exited {p.returncode}: {p.stdout} {p.stderr}"
        return p

    def fails(self, content: str, *args: str, suffix=".csv"):
        p = self.run(content, *args, suffix=suffix)
        assert p.returncode != 0, f"import-hardware succeeded: {p.stdout} {p.stderr}"
        assert p.stderr.strip(), "no reason given on stderr"
        return p


@pytest.fixture
def imp(tessera, tmp_path):
    tessera.freeze(MFA_NOW)
    tessera.create_user("alice")
    return Importer(tessera, tmp_path)


def assigned(tessera, user="alice"):
    return [d["SerialNumber"] for d in tessera.iam().list_mfa_devices(UserName=user)["MFADevices"]]


def not_imported(tessera, serial, seed=RFC_HEX, user="alice"):
    """Enabling `serial` with its right codes says the device does not exist."""
    with aws_error("NoSuchEntity", 404,
                   message=f"MFA device with serial number {serial} does not exist."):
        enable_device(tessera.iam(), user, serial, seed, hex_seed=True)


# --- CSV -------------------------------------------------------------------------------------


def test_csv_hex_and_base32_seeds(imp):
    b32 = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    p = imp.ok("serial,seed,digits,period\n"
               f"HWCSV0000001,{RFC_HEX},6,30\n"
               f"HWCSV0000002,{b32},6,30\n"
               f"HWCSV0000003,{b32.lower()},6,60\n")
    assert "HWCSV0000001" in p.stdout and "HWCSV0000003" in p.stdout
    iam = imp.tessera.iam()
    enable_device(iam, "alice", "HWCSV0000001", RFC_HEX, hex_seed=True)
    enable_device(iam, "alice", "HWCSV0000002", b32)
    # A 60-second token: the windows count its own steps (otp.md §6.3).
    enable_device(iam, "alice", "HWCSV0000003", b32, MFA_NOW // 60, period=60)
    devices = iam.list_mfa_devices(UserName="alice")["MFADevices"]
    assert sorted(d["SerialNumber"] for d in devices) == [
        "HWCSV0000001", "HWCSV0000002", "HWCSV0000003"]
    assert {d["UserName"] for d in devices} == {"alice"}
    # Hardware tokens are not virtual devices.
    assert iam.list_virtual_mfa_devices()["VirtualMFADevices"] == []


def test_csv_without_header(imp):
    imp.ok(f"HWCSV0000004,{RFC_HEX},6,30\n")
    enable_device(imp.tessera.iam(), "alice", "HWCSV0000004", RFC_HEX, hex_seed=True)
    assert assigned(imp.tessera) == ["HWCSV0000004"]


def test_rfc_vectors_through_a_token(imp):
    # otp.md §9 at unix time 1111111111 (t = 37037037) with the RFC seed, one token per case.
    imp.ok("".join(f"RFCVEC00000{i},{RFC_HEX},6,30\n" for i in range(1, 5)))
    imp.tessera.freeze(1111111111)
    t = 1111111111 // 30
    assert totp_pair(RFC_HEX, t - 1, hex_seed=True) == ("081804", "050471")
    assert totp_pair(RFC_HEX, t + 1, hex_seed=True) == ("266759", "306183")
    iam = imp.tessera.iam()

    def enable(serial, c1, c2):
        iam.enable_mfa_device(UserName="alice", SerialNumber=serial, AuthenticationCode1=c1,
                              AuthenticationCode2=c2)

    for serial, c1, c2 in [("RFCVEC000001", "050471", "081804"),   # order reversed
                           ("RFCVEC000002", "081804", "266759")]:  # not consecutive
        with aws_error("InvalidAuthenticationCode", 403, message=WRONG_CODE):
            enable(serial, c1, c2)
    enable("RFCVEC000003", "081804", "050471")
    enable("RFCVEC000001", "081804", "050471")  # the refusals above consumed nothing
    assert sorted(assigned(imp.tessera)) == ["RFCVEC000001", "RFCVEC000003"]


@pytest.mark.parametrize("rows", [
    f"HWBAD0000001,{RFC_HEX},6,30\nHWBAD0000002,not-a-seed!,6,30\n",   # bad seed text
    f"HWBAD0000001,{RFC_HEX},6,30\nHWBAD0000002,{RFC_HEX},8,30\n",     # 8 digits
    f"HWBAD0000001,{RFC_HEX},6,30\nHWBAD0000002,{RFC_HEX},6,45\n",     # period 45
    f"HWBAD0000001,{RFC_HEX},6,30\nHWBAD0000001,{RFC_HEX},6,30\n",     # duplicate serial
    f"HWBAD0000001,{RFC_HEX},6,30\n654321,{RFC_HEX},6,30\n",           # serial too short
    f"HWBAD0000001,{RFC_HEX},6,30\nHWBAD0000002,{RFC_HEX[:16]},6,30\n",  # seed of 8 bytes
    f"HWBAD0000001,{RFC_HEX},6,30\nHW BAD 0002,{RFC_HEX},6,30\n",       # bad serial chars
])
def test_csv_with_a_bad_row_imports_nothing(imp, rows):
    imp.fails(rows)
    not_imported(imp.tessera, "HWBAD0000001")


def test_serial_prefix(imp):
    row = f"654321,{RFC_HEX},6,30\n"
    imp.fails(row)
    imp.ok(row, "--serial-prefix", "ACME-0")
    enable_device(imp.tessera.iam(), "alice", "ACME-0654321", RFC_HEX, hex_seed=True)
    assert assigned(imp.tessera) == ["ACME-0654321"]


def test_reimport_refused_unless_replace(imp):
    other = "0123456789abcdef0123456789abcdef01234567"
    imp.ok(f"HWREP0000001,{RFC_HEX},6,30\n")
    imp.fails(f"HWREP0000001,{other},6,30\n")
    # The first seed is still the one in force.
    iam = imp.tessera.iam()
    with aws_error("InvalidAuthenticationCode", 403, message=WRONG_CODE):
        enable_device(iam, "alice", "HWREP0000001", other, hex_seed=True)
    imp.ok(f"HWREP0000001,{other},6,30\n", "--replace")
    enable_device(iam, "alice", "HWREP0000001", other, T + 2, hex_seed=True)
    assert assigned(imp.tessera) == ["HWREP0000001"]


def test_reimport_with_a_new_serial_in_the_same_file_is_all_or_nothing(imp):
    imp.ok(f"HWREP0000002,{RFC_HEX},6,30\n")
    imp.fails(f"HWREP0000003,{RFC_HEX},6,30\nHWREP0000002,{RFC_HEX},6,30\n")
    not_imported(imp.tessera, "HWREP0000003")


def test_serial_of_a_virtual_device_is_refused(imp):
    serial, _ = virtual_device(imp.tessera.iam(), "taken")
    imp.fails(f"{serial},{RFC_HEX},6,30\n")
    # The serial still names the virtual device only.
    assert [d["SerialNumber"] for d in imp.tessera.iam().list_virtual_mfa_devices()[
        "VirtualMFADevices"]] == [serial]


def test_unknown_account_is_refused(imp):
    imp.fails(f"HWACC0000001,{RFC_HEX},6,30\n", "--account", "999999999999")
    not_imported(imp.tessera, "HWACC0000001")


def test_missing_file(imp, tmp_path):
    p = run_import_hardware(imp.tessera.server.database, tmp_path / "absent.csv")
    assert p.returncode != 0 and p.stderr.strip()


# --- PSKC ------------------------------------------------------------------------------------


def test_pskc_pre_shared_key(imp):
    p = imp.ok(pskc_psk(), "--pre-shared-key", PSK, suffix=".xml")
    assert "TSR000000001" in p.stdout
    # The token produces the RFC 6238 SHA-1 codes (otp.md §8.4).
    imp.tessera.freeze(1111111111)
    assert totp_pair(RFC_HEX, 1111111109 // 30, hex_seed=True) == ("081804", "050471")
    imp.tessera.iam().enable_mfa_device(UserName="alice", SerialNumber="TSR000000001",
                                        AuthenticationCode1="081804",
                                        AuthenticationCode2="050471")
    assert assigned(imp.tessera) == ["TSR000000001"]


def test_pskc_pre_shared_key_with_frozen_clock_codes(imp):
    imp.ok(pskc_psk(), "--pre-shared-key", PSK, suffix=".xml")
    enable_device(imp.tessera.iam(), "alice", "TSR000000001", RFC_HEX, hex_seed=True)
    assert assigned(imp.tessera) == ["TSR000000001"]


def test_pskc_passphrase(imp):
    imp.ok(pskc_pbkdf2(), "--passphrase", "qwerty", suffix=".xml")
    enable_device(imp.tessera.iam(), "alice", "TSR000000002", RFC_HEX, hex_seed=True)
    assert assigned(imp.tessera) == ["TSR000000002"]


def test_pskc_plain(imp):
    p = imp.ok(pskc_plain("TSRPLAIN0001"), suffix=".xml")
    assert "warning" in p.stderr.lower(), p.stderr  # plain seeds: destroy the file (§8.2)
    enable_device(imp.tessera.iam(), "alice", "TSRPLAIN0001", RFC_HEX, hex_seed=True)
    assert assigned(imp.tessera) == ["TSRPLAIN0001"]


def test_pskc_plain_sixty_second_token(imp):
    imp.ok(pskc_plain("TSRPLAIN0060", period=60), suffix=".xml")
    enable_device(imp.tessera.iam(), "alice", "TSRPLAIN0060", RFC_HEX, MFA_NOW // 60,
                  hex_seed=True, period=60)
    assert assigned(imp.tessera) == ["TSRPLAIN0060"]


@pytest.mark.parametrize("args", [
    ("--pre-shared-key", "00" * 16),                     # wrong key
    ("--pre-shared-key", PSK[:-2] + "33"),               # wrong key, one byte off
    (),                                                  # no key given
    ("--passphrase", "qwerty"),                          # the wrong kind of key
])
def test_pskc_wrong_key_imports_nothing(imp, args):
    imp.fails(pskc_psk(), *args, suffix=".xml")
    not_imported(imp.tessera, "TSR000000001")


def test_pskc_wrong_passphrase_imports_nothing(imp):
    imp.fails(pskc_pbkdf2(), "--passphrase", "Qwerty", suffix=".xml")
    not_imported(imp.tessera, "TSR000000002")


def test_pskc_tampered_mac_imports_nothing(imp):
    imp.fails(pskc_psk(mac="Tu+NvtQfmvfJzF6bmQiJqoLRExc="), "--pre-shared-key", PSK,
              suffix=".xml")
    not_imported(imp.tessera, "TSR000000001")


@pytest.mark.parametrize("mangle", [
    lambda x: x[: len(x) // 2],                                   # truncated
    lambda x: x.replace("<KeyPackage>", "<KeyPackage><Oops>", 1),  # not well-formed
    lambda x: x.replace("AAECAwQFBgcICQoLDA0OD+cIHItlB3Wra1DUpxVvOx2lef1VmNPCMl8jwZqIUqGv",
                        "AAECAwQFBgcICQoLDA0OD+cIHItlB3Wra1DUpxVvOx2lef1VmNPC"),  # short cipher
    lambda x: "\x00\x01garbage" * 50,
])
def test_pskc_corrupted_file_imports_nothing(imp, mangle):
    imp.fails(mangle(pskc_psk()), "--pre-shared-key", PSK, suffix=".xml")
    not_imported(imp.tessera, "TSR000000001")


def test_pskc_hotp_is_refused(imp):
    imp.fails(pskc_plain("TSRHOTP00001", algorithm=HOTP_URI), suffix=".xml")
    not_imported(imp.tessera, "TSRHOTP00001")


def test_pskc_reimport_refused_unless_replace(imp):
    imp.ok(pskc_psk(), "--pre-shared-key", PSK, suffix=".xml")
    imp.fails(pskc_psk(), "--pre-shared-key", PSK, suffix=".xml")
    imp.ok(pskc_psk(), "--pre-shared-key", PSK, "--replace", suffix=".xml")
    enable_device(imp.tessera.iam(), "alice", "TSR000000001", RFC_HEX, hex_seed=True)


# --- imported tokens through the API -----------------------------------------------------------


def test_hardware_token_lifecycle(imp):
    imp.ok(f"HWLIFE000001,{RFC_HEX},6,30\n")
    tessera = imp.tessera
    iam = tessera.iam()
    tessera.create_user("bob")
    enable_device(iam, "alice", "HWLIFE000001", RFC_HEX, hex_seed=True)
    with aws_error("EntityAlreadyExists", 409, message="MFA device is already in use."):
        enable_device(iam, "bob", "HWLIFE000001", RFC_HEX, T + 2, hex_seed=True)
    # Resync with the ±1 h window, replay refused.
    ahead = totp_pair(RFC_HEX, T + 30, hex_seed=True)
    iam.resync_mfa_device(UserName="alice", SerialNumber="HWLIFE000001",
                          AuthenticationCode1=ahead[0], AuthenticationCode2=ahead[1])
    with aws_error("InvalidAuthenticationCode", 403, message=WRONG_CODE):
        iam.resync_mfa_device(UserName="alice", SerialNumber="HWLIFE000001",
                              AuthenticationCode1=ahead[0], AuthenticationCode2=ahead[1])
    # Not a virtual device, not a FIDO key.
    with aws_error("NoSuchEntity", 404,
                   message="VirtualMFADevice with serial number HWLIFE000001 doesn't exist."):
        iam.delete_virtual_mfa_device(SerialNumber="HWLIFE000001")
    with aws_error("NoSuchEntity", 404):
        iam.get_mfa_device(SerialNumber="HWLIFE000001")
    with aws_error("DeleteConflict", 409,
                   message="Cannot delete entity, must delete MFA device first."):
        iam.delete_user(UserName="alice")
    iam.deactivate_mfa_device(UserName="alice", SerialNumber="HWLIFE000001")
    assert assigned(tessera) == []
    # Back in the inventory: another user can enable it (steps after the used ones).
    tessera.advance(60 * 30)
    enable_device(iam, "bob", "HWLIFE000001", RFC_HEX, T + 60, hex_seed=True)
    assert assigned(tessera, "bob") == ["HWLIFE000001"]


def test_root_can_use_a_hardware_token(imp):
    imp.ok(f"HWROOT000001,{RFC_HEX},6,30\n")
    iam = imp.tessera.iam()
    enable_device(iam, ACCOUNT_ID, "HWROOT000001", RFC_HEX, hex_seed=True)
    assert iam.list_mfa_devices()["MFADevices"][0]["SerialNumber"] == "HWROOT000001"
    assert assigned(imp.tessera) == []


def test_reset_empties_the_inventory(imp):
    # test-mode.md: reset deletes every device.
    imp.ok(f"HWRESET00001,{RFC_HEX},6,30\n")
    imp.tessera.reset()
    imp.tessera.freeze(MFA_NOW)
    imp.tessera.create_user("alice")
    not_imported(imp.tessera, "HWRESET00001")
    imp.ok(f"HWRESET00001,{RFC_HEX},6,30\n")  # no leftover to collide with


def test_summary_counts_assigned_tokens_only(imp):
    # iam-mfa.md §5.9: MFADevices = virtual devices + assigned hardware tokens (+ FIDO).
    imp.ok(f"HWSUM0000001,{RFC_HEX},6,30\nHWSUM0000002,{RFC_HEX},6,30\n")
    iam = imp.tessera.iam()
    summary = iam.get_account_summary()["SummaryMap"]
    assert (summary["MFADevices"], summary["MFADevicesInUse"]) == (0, 0)
    enable_device(iam, "alice", "HWSUM0000001", RFC_HEX, hex_seed=True)
    summary = iam.get_account_summary()["SummaryMap"]
    assert (summary["MFADevices"], summary["MFADevicesInUse"]) == (1, 1)
