//! Golden tests of audit records: every example record of `cloudtrail.md` §6, kept under
//! `tests/fixtures/cloudtrail/`, is rebuilt from typed inputs with the `audit` builders and must
//! match member by member and, serialised, byte for byte (so member order matches too).

use tessera::audit::{
    ApiCall, AuditRecord, CallerSession, ConsoleLoginOutcome, EventSource, Member, Outcome, ROOT_USER_NAME,
    RequestContext, SeedProtection, SignInPrincipal, TlsDetails, TokenImport, UserIdentity, api_call, check_mfa,
    console_login, hardware_token_import,
};
use tessera::domain::mfa_device::DeviceKind;
use tessera::domain::{AccessKeyId, Account, AccountId, PrincipalIdentity, User, UserId};
use tessera::mfa::import::PackageFailure;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

const BROWSER: &str =
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";
const CLI: &str = "aws-cli/1.45.11 md/Botocore#1.43.11 ua/2.1 os/linux#6.18.44 md/arch#x86_64 lang/python#3.11.7 md/pyimpl#CPython botocore/1.43.11";
const LOGIN_TO: &str = "https://tessera.example.test/console/home";
const ALICE_KEY: &str = "AKIAQ3EXAMPLEALICE2J";
const ADMIN_KEY: &str = "AKIAQ3EXAMPLEADMIN6P";
const ALICE_PHONE: &str = "arn:aws:iam::111122223333:mfa/alice-phone";
const BOB_PHONE: &str = "arn:aws:iam::111122223333:mfa/bob-phone";
const ROOT_DEVICE: &str = "arn:aws:iam::111122223333:mfa/root-account-mfa-device";

fn at(text: &str) -> OffsetDateTime {
    OffsetDateTime::parse(text, &Rfc3339).unwrap()
}

fn account_id() -> AccountId {
    AccountId::parse("111122223333").unwrap()
}

fn account() -> Account {
    Account {
        id: account_id(),
        root_email: "root@example.test".to_owned(),
        alias: None,
        created_at: at("2026-11-01T00:00:00Z"),
    }
}

fn user(name: &str, id: &str) -> User {
    User {
        account_id: account_id(),
        id: UserId::from_stored(id.to_owned()),
        name: name.to_owned(),
        path: "/".to_owned(),
        created_at: at("2026-11-01T00:00:00Z"),
        password_last_used: None,
        tags: Vec::new(),
    }
}

fn alice() -> User {
    user("alice", "AIDAQ3EXAMPLEALICE7ZQ")
}

fn admin() -> User {
    user("admin", "AIDAQ3EXAMPLEADMIN4WX")
}

fn key(text: &str) -> AccessKeyId {
    AccessKeyId::from_stored(text.to_owned())
}

/// The caller with a long-term key.
fn signed_with_key(user: User, access_key: &str) -> UserIdentity {
    UserIdentity::caller(&PrincipalIdentity::User { user }, &key(access_key), None)
}

fn context(time: &str, event_id: &str, source_ip: &str, user_agent: &str) -> RequestContext {
    RequestContext {
        event_time: at(time),
        event_id: event_id.parse().unwrap(),
        region: "us-east-1".to_owned(),
        source_ip: source_ip.to_owned(),
        user_agent: user_agent.to_owned(),
        tls: None,
    }
}

/// An API call from the CLI over TLS terminated by Tessera.
fn cli_context(time: &str, event_id: &str, source_ip: &str) -> RequestContext {
    RequestContext {
        tls: Some(TlsDetails {
            tls_version: "TLSv1.3".to_owned(),
            cipher_suite: "TLS_AES_128_GCM_SHA256".to_owned(),
            client_provided_host_header: "tessera.example.test".to_owned(),
        }),
        ..context(time, event_id, source_ip, CLI)
    }
}

fn text(name: &str, value: &str) -> (String, Member) {
    (name.to_owned(), Member::text(value))
}

