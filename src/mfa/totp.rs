//! HOTP (RFC 4226) and TOTP (RFC 6238) codes, and fresh virtual-device seeds (`otp.md` §1–§3).
//!
//! Only maths: which codes to accept, replay and throttling live in [`super::otp_check`].

use hmac::{Hmac, KeyInit, Mac};

use crate::secret::{SecretError, TotpSeed, random_bytes};

/// The HMAC hash of a device (`otp.md` §2.2): SHA-1 for virtual devices, SHA-256/512 only for
/// hardware tokens whose seed file declares them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HashAlgorithm {
    Sha1,
    Sha256,
    Sha512,
}

impl HashAlgorithm {
    /// The Key-Uri-Format spelling (`SHA1`, `SHA256`, `SHA512`), also used for storage.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sha1 => "SHA1",
            Self::Sha256 => "SHA256",
            Self::Sha512 => "SHA512",
        }
    }

    /// The inverse of [`Self::as_str`], ignoring ASCII case.
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Sha1, Self::Sha256, Self::Sha512]
            .into_iter()
            .find(|algorithm| algorithm.as_str().eq_ignore_ascii_case(text))
    }
}

/// How a device computes codes (`otp.md` §5): hash, digits, step length in seconds. T0 is
/// always 0 (`otp.md` §2; hardware files with another `Time` are refused, §8.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TotpParams {
    pub algorithm: HashAlgorithm,
    pub digits: u32,
    pub period: u32,
}

impl TotpParams {
    /// Virtual devices: SHA-1, 6 digits, 30 s — the Key-Uri-Format defaults, which Tessera's URI
    /// therefore omits (`otp.md` §4.1).
    pub const VIRTUAL: TotpParams = TotpParams {
        algorithm: HashAlgorithm::Sha1,
        digits: 6,
        period: 30,
    };
}

/// Bytes in a virtual-device seed: 320 bits, 64 Base32 characters, as AWS's (`otp.md` §3).
pub const VIRTUAL_SEED_BYTES: usize = 40;

/// A new virtual-device seed from the operating system's CSPRNG (`otp.md` §3).
pub fn generate_virtual_seed() -> Result<TotpSeed, SecretError> {
    let mut bytes = vec![0u8; VIRTUAL_SEED_BYTES];
    random_bytes(&mut bytes)?;
    Ok(TotpSeed::new(bytes))
}

/// HOTP value `P mod 10^digits`, left-padded with zeros to `digits` characters (RFC 4226 §5.3,
/// `otp.md` §1; leading zeros are significant).
///
/// HMAC takes keys of any length (RFC 2104 §2), so computing it cannot fail in practice; if it
/// ever did, the result is the empty string, which equals no submitted code (fails closed).
pub fn hotp(key: &[u8], counter: u64, algorithm: HashAlgorithm, digits: u32) -> String {
    let Some(value) = truncated(key, counter, algorithm) else {
        return String::new();
    };
    // P < 2^31 < 10^10: for 10 or more digits the value is P itself, padded.
    let code = match 10u64.checked_pow(digits) {
        Some(modulus) => u64::from(value) % modulus,
        None => u64::from(value),
    };
    let width = usize::try_from(digits).unwrap_or(usize::MAX);
    format!("{code:0width$}")
}

/// RFC 4226 §5.3 dynamic truncation of HMAC(K, C): the low nibble of the last byte picks four
/// bytes, read big-endian, top bit cleared. The last byte, not byte 19, so SHA-256/512 work too
/// (RFC 6238 §1.2, `otp.md` §2.2).
fn truncated(key: &[u8], counter: u64, algorithm: HashAlgorithm) -> Option<u32> {
    let message = counter.to_be_bytes();
    let digest = match algorithm {
        HashAlgorithm::Sha1 => mac::<Hmac<sha1::Sha1>>(key, &message)?,
        HashAlgorithm::Sha256 => mac::<Hmac<sha2::Sha256>>(key, &message)?,
        HashAlgorithm::Sha512 => mac::<Hmac<sha2::Sha512>>(key, &message)?,
    };
    let offset = usize::from(digest.last()? & 0x0F);
    let window: [u8; 4] = digest.get(offset..offset + 4)?.try_into().ok()?;
    Some(u32::from_be_bytes(window) & 0x7FFF_FFFF)
}

