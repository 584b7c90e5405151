//! MFA devices through the store: lifecycle, the 8-per-principal limit, and the compare-and-set
//! on codes, raced on both backends (`iam-mfa.md` §1.4, §2.6, §8). Codes come from the RFC 6238
//! vectors, never from Tessera's own TOTP.

use super::*;
use tessera::domain::mfa_device::{seed_context, virtual_serial};
use tessera::mfa::otp_check::{self, OtpState, Outcome, Verdict};
use tessera::secret::TotpSeed;
use time::OffsetDateTime;

const RACERS: usize = 16;
/// RFC 6238 Appendix B: seed ASCII `12345678901234567890`, SHA-1; at this time the code is `081804`.
const RFC_SEED: &[u8] = b"12345678901234567890";
const RFC_TIME: i64 = 1_111_111_109;
const RFC_CODE: &str = "081804";

async fn virtual_device(fx: &Fixture, name: &str) -> String {
    let serial = virtual_serial(&fx.account, "/", name);
    let sealed_seed = fx.data_key.seal(RFC_SEED, &seed_context(&fx.account, &serial)).unwrap();
    let device = NewVirtualDevice {
        serial: serial.clone(),
        name: name.into(),
        path: "/".into(),
        sealed_seed,
        tags: vec![],
        now: T0,
    };
    fx.store.create_virtual_mfa_device(&fx.account, device).await.unwrap();
    serial
}

/// A check that accepts and moves the device one step on: enables whose codes are not the
/// subject of the test.
fn accept() -> CodeCheck {
    Box::new(|secret: &DeviceSecret| Verdict {
        outcome: Outcome::Accepted,
        state: OtpState {
            last_used_step: Some(secret.state.last_used_step.unwrap_or(0) + 1),
            ..secret.state
        },
    })
}

/// The real single-code check, with the seed unsealed as the API does.
/// The moment the RFC 6238 test codes belong to.
fn rfc_now() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(RFC_TIME).unwrap()
}

fn single_code(fx: &Fixture, code: &'static str) -> CodeCheck {
    let (data_key, account) = (fx.data_key.clone(), fx.account.clone());
    Box::new(move |secret: &DeviceSecret| {
        let seed = TotpSeed::new(
            data_key
                .open(&secret.sealed_seed, &seed_context(&account, &secret.serial))
                .unwrap(),
        );
        otp_check::verify_single(&seed, secret.params, secret.state, code, RFC_TIME)
    })
}

fn alice() -> Target {
    Target::UserNamed("alice".into())
}

store_test!(virtual_device_lifecycle, |fx| async move {
    fx.user("alice").await;
    let serial = virtual_device(&fx, "alice-phone").await;
    let taken = NewVirtualDevice {
        serial: virtual_serial(&fx.account, "/other/", "ALICE-PHONE"),
        name: "ALICE-PHONE".into(),
        path: "/other/".into(),
        sealed_seed: vec![1],
        tags: vec![],
        now: T0,
    };
    let again = fx.store.create_virtual_mfa_device(&fx.account, taken).await;
    assert!(
        matches!(again, Err(IamError::AlreadyExists(Entity::MfaDeviceName))),
        "{again:?}"
    );

    assert!(
        fx.store
            .enable_mfa_device(&fx.account, &alice(), &serial, T0, accept())
            .await
            .unwrap()
    );
    let deleted = fx.store.delete_virtual_mfa_device(&fx.account, &serial).await;
    assert!(
        matches!(deleted, Err(IamError::DeleteConflict(DeleteBlocker::DeviceAssigned))),
        "{deleted:?}"
    );
    let user_gone = fx.store.delete_user(&fx.account, "alice").await;
    assert!(
        matches!(user_gone, Err(IamError::DeleteConflict(DeleteBlocker::MfaDevices))),
        "{user_gone:?}"
    );
    let all = PageRequest {
        after: None,
        limit: 100,
    };
    let (name, page) = fx
        .store
        .list_mfa_devices(&fx.account, &alice(), all.clone())
        .await
        .unwrap();
    assert_eq!((name.as_deref(), page.items.len()), (Some("alice"), 1));
    // Root's devices and alice's are separate lists.
    assert!(
        fx.store
            .list_mfa_devices(&fx.account, &Target::Root, all.clone())
            .await
            .unwrap()
            .1
            .items
            .is_empty()
    );

    fx.store
        .deactivate_mfa_device(&fx.account, &alice(), &serial)
        .await
        .unwrap();
    let unassigned = fx
        .store
        .list_virtual_mfa_devices(&fx.account, AssignmentFilter::Unassigned, all)
        .await
        .unwrap();
    assert_eq!(
        unassigned
            .items
            .iter()
            .map(|(d, _)| d.serial.clone())
            .collect::<Vec<_>>(),
        vec![serial.clone()]
    );
    let not_mine = fx.store.deactivate_mfa_device(&fx.account, &alice(), &serial).await;
    assert!(
        matches!(not_mine, Err(IamError::NotFound(Entity::MfaDeviceAssignment { .. }))),
        "{not_mine:?}"
    );
    fx.store.delete_virtual_mfa_device(&fx.account, &serial).await.unwrap();
    fx.store.delete_user(&fx.account, "alice").await.unwrap();
});