fn integer(name: &str, value: i64) -> (String, Member) {
    (name.to_owned(), Member::Integer(value))
}

fn structure(name: &str, members: Vec<(String, Member)>) -> (String, Member) {
    (name.to_owned(), Member::Structure(members))
}

fn team_tags() -> (String, Member) {
    (
        "Tags".to_owned(),
        Member::List(vec![Member::structure([
            ("Key", Member::text("team")),
            ("Value", Member::text("ops")),
        ])]),
    )
}

/// An IAM call by alice or admin; fills in what every IAM example shares.
fn iam_call<'a>(
    action: &'a str,
    caller: UserIdentity,
    account: &'a AccountId,
    request_id: &'a str,
    parameters: Vec<(String, Member)>,
    outcome: Outcome,
) -> ApiCall<'a> {
    ApiCall {
        source: EventSource::Iam,
        action,
        caller,
        account,
        request_id,
        parameters,
        outcome,
        from_console: false,
    }
}

fn succeeded() -> Outcome {
    Outcome::Success(Vec::new())
}

/// Compares member by member (for a readable failure), then the exact text.
fn assert_matches_example(fixture: &str, record: &AuditRecord) {
    let path = format!("{}/tests/fixtures/cloudtrail/{fixture}", env!("CARGO_MANIFEST_DIR"));
    let example_text = std::fs::read_to_string(&path).unwrap();
    let example: serde_json::Value = serde_json::from_str(&example_text).unwrap();
    let built = serde_json::to_value(record).unwrap();
    let (example, built) = (example.as_object().unwrap(), built.as_object().unwrap());
    for (name, value) in example {
        assert_eq!(built.get(name), Some(value), "{fixture}: member {name}");
    }
    for name in built.keys() {
        assert!(example.contains_key(name), "{fixture}: unexpected member {name}");
    }
    let pretty = serde_json::to_string_pretty(record).unwrap();
    assert_eq!(
        pretty,
        example_text.trim_end(),
        "{fixture}: text or member order differs"
    );
}

#[test]
fn console_login_of_a_user_with_mfa() {
    let alice = alice();
    let record = console_login(
        &context(
            "2026-11-22T10:15:42Z",
            "6f1c2a0e-8d4b-4c36-9a51-2b7e0d9f3c11",
            "192.0.2.10",
            BROWSER,
        ),
        SignInPrincipal::User(&alice),
        LOGIN_TO,
        ConsoleLoginOutcome::Success {
            mfa_device: Some(ALICE_PHONE),
        },
    );
    assert_matches_example("6_01_console_login_user_mfa.json", &record);
}

#[test]
fn console_login_with_a_wrong_code() {
    let alice = alice();
    let record = console_login(
        &context(
            "2026-11-22T10:15:20Z",
            "0b9d7e44-51a2-4f0e-8c6d-3e2a71c4d5f8",
            "192.0.2.10",
            BROWSER,
        ),
        SignInPrincipal::User(&alice),
        LOGIN_TO,
        ConsoleLoginOutcome::MfaFailure { device: None },
    );
    assert_matches_example("6_02_console_login_user_wrong_code.json", &record);
}

#[test]
fn console_login_of_an_unknown_user() {
    let account = account_id();
    let record = console_login(
        &context(
            "2026-11-22T10:12:03Z",
            "9a3e5b72-0c4f-4d8e-b1a6-7f2c9e0d4b35",
            "198.51.100.7",
            BROWSER,
        ),
        SignInPrincipal::UnknownUser(&account),
        LOGIN_TO,
        ConsoleLoginOutcome::PasswordFailure,
    );
    assert_matches_example("6_03_console_login_unknown_user.json", &record);
}