fn mac<M: Mac + KeyInit>(key: &[u8], message: &[u8]) -> Option<Vec<u8>> {
    let mut mac = <M as KeyInit>::new_from_slice(key).ok()?;
    mac.update(message);
    Some(mac.finalize().into_bytes().to_vec())
}

/// The TOTP step `T = floor(unix_seconds / period)` with T0 = 0 (RFC 6238 §4.2), in 64 bits so
/// times past 2038 work (RFC 6238 §4.2's last paragraph). Floor, not truncation, below zero.
/// A period of 0 is invalid; it is treated as 1 rather than dividing by zero.
pub fn step_at(unix_seconds: i64, period: u32) -> i64 {
    unix_seconds.div_euclid(i64::from(period.max(1)))
}

/// The device's code for `step` (RFC 6238 §4: HOTP with `C = T`). Steps before the epoch have
/// no code: the result is the empty string, which equals no submitted code.
pub fn totp_at_step(seed: &TotpSeed, step: i64, params: TotpParams) -> String {
    match u64::try_from(step) {
        Ok(counter) => hotp(seed.expose(), counter, params.algorithm, params.digits),
        Err(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mfa::base32;

    const SEED_20: &[u8] = b"12345678901234567890";
    const SEED_32: &[u8] = b"12345678901234567890123456789012";
    const SEED_64: &[u8] = b"1234567890123456789012345678901234567890123456789012345678901234";

    fn params(algorithm: HashAlgorithm, digits: u32) -> TotpParams {
        TotpParams {
            algorithm,
            digits,
            period: 30,
        }
    }

    fn totp(seed: &[u8], unix: i64, p: TotpParams) -> String {
        totp_at_step(&TotpSeed::new(seed.to_vec()), step_at(unix, p.period), p)
    }

    /// RFC 4226 Appendix D, all ten counts (`otp.md` §1.1).
    #[test]
    fn rfc_4226_appendix_d() {
        let expected = [
            (1284755224, "755224"),
            (1094287082, "287082"),
            (137359152, "359152"),
            (1726969429, "969429"),
            (1640338314, "338314"),
            (868254676, "254676"),
            (1918287922, "287922"),
            (82162583, "162583"),
            (673399871, "399871"),
            (645520489, "520489"),
        ];
        for (count, (truncated_value, code)) in expected.into_iter().enumerate() {
            let count = count as u64;
            assert_eq!(truncated(SEED_20, count, HashAlgorithm::Sha1), Some(truncated_value));
            assert_eq!(hotp(SEED_20, count, HashAlgorithm::Sha1, 6), code, "count {count}");
        }
        assert_eq!(hotp(SEED_20, 0, HashAlgorithm::Sha1, 8), "84755224");
        assert_eq!(hotp(SEED_20, 1, HashAlgorithm::Sha1, 8), "94287082");
    }

    /// RFC 6238 Appendix B, every row and hash, 8 digits, per-hash seeds (`otp.md` §2.1).
    #[test]
    fn rfc_6238_appendix_b() {
        let rows: [(i64, i64, [&str; 3]); 6] = [
            (59, 0x1, ["94287082", "46119246", "90693936"]),
            (1111111109, 0x23523EC, ["07081804", "68084774", "25091201"]),
            (1111111111, 0x23523ED, ["14050471", "67062674", "99943326"]),
            (1234567890, 0x273EF07, ["89005924", "91819424", "93441116"]),
            (2000000000, 0x3F940AA, ["69279037", "90698825", "38618901"]),
            (20000000000, 0x27BC86AA, ["65353130", "77737706", "47863826"]),
        ];
        let hashes = [
            (HashAlgorithm::Sha1, SEED_20),
            (HashAlgorithm::Sha256, SEED_32),
            (HashAlgorithm::Sha512, SEED_64),
        ];
        for (unix, step, codes) in rows {
            assert_eq!(step_at(unix, 30), step);
            for ((algorithm, seed), code) in hashes.into_iter().zip(codes) {
                assert_eq!(totp(seed, unix, params(algorithm, 8)), code, "{unix} {algorithm:?}");
                // Six digits are the last six of eight (`otp.md` §1).
                assert_eq!(
                    totp(seed, unix, params(algorithm, 6)),
                    code[2..],
                    "{unix} {algorithm:?}"
                );
            }
        }
    }

    /// `otp.md` §2.1's window table around 1111111111 and the Key-Uri-Format example seed.
    #[test]
    fn spec_window_table_and_second_seed() {
        let seed = TotpSeed::new(SEED_20.to_vec());
        let table = [
            (37037034, "150727"),
            (37037035, "731029"),
            (37037036, "081804"),
            (37037037, "050471"),
            (37037038, "266759"),
            (37037039, "306183"),
            (37037040, "466594"),
        ];
        assert_eq!(step_at(1111111111, 30), 37037037);
        for (step, code) in table {
            assert_eq!(totp_at_step(&seed, step, TotpParams::VIRTUAL), code, "step {step}");
        }
        let second = base32::decode("JBSWY3DPEHPK3PXP").unwrap();
        for (unix, code) in [(59, "996554"), (1111111109, "071271"), (1700000000, "324550")] {
            assert_eq!(totp(&second, unix, TotpParams::VIRTUAL), code, "{unix}");
        }
    }

    #[test]
    fn steps_floor_and_use_64_bits() {
        assert_eq!(step_at(0, 30), 0);
        assert_eq!(step_at(29, 30), 0);
        assert_eq!(step_at(30, 30), 1);
        assert_eq!(step_at(-1, 30), -1);
        assert_eq!(step_at(-30, 30), -1);
        assert_eq!(step_at(-31, 30), -2);
        assert_eq!(step_at(119, 60), 1);
        assert_eq!(step_at(20000000000, 30), 666666666);
        assert_eq!(step_at(i64::MAX, 30), i64::MAX / 30);
        assert_eq!(step_at(i64::MIN, 30), i64::MIN.div_euclid(30));
        assert_eq!(step_at(45, 0), 45);
    }

    #[test]
    fn edge_inputs_never_panic() {
        let seed = TotpSeed::new(Vec::new());
        assert_eq!(totp_at_step(&seed, 0, TotpParams::VIRTUAL).len(), 6);
        assert_eq!(totp_at_step(&seed, -1, TotpParams::VIRTUAL), "");
        assert_eq!(totp_at_step(&seed, i64::MAX, TotpParams::VIRTUAL).len(), 6);
        let long_key = vec![7u8; 300];
        assert_eq!(hotp(&long_key, u64::MAX, HashAlgorithm::Sha512, 6).len(), 6);
        assert_eq!(hotp(SEED_20, 0, HashAlgorithm::Sha1, 0), "0");
        assert_eq!(hotp(SEED_20, 0, HashAlgorithm::Sha1, 10), "1284755224");
        assert_eq!(hotp(SEED_20, 2, HashAlgorithm::Sha1, 12), "000137359152");
        assert_eq!(hotp(SEED_20, 2, HashAlgorithm::Sha1, 30).len(), 30);
    }

    #[test]
    fn algorithm_names_round_trip() {
        for algorithm in [HashAlgorithm::Sha1, HashAlgorithm::Sha256, HashAlgorithm::Sha512] {
            assert_eq!(HashAlgorithm::parse(algorithm.as_str()), Some(algorithm));
        }
        assert_eq!(HashAlgorithm::parse("sha256"), Some(HashAlgorithm::Sha256));
        assert_eq!(HashAlgorithm::parse("SHA-1"), None);
        assert_eq!(HashAlgorithm::parse("MD5"), None);
    }

    #[test]
    fn virtual_seeds_are_40_random_bytes() {
        let first = generate_virtual_seed().unwrap();
        let second = generate_virtual_seed().unwrap();
        assert_eq!(first.expose().len(), 40);
        assert_eq!(base32::encode(first.expose()).len(), 64);
        assert_ne!(first, second);
    }

    fn random_u64() -> u64 {
        let mut bytes = [0u8; 8];
        random_bytes(&mut bytes).unwrap();
        u64::from_be_bytes(bytes)
    }

    /// A random seed of 16–64 bytes (pyotp refuses under 112 bits) and a time up to the year 2603.
    fn random_case() -> (TotpSeed, i64) {
        let mut seed = vec![0u8; 16 + (random_u64() % 49) as usize];
        random_bytes(&mut seed).unwrap();
        (TotpSeed::new(seed), (random_u64() % 20_000_000_000) as i64)
    }

    const ALGORITHMS: [HashAlgorithm; 3] = [HashAlgorithm::Sha1, HashAlgorithm::Sha256, HashAlgorithm::Sha512];

    /// Independent implementation 1: `oathtool` (`otp.md` §2.1), Base32 seed on the command line,
    /// `-w 2` for the following steps too.
    #[test]
    fn agrees_with_oathtool() {
        if std::process::Command::new("oathtool")
            .arg("--version")
            .output()
            .is_err()
        {
            println!("SKIPPED: oathtool not installed");
            return;
        }
        for round in 0..30 {
            let (seed, unix) = random_case();
            let algorithm = ALGORITHMS[round % 3];
            let digits = if round % 2 == 0 { 6 } else { 8 };
            let period = if round % 5 == 0 { 60 } else { 30 };
            let p = TotpParams {
                algorithm,
                digits,
                period,
            };
            let output = std::process::Command::new("oathtool")
                .arg(format!("--totp={}", algorithm.as_str().to_ascii_lowercase()))
                .args(["-b", "-d", &digits.to_string(), "-s", &format!("{period}s"), "-w", "2"])
                .args(["-N", &format!("@{unix}"), &base32::encode(seed.expose())])
                .output()
                .unwrap();
            assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
            let theirs: Vec<String> = String::from_utf8(output.stdout)
                .unwrap()
                .lines()
                .map(str::to_owned)
                .collect();
            let step = step_at(unix, period);
            let ours: Vec<String> = (step..step + 3).map(|s| totp_at_step(&seed, s, p)).collect();
            assert_eq!(ours, theirs, "time {unix}, {p:?}");
        }
    }

    /// Independent implementation 2: `pyotp` (`otp.md` §2.1), one interpreter for all cases.
    #[test]
    fn agrees_with_pyotp() {
        let probe = std::process::Command::new("python3")
            .args(["-c", "import pyotp"])
            .output();
        if !probe.is_ok_and(|o| o.status.success()) {
            println!("SKIPPED: pyotp not installed");
            return;
        }
        let mut cases = Vec::new();
        let mut ours = Vec::new();
        for round in 0..200 {
            let (seed, unix) = random_case();
            let algorithm = ALGORITHMS[round % 3];
            let digits = if round % 4 == 0 { 8 } else { 6 };
            let period = if round % 7 == 0 { 60 } else { 30 };
            let p = TotpParams {
                algorithm,
                digits,
                period,
            };
            cases.push(format!(
                "{} {} {digits} {period} {unix}",
                base32::encode(seed.expose()),
                algorithm.as_str().to_ascii_lowercase()
            ));
            ours.push(totp_at_step(&seed, step_at(unix, period), p));
        }
        let script = "import sys, hashlib, pyotp\n\
            for line in sys.stdin:\n\
            \x20   seed, alg, digits, period, unix = line.split()\n\
            \x20   totp = pyotp.TOTP(seed, digits=int(digits), digest=getattr(hashlib, alg), interval=int(period))\n\
            \x20   print(totp.at(int(unix)))\n";
        let mut child = std::process::Command::new("python3")
            .args(["-c", script])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        {
            use std::io::Write;
            let mut stdin = child.stdin.take().unwrap();
            stdin.write_all(cases.join("\n").as_bytes()).unwrap();
        }
        let output = child.wait_with_output().unwrap();
        assert!(output.status.success());
        let theirs: Vec<String> = String::from_utf8(output.stdout)
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect();
        assert_eq!(theirs.len(), ours.len());
        for ((case, mine), other) in cases.iter().zip(&ours).zip(&theirs) {
            assert_eq!(mine, other, "{case}");
        }
    }
}