store_test!(the_ninth_device_loses_the_race, |fx| async move {
    fx.user("alice").await;
    for n in 0..7 {
        let serial = virtual_device(&fx, &format!("held-{n}")).await;
        assert!(
            fx.store
                .enable_mfa_device(&fx.account, &alice(), &serial, T0, accept())
                .await
                .unwrap()
        );
    }
    let mut serials = Vec::new();
    for n in 0..RACERS {
        serials.push(virtual_device(&fx, &format!("racer-{n}")).await);
    }
    let attempts = serials.into_iter().map(|serial| {
        let (store, account) = (Arc::clone(&fx.store), fx.account.clone());
        async move { store.enable_mfa_device(&account, &alice(), &serial, T0, accept()).await }
    });
    let results = race(attempts).await;
    let won = results.iter().filter(|r| matches!(r, Ok(true))).count();
    let limited = results
        .iter()
        .filter(|r| matches!(r, Err(IamError::LimitExceeded(Quota::DevicesPerPrincipal))))
        .count();
    assert_eq!((won, limited), (1, RACERS - 1), "{results:?}");
    let page = PageRequest {
        after: None,
        limit: 100,
    };
    assert_eq!(
        fx.store
            .list_mfa_devices(&fx.account, &alice(), page)
            .await
            .unwrap()
            .1
            .items
            .len(),
        8
    );
});

store_test!(one_device_enabled_by_many_has_one_owner, |fx| async move {
    let serial = virtual_device(&fx, "shared").await;
    let mut names = Vec::new();
    for n in 0..RACERS {
        let name = format!("user-{n}");
        fx.user(&name).await;
        names.push(name);
    }
    let attempts = names.into_iter().map(|name| {
        let (store, account, serial) = (Arc::clone(&fx.store), fx.account.clone(), serial.clone());
        async move {
            store
                .enable_mfa_device(&account, &Target::UserNamed(name), &serial, T0, accept())
                .await
        }
    });
    let results = race(attempts).await;
    let won = results.iter().filter(|r| matches!(r, Ok(true))).count();
    let in_use = results
        .iter()
        .filter(|r| matches!(r, Err(IamError::AlreadyExists(Entity::MfaDeviceInUse))))
        .count();
    assert_eq!((won, in_use), (1, RACERS - 1), "{results:?}");
});