#[test]
fn console_login_of_root_with_mfa() {
    let account = account();
    let record = console_login(
        &context(
            "2026-11-22T09:02:17Z",
            "c2d4f6a8-1b3e-4a5c-9d7f-0e2b4c6d8f1a",
            "203.0.113.5",
            BROWSER,
        ),
        SignInPrincipal::Root(&account),
        LOGIN_TO,
        ConsoleLoginOutcome::Success {
            mfa_device: Some(ROOT_DEVICE),
        },
    );
    assert_matches_example("6_04_console_login_root_mfa.json", &record);
}

#[test]
fn check_mfa_with_several_device_types() {
    let alice = alice();
    let record = check_mfa(
        &context(
            "2026-11-22T10:15:11Z",
            "5e7a9c1b-3d5f-4b7a-8c9e-1f3a5b7c9d2e",
            "192.0.2.10",
            BROWSER,
        ),
        SignInPrincipal::User(&alice),
        &[DeviceKind::Virtual, DeviceKind::Fido, DeviceKind::Virtual],
    )
    .unwrap();
    assert_matches_example("6_05_check_mfa_several_types.json", &record);
}

fn get_session_token(outcome: Outcome, request_id: &str, time: &str, event_id: &str) -> AuditRecord {
    let account = account_id();
    api_call(
        &cli_context(time, event_id, "192.0.2.10"),
        ApiCall {
            source: EventSource::Sts,
            action: "GetSessionToken",
            caller: signed_with_key(alice(), ALICE_KEY),
            account: &account,
            request_id,
            parameters: vec![
                integer("DurationSeconds", 3600),
                text("SerialNumber", ALICE_PHONE),
                text("TokenCode", "123456"),
            ],
            outcome,
            from_console: false,
        },
    )
}

