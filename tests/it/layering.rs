//! The dependency rule of `src/lib.rs`, checked on the source: pure modules name no HTTP,
//! SQL or outer-layer types, and only `clock.rs` reads the system clock.

use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn offenders(module: &str, forbidden: &[&str]) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    let dir = root.join(module);
    if dir.is_dir() {
        rust_files(&dir, &mut files);
    } else {
        files.push(root.join(format!("{module}.rs")));
    }
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for (number, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for word in forbidden {
                if code.contains(word) {
                    found.push(format!("{}:{}: {}", file.display(), number + 1, word));
                }
            }
        }
    }
    found
}

#[test]
fn pure_modules_stay_pure() {
    let outer = [
        "axum",
        "rusqlite",
        "postgres::",
        "tower",
        "crate::store",
        "crate::api",
        "crate::app",
        "crate::cli",
    ];
    for module in ["sigv4", "wire", "domain", "mfa", "policy", "secret", "clock", "audit"] {
        let found = offenders(module, &outer);
        assert!(found.is_empty(), "{module} uses outer layers:\n{}", found.join("\n"));
    }
}

#[test]
fn audit_log_knows_no_wire_or_http() {
    let found = offenders(
        "audit_log",
        &[
            "axum",
            "crate::wire",
            "crate::api",
            "crate::app",
            "crate::sigv4",
            "rusqlite",
            "postgres::",
        ],
    );
    assert!(
        found.is_empty(),
        "audit_log reaches up or into SQL:\n{}",
        found.join("\n")
    );
}

#[test]
fn store_knows_no_wire_or_http() {
    let found = offenders(
        "store",
        &["axum", "crate::wire", "crate::api", "crate::app", "crate::sigv4"],
    );
    assert!(found.is_empty(), "store reaches up:\n{}", found.join("\n"));
}

#[test]
fn only_the_clock_reads_system_time() {
    for module in [
        "sigv4",
        "wire",
        "domain",
        "mfa",
        "policy",
        "audit",
        "audit_log",
        "store",
        "api",
        "app",
        "auth",
        "cli",
        "config",
        "secret",
    ] {
        let found = offenders(module, &["now_utc()", "SystemTime::now"]);
        assert!(
            found.is_empty(),
            "{module} reads the system clock:\n{}",
            found.join("\n")
        );
    }
}