store_test!(the_same_code_is_accepted_once, |fx| async move {
    let alice_user = fx.user("alice").await;
    let serial = virtual_device(&fx, "alice-phone").await;
    // Enabled with an earlier step, so the RFC code's step is still fresh.
    let early: CodeCheck = Box::new(|secret: &DeviceSecret| Verdict {
        outcome: Outcome::Accepted,
        state: OtpState {
            last_used_step: Some(37_037_030),
            ..secret.state
        },
    });
    assert!(
        fx.store
            .enable_mfa_device(&fx.account, &alice(), &serial, T0, early)
            .await
            .unwrap()
    );
    let owner = Owner::User(alice_user.id.clone());
    let attempts = (0..RACERS).map(|_| {
        let (store, account, owner, serial) =
            (Arc::clone(&fx.store), fx.account.clone(), owner.clone(), serial.clone());
        let check = single_code(&fx, RFC_CODE);
        async move { store.verify_mfa_code(&account, &owner, &serial, rfc_now(), check).await }
    });
    let results = race(attempts).await;
    let accepted = results
        .iter()
        .filter(|r| matches!(r, Ok(CodeVerdict::Accepted)))
        .count();
    let refused = results.iter().filter(|r| matches!(r, Ok(CodeVerdict::Refused))).count();
    assert_eq!((accepted, refused), (1, RACERS - 1), "{results:?}");
    // And later, alone: still refused (replay).
    let again = fx
        .store
        .verify_mfa_code(&fx.account, &owner, &serial, rfc_now(), single_code(&fx, RFC_CODE))
        .await
        .unwrap();
    assert_eq!(again, CodeVerdict::Refused);
    // Another principal's device never authenticates this one (SR-17).
    let bob = fx.user("bob").await;
    let bobs = Owner::User(bob.id);
    let foreign = fx
        .store
        .verify_mfa_code(&fx.account, &bobs, &serial, rfc_now(), single_code(&fx, RFC_CODE))
        .await
        .unwrap();
    assert_eq!(foreign, CodeVerdict::NoSuchDevice);
    // A deactivated device verifies nothing, even a code it has never seen (the next step's).
    fx.store
        .deactivate_mfa_device(&fx.account, &alice(), &serial)
        .await
        .unwrap();
    let next = fx
        .store
        .verify_mfa_code(&fx.account, &owner, &serial, rfc_now(), single_code(&fx, "050471"))
        .await
        .unwrap();
    assert_eq!(next, CodeVerdict::NoSuchDevice);
});

store_test!(guessing_serials_throttles_the_principal, |fx| async move {
    let alice_user = fx.user("alice").await;
    let serial = virtual_device(&fx, "alice-phone").await;
    let early: CodeCheck = Box::new(|secret: &DeviceSecret| Verdict {
        outcome: Outcome::Accepted,
        state: OtpState {
            last_used_step: Some(37_037_030),
            ..secret.state
        },
    });
    assert!(
        fx.store
            .enable_mfa_device(&fx.account, &alice(), &serial, T0, early)
            .await
            .unwrap()
    );
    let owner = Owner::User(alice_user.id.clone());
    let at = |offset: i64| rfc_now() + Duration::seconds(offset);
    // Five serials alice does not hold: each answered as unknown, the fifth locks for 60 s.
    for guess in 0..5 {
        let verdict = fx
            .store
            .verify_mfa_code(&fx.account, &owner, &format!("{serial}-{guess}"), at(0), accept())
            .await
            .unwrap();
        assert_eq!(verdict, CodeVerdict::NoSuchDevice);
    }
    // While locked, even her own device with its right code is refused, unverified.
    let locked = fx
        .store
        .verify_mfa_code(&fx.account, &owner, &serial, at(59), single_code(&fx, RFC_CODE))
        .await
        .unwrap();
    assert_eq!(locked, CodeVerdict::Refused);
    // Bob is not affected by alice's guesses.
    let bob = Owner::User(fx.user("bob").await.id);
    let bobs = fx
        .store
        .verify_mfa_code(&fx.account, &bob, "arn:aws:iam::000000000000:mfa/x", at(1), accept())
        .await
        .unwrap();
    assert_eq!(bobs, CodeVerdict::NoSuchDevice);
    // After the lock the unspent code is accepted, which also clears the counter.
    let after = fx
        .store
        .verify_mfa_code(&fx.account, &owner, &serial, at(60), single_code(&fx, RFC_CODE))
        .await
        .unwrap();
    assert_eq!(after, CodeVerdict::Accepted);
    let fresh = fx
        .store
        .verify_mfa_code(&fx.account, &owner, "arn:aws:iam::000000000000:mfa/y", at(61), accept())
        .await
        .unwrap();
    assert_eq!(fresh, CodeVerdict::NoSuchDevice);
});