#[test]
fn get_session_token_with_mfa() {
    let credentials = structure(
        "Credentials",
        vec![
            text("AccessKeyId", "ASIAQ3EXAMPLESESS4MF"),
            text("SecretAccessKey", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
            text("SessionToken", "FwoGZXIvYXdzEXAMPLETOKEN"),
            ("Expiration".to_owned(), Member::Time(at("2026-11-22T11:20:02Z"))),
        ],
    );
    let record = get_session_token(
        Outcome::Success(vec![credentials]),
        "58c5dbae-abef-41e0-8cfe-09039844ac7d",
        "2026-11-22T10:20:02Z",
        "e4b2c7d9-6a1f-4e3b-8d5c-2a9f7b1e3c6d",
    );
    assert_matches_example("6_06_get_session_token_mfa.json", &record);
}

#[test]
fn get_session_token_with_a_wrong_code() {
    let refused = Outcome::Failure {
        code: "AccessDenied".to_owned(),
        message: "MultiFactorAuthentication failed with invalid MFA one time pass code.".to_owned(),
    };
    let record = get_session_token(
        refused,
        "1d3f5a7c-9e2b-4d6f-8a1c-3e5b7d9f2a4c",
        "2026-11-22T10:19:31Z",
        "7c9e1a3b-5d7f-4a2c-9e4b-6d8f0a2c4e6b",
    );
    assert_matches_example("6_07_get_session_token_wrong_code.json", &record);
}

#[test]
fn create_virtual_mfa_device() {
    let account = account_id();
    let device = structure(
        "VirtualMFADevice",
        vec![
            text("SerialNumber", ALICE_PHONE),
            text("Base32StringSeed", "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"),
            text("QRCodePNG", "iVBORw0KGgoAAAANSUhEUgAAAAEAAAAB"),
        ],
    );
    let record = api_call(
        &cli_context(
            "2026-11-22T08:40:10Z",
            "8e1a3c5e-7b9d-4f2a-9c6e-0b2d4f6a8c1e",
            "192.0.2.10",
        ),
        iam_call(
            "CreateVirtualMFADevice",
            signed_with_key(alice(), ALICE_KEY),
            &account,
            "3a5c7e9b-1d3f-4a6c-8e1b-5d7f9a2c4e6a",
            vec![text("VirtualMFADeviceName", "alice-phone")],
            Outcome::Success(vec![device]),
        ),
    );
    assert_matches_example("6_08_create_virtual_mfa_device.json", &record);
}

fn enable_parameters(user_name: &str, serial: &str) -> Vec<(String, Member)> {
    vec![
        text("UserName", user_name),
        text("SerialNumber", serial),
        text("AuthenticationCode1", "123456"),
        text("AuthenticationCode2", "654321"),
    ]
}

#[test]
fn enable_mfa_device_through_the_api() {
    let account = account_id();
    let record = api_call(
        &cli_context(
            "2026-11-22T08:40:55Z",
            "2f4a6c8e-0b2d-4f6a-8c1e-3a5c7e9b1d4f",
            "192.0.2.10",
        ),
        iam_call(
            "EnableMFADevice",
            signed_with_key(alice(), ALICE_KEY),
            &account,
            "4b6d8f1a-3c5e-4b7d-9f2a-6c8e0b2d4f7b",
            enable_parameters("alice", ALICE_PHONE),
            succeeded(),
        ),
    );
    assert_matches_example("6_09_enable_mfa_device_api.json", &record);
}

#[test]
fn enable_mfa_device_from_the_console() {
    let account = account_id();
    let session = CallerSession {
        created_at: at("2026-11-22T10:15:42Z"),
        mfa_authenticated: true,
    };
    let caller = UserIdentity::caller(
        &PrincipalIdentity::User { user: alice() },
        &key("ASIAQ3EXAMPLECONS7LA"),
        Some(&session),
    );
    let serial = "arn:aws:iam::111122223333:u2f/user/alice/alice-yubikey-7XNL7NFNLZ3Q2B5HV4KD6MEXAM";
    let record = api_call(
        &context(
            "2026-11-22T10:17:09Z",
            "a1c3e5b7-9d2f-4a4c-8e6b-0d2f4a6c8e3b",
            "192.0.2.10",
            BROWSER,
        ),
        ApiCall {
            from_console: true,
            ..iam_call(
                "EnableMFADevice",
                caller,
                &account,
                "6d8f1a3c-5e7b-4d9f-8a2c-4e6b8d0f2a5c",
                vec![text("UserName", "alice"), text("SerialNumber", serial)],
                succeeded(),
            )
        },
    );
    assert_matches_example("6_10_enable_mfa_device_console_fido.json", &record);
}

#[test]
fn enable_mfa_device_refused() {
    let account = account_id();
    let message = "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: iam:EnableMFADevice on resource: user alice because the request was not authenticated with an existing MFA device";
    let record = api_call(
        &cli_context(
            "2026-11-22T10:30:44Z",
            "d5f7a9c1-3e5b-4d7f-9a1c-2e4b6d8f0a3c",
            "192.0.2.10",
        ),
        iam_call(
            "EnableMFADevice",
            signed_with_key(alice(), ALICE_KEY),
            &account,
            "9f2a4c6e-8b1d-4f3a-9c5e-7b9d1f3a5c8e",
            enable_parameters("alice", "TSR000000001"),
            Outcome::Failure {
                code: "AccessDenied".to_owned(),
                message: message.to_owned(),
            },
        ),
    );
    assert_matches_example("6_11_enable_mfa_device_refused.json", &record);
}

#[test]
fn root_enrols_a_device_during_sign_in() {
    let account = account();
    let session = CallerSession {
        created_at: at("2026-11-22T09:01:50Z"),
        mfa_authenticated: false,
    };
    let caller = UserIdentity::caller(
        &PrincipalIdentity::Root {
            account: account.clone(),
        },
        &key("ASIAQ3EXAMPLEROOT3CN"),
        Some(&session),
    );
    let record = api_call(
        &context(
            "2026-11-22T09:02:15Z",
            "9e1b3d5f-7a9c-4e2b-8d4f-6a8c0e2b4d5f",
            "203.0.113.5",
            BROWSER,
        ),
        ApiCall {
            from_console: true,
            ..iam_call(
                "EnableMFADevice",
                caller,
                &account.id,
                "2d4f6a8c-0e3b-4d5f-9a7c-1e3b5d7f9a0c",
                enable_parameters(ROOT_USER_NAME, ROOT_DEVICE),
                succeeded(),
            )
        },
    );
    assert_matches_example("6_12_enable_mfa_device_root_enrolment.json", &record);
}

#[test]
fn deactivate_mfa_device() {
    let account = account_id();
    let record = api_call(
        &cli_context(
            "2026-11-22T11:02:33Z",
            "f3a5c7e9-1b3d-4f6a-8c0e-2b4d6f8a1c3e",
            "203.0.113.5",
        ),
        iam_call(
            "DeactivateMFADevice",
            signed_with_key(admin(), ADMIN_KEY),
            &account,
            "2c4e6a8c-0e2b-4d5f-8a7c-9e1b3d5f7a0c",
            vec![text("UserName", "bob"), text("SerialNumber", BOB_PHONE)],
            succeeded(),
        ),
    );
    assert_matches_example("6_13_deactivate_mfa_device.json", &record);
}

#[test]
fn delete_virtual_mfa_device() {
    let account = account_id();
    let record = api_call(
        &cli_context(
            "2026-11-22T11:02:51Z",
            "0c2e4a6c-8e1b-4d3f-9a5c-7e9b1d3f5a8c",
            "203.0.113.5",
        ),
        iam_call(
            "DeleteVirtualMFADevice",
            signed_with_key(admin(), ADMIN_KEY),
            &account,
            "5e7b9d1f-3a5c-4e8b-9d0f-2a4c6e8b0d2f",
            vec![text("SerialNumber", BOB_PHONE)],
            succeeded(),
        ),
    );
    assert_matches_example("6_14_delete_virtual_mfa_device.json", &record);
}

#[test]
fn resync_mfa_device() {
    let account = account_id();
    let record = api_call(
        &cli_context(
            "2026-11-22T12:05:14Z",
            "b8d0f2a4-6c8e-4b1d-9f3a-5c7e9b1d3f6a",
            "192.0.2.10",
        ),
        iam_call(
            "ResyncMFADevice",
            signed_with_key(alice(), ALICE_KEY),
            &account,
            "7a9c1e3b-5d7f-4a0c-8e2b-4d6f8a0c2e5b",
            enable_parameters("alice", "TSR000000001"),
            succeeded(),
        ),
    );
    assert_matches_example("6_15_resync_mfa_device.json", &record);
}

#[test]
fn list_mfa_devices_with_session_credentials() {
    let account = account_id();
    let session = CallerSession {
        created_at: at("2026-11-22T10:20:02Z"),
        mfa_authenticated: true,
    };
    let caller = UserIdentity::caller(
        &PrincipalIdentity::User { user: alice() },
        &key("ASIAQ3EXAMPLESESS4MF"),
        Some(&session),
    );
    // The output of a read-only call is never recorded, whatever the API returned.
    let listed = structure("MFADevices", vec![text("SerialNumber", ALICE_PHONE)]);
    let record = api_call(
        &cli_context(
            "2026-11-22T10:21:37Z",
            "4c6e8a0c-2e4b-4d7f-9a1c-3e5b7d9f2a6c",
            "192.0.2.10",
        ),
        iam_call(
            "ListMFADevices",
            caller,
            &account,
            "1b3d5f7a-9c2e-4b4d-8f6a-0c2e4b6d8f9a",
            vec![text("UserName", "alice")],
            Outcome::Success(vec![listed]),
        ),
    );
    assert_matches_example("6_16_list_mfa_devices_session.json", &record);
}

#[test]
fn create_user() {
    let account = account_id();
    let created = structure(
        "User",
        vec![
            text("Path", "/"),
            text("UserName", "bob"),
            text("UserId", "AIDAQ3EXAMPLEBOBBY5KR"),
            text("Arn", "arn:aws:iam::111122223333:user/bob"),
            ("CreateDate".to_owned(), Member::Time(at("2026-11-22T08:01:05Z"))),
            team_tags(),
        ],
    );
    let record = api_call(
        &cli_context(
            "2026-11-22T08:01:05Z",
            "3d5f7a9c-1e3b-4d6f-8a0c-2e4b6d8f1a3c",
            "203.0.113.5",
        ),
        iam_call(
            "CreateUser",
            signed_with_key(admin(), ADMIN_KEY),
            &account,
            "8b0d2f4a-6c8e-4b2d-9f4a-6c8e0b2d4f7a",
            vec![text("UserName", "bob"), team_tags()],
            Outcome::Success(vec![created]),
        ),
    );
    assert_matches_example("6_17_create_user.json", &record);
}

#[test]
fn create_access_key() {
    let account = account_id();
    let created = structure(
        "AccessKey",
        vec![
            text("UserName", "bob"),
            text("AccessKeyId", "AKIAQ3EXAMPLEBOBKEY5"),
            text("Status", "Active"),
            text("SecretAccessKey", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
            ("CreateDate".to_owned(), Member::Time(at("2026-11-22T08:01:40Z"))),
        ],
    );
    let record = api_call(
        &cli_context(
            "2026-11-22T08:01:40Z",
            "6b8d0f2a-4c6e-4a9b-8d1f-3a5c7e9b2d4f",
            "203.0.113.5",
        ),
        iam_call(
            "CreateAccessKey",
            signed_with_key(admin(), ADMIN_KEY),
            &account,
            "0a2c4e6b-8d0f-4a3c-9e5b-7d9f1b3d5e8a",
            vec![text("UserName", "bob")],
            Outcome::Success(vec![created]),
        ),
    );
    assert_matches_example("6_18_create_access_key.json", &record);
}

#[test]
fn hardware_token_import_by_the_operator() {
    let account = account_id();
    let imported = ["TSR000000001".to_owned()];
    let record = hardware_token_import(
        // The operator's record shows neither the address nor the agent of the caller.
        &context(
            "2026-11-22T07:30:00Z",
            "5a7c9e1b-3d5f-4a8c-9e0b-2d4f6a8c1e3b",
            "127.0.0.1",
            "tessera/0.1",
        ),
        &account,
        TokenImport {
            file_sha256: "9c0f5e0b0d4c8f2a6e1b3d5f7a9c2e4b6d8f0a1c3e5b7d9f2a4c6e8b0d2f4a6c",
            protection: SeedProtection::PreSharedKey,
            serial_prefix: None,
            imported: &imported,
            rejected: &[],
        },
    );
    assert_matches_example("6_19_import_hardware_tokens.json", &record);
}

#[test]
fn lookup_events() {
    let account = account_id();
    let attribute = Member::structure([
        ("AttributeKey", Member::text("EventName")),
        ("AttributeValue", Member::text("ConsoleLogin")),
    ]);
    let record = api_call(
        &cli_context(
            "2026-11-22T12:30:00Z",
            "7d9f1b3d-5f7a-4c0e-9b2d-4f6a8c0e2b5d",
            "203.0.113.5",
        ),
        ApiCall {
            source: EventSource::CloudTrail,
            ..iam_call(
                "LookupEvents",
                signed_with_key(admin(), ADMIN_KEY),
                &account,
                "6c8e0a2c-4e6b-4d9f-8a1c-3e5b7d9f1a2c",
                vec![
                    ("LookupAttributes".to_owned(), Member::List(vec![attribute])),
                    integer("MaxResults", 50),
                    text("NextToken", "eyJ2IjoxfQ.c2lnbmF0dXJl"),
                ],
                succeeded(),
            )
        },
    );
    assert_matches_example("6_20_lookup_events.json", &record);
}

/// Every secret a caller may send or receive, each with a value found nowhere else.
const SECRETS: [(&str, &str); 10] = [
    ("Password", "Password-Secret-1"),
    ("NewPassword", "Password-Secret-2"),
    ("OldPassword", "Password-Secret-3"),
    ("AuthenticationCode1", "918273"),
    ("AuthenticationCode2", "645372"),
    ("TokenCode", "302817"),
    ("Base32StringSeed", "SEEDSEEDSEEDSEEDSEEDSEEDSEEDSEED"),
    ("QRCodePNG", "iVBORw0KQRCODEIMAGEBYTES"),
    ("SecretAccessKey", "SecretKey/Value+Never/Recorded00000000000"),
    ("SessionToken", "SessionTokenValueNeverRecorded"),
];

#[test]
fn no_secret_reaches_any_record() {
    let account = account_id();
    let secrets: Vec<(String, Member)> = SECRETS.iter().map(|(name, value)| text(name, value)).collect();
    let nested = vec![
        structure("Credentials", secrets.clone()),
        (
            "Items".to_owned(),
            Member::List(vec![Member::Structure(secrets.clone())]),
        ),
    ];
    let actions = [
        ("GetSessionToken", EventSource::Sts),
        ("AssumeRole", EventSource::Sts),
        ("CreateAccessKey", EventSource::Iam),
        ("CreateVirtualMFADevice", EventSource::Iam),
        ("EnableMFADevice", EventSource::Iam),
        ("ResyncMFADevice", EventSource::Iam),
        ("CreateLoginProfile", EventSource::Iam),
        ("ChangePassword", EventSource::Iam),
    ];
    for (action, source) in actions {
        let record = api_call(
            &cli_context(
                "2026-11-22T08:00:00Z",
                "3d5f7a9c-1e3b-4d6f-8a0c-2e4b6d8f1a3c",
                "203.0.113.5",
            ),
            ApiCall {
                source,
                ..iam_call(
                    action,
                    signed_with_key(admin(), ADMIN_KEY),
                    &account,
                    "8b0d2f4a-6c8e-4b2d-9f4a-6c8e0b2d4f7a",
                    [secrets.clone(), nested.clone()].concat(),
                    Outcome::Success([secrets.clone(), nested.clone()].concat()),
                )
            },
        );
        let serialised = serde_json::to_string(&record).unwrap();
        for (name, value) in SECRETS {
            assert!(
                !serialised.contains(value),
                "{action} records the value of {name}: {serialised}"
            );
        }
    }
}

#[test]
fn parameters_without_anything_left_are_null() {
    let account = account_id();
    let record = api_call(
        &cli_context(
            "2026-11-22T08:00:00Z",
            "3d5f7a9c-1e3b-4d6f-8a0c-2e4b6d8f1a3c",
            "203.0.113.5",
        ),
        iam_call(
            "ChangePassword",
            signed_with_key(alice(), ALICE_KEY),
            &account,
            "8b0d2f4a-6c8e-4b2d-9f4a-6c8e0b2d4f7a",
            vec![text("OldPassword", "a"), text("NewPassword", "b")],
            succeeded(),
        ),
    );
    let json = serde_json::to_value(&record).unwrap();
    assert_eq!(json["requestParameters"], serde_json::Value::Null);
    assert_eq!(json["responseElements"], serde_json::Value::Null);
}

#[test]
fn check_mfa_names_the_single_device_type() {
    let alice = alice();
    let ctx = context(
        "2026-11-22T10:15:11Z",
        "5e7a9c1b-3d5f-4b7a-8c9e-1f3a5b7c9d2e",
        "192.0.2.10",
        BROWSER,
    );
    let mfa_type = |kinds: &[DeviceKind]| {
        let record = check_mfa(&ctx, SignInPrincipal::User(&alice), kinds).unwrap();
        serde_json::to_value(&record).unwrap()["additionalEventData"]["MfaType"].clone()
    };
    assert_eq!(mfa_type(&[DeviceKind::Fido, DeviceKind::Fido]), "U2F MFA");
    assert_eq!(mfa_type(&[DeviceKind::Virtual]), "Virtual MFA");
    assert_eq!(mfa_type(&[DeviceKind::Hardware]), "Hardware MFA");
    assert!(check_mfa(&ctx, SignInPrincipal::User(&alice), &[]).is_none());
}

#[test]
fn role_sessions_name_their_issuer() {
    let role = tessera::domain::Role {
        account_id: account_id(),
        id: tessera::domain::RoleId::from_stored("AROAQ3EXAMPLEROLE5ABCD".to_owned()),
        name: "auditor".to_owned(),
        path: "/team/".to_owned(),
        trust_policy: "{}".to_owned(),
        description: None,
        max_session_duration: 3600,
        created_at: at("2026-11-01T00:00:00Z"),
        last_used: None,
        tags: Vec::new(),
    };
    let principal = PrincipalIdentity::AssumedRole {
        role,
        session_name: "night-shift".to_owned(),
    };
    let session = CallerSession {
        created_at: at("2026-11-22T10:00:00Z"),
        mfa_authenticated: false,
    };
    let identity = UserIdentity::caller(&principal, &key("ASIAQ3EXAMPLEROLES7AB"), Some(&session));
    let expected = serde_json::json!({
        "type": "AssumedRole",
        "principalId": "AROAQ3EXAMPLEROLE5ABCD:night-shift",
        "arn": "arn:aws:sts::111122223333:assumed-role/auditor/night-shift",
        "accountId": "111122223333",
        "accessKeyId": "ASIAQ3EXAMPLEROLES7AB",
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": "AROAQ3EXAMPLEROLE5ABCD",
                "arn": "arn:aws:iam::111122223333:role/team/auditor",
                "accountId": "111122223333",
                "userName": "auditor"
            },
            "webIdFederationData": {},
            "attributes": {"creationDate": "2026-11-22T10:00:00Z", "mfaAuthenticated": "false"}
        }
    });
    assert_eq!(serde_json::to_value(&identity).unwrap(), expected);
}

#[test]
fn a_rejected_import_entry_is_recorded_without_its_seed() {
    let rejected = [PackageFailure {
        index: 2,
        serial: None,
        reason: "the seed is not valid base32".to_owned(),
    }];
    let record = hardware_token_import(
        &context(
            "2026-11-22T07:30:00Z",
            "5a7c9e1b-3d5f-4a8c-9e0b-2d4f6a8c1e3b",
            "127.0.0.1",
            "",
        ),
        &account_id(),
        TokenImport {
            file_sha256: "00",
            protection: SeedProtection::None,
            serial_prefix: Some("ACME-0"),
            imported: &[],
            rejected: &rejected,
        },
    );
    let json = serde_json::to_value(&record).unwrap();
    assert_eq!(json["requestParameters"]["serialPrefix"], "ACME-0");
    assert_eq!(json["requestParameters"]["encryption"], "none");
    assert_eq!(
        json["responseElements"]["rejected"],
        serde_json::json!([{"index": 2, "serial": null, "reason": "the seed is not valid base32"}])
    );
}

#[test]
fn root_with_an_access_key_has_no_user_name() {
    let identity = UserIdentity::caller(
        &PrincipalIdentity::Root { account: account() },
        &key("AKIAQ3EXAMPLEROOTK3Y"),
        None,
    );
    let expected = serde_json::json!({
        "type": "Root",
        "principalId": "111122223333",
        "arn": "arn:aws:iam::111122223333:root",
        "accountId": "111122223333",
        "accessKeyId": "AKIAQ3EXAMPLEROOTK3Y"
    });
    assert_eq!(serde_json::to_value(&identity).unwrap(), expected);
}
