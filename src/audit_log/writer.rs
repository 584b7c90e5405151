//! Writes one log file so readers see all of it or none of it (`cloudtrail.md` §7): gzip of
//! `{"Records": [...]}` into a temporary file in the destination directory, fsync, rename into
//! place, fsync the directory (so the rename itself survives a crash). Directories `0700`,
//! files `0600`. Blocking: callers run it off the async threads.

use flate2::Compression;
use flate2::write::GzEncoder;
use serde::Serialize;
use serde_json::value::RawValue;
use std::fs::{self, DirBuilder, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

/// The body of a CloudTrail log file; records go in as stored, byte for byte.
#[derive(Serialize)]
struct LogFile<'a> {
    #[serde(rename = "Records")]
    records: &'a [&'a RawValue],
}

/// Writes `records` to `path` atomically, creating missing directories. On error nothing is
/// left at `path` or at the temporary name.
pub fn write_log_file(path: &Path, records: &[&RawValue]) -> io::Result<()> {
    let dir = path
        .parent()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "log file path has no directory"))?;
    DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
    let temp = temp_path(path)?;
    let written = write_synced(&temp, records).and_then(|()| fs::rename(&temp, path));
    if let Err(error) = written {
        let _ = fs::remove_file(&temp);
        return Err(error);
    }
    File::open(dir)?.sync_all()
}

/// A hidden name beside the final one, so tools globbing `*.json.gz` never pick it up.
fn temp_path(path: &Path) -> io::Result<PathBuf> {
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "log file path has no name"))?;
    let mut temp = std::ffi::OsString::from(".");
    temp.push(name);
    temp.push(".tmp");
    Ok(path.with_file_name(temp))
}

fn write_synced(temp: &Path, records: &[&RawValue]) -> io::Result<()> {
    let file = OpenOptions::new().write(true).create_new(true).mode(0o600).open(temp)?;
    let mut gzip = GzEncoder::new(BufWriter::new(file), Compression::default());
    serde_json::to_writer(&mut gzip, &LogFile { records })?;
    let mut buffered = gzip.finish()?;
    buffered.flush()?;
    let file = buffered.into_inner().map_err(io::IntoInnerError::into_error)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::read::GzDecoder;
    use std::io::Read;
    use std::os::unix::fs::PermissionsExt;

    fn raw(text: &str) -> Box<RawValue> {
        RawValue::from_string(text.to_owned()).unwrap()
    }

    fn gunzip(path: &Path) -> String {
        let mut text = String::new();
        GzDecoder::new(File::open(path).unwrap())
            .read_to_string(&mut text)
            .unwrap();
        text
    }

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn gzip_round_trip_keeps_records_byte_for_byte() {
        let root = tempfile::tempdir().unwrap();
        let path = root
            .path()
            .join("AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/22/f.json.gz");
        // Member order and spacing inside a record are kept as stored.
        let records = [
            raw(r#"{"eventVersion":"1.11","eventID":"a"}"#),
            raw(r#"{"b": [1, 2], "a": null}"#),
        ];
        let refs: Vec<&RawValue> = records.iter().map(AsRef::as_ref).collect();
        write_log_file(&path, &refs).unwrap();
        let text = gunzip(&path);
        assert_eq!(
            text,
            r#"{"Records":[{"eventVersion":"1.11","eventID":"a"},{"b": [1, 2], "a": null}]}"#
        );
        let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed["Records"][1]["b"], serde_json::json!([1, 2]));
    }

    #[test]
    fn files_and_created_directories_are_private_and_no_temporary_file_remains() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("logs/AWSLogs/111122223333");
        let path = dir.join("f.json.gz");
        write_log_file(&path, &[]).unwrap();
        assert_eq!(gunzip(&path), r#"{"Records":[]}"#);
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&root.path().join("logs")), 0o700);
        let second = dir.join("g.json.gz");
        write_log_file(&second, &[&*raw("{}")]).unwrap();
        assert_eq!(entries(&dir), vec!["f.json.gz", "g.json.gz"]);
    }

    #[test]
    fn a_failed_write_leaves_nothing_behind() {
        let root = tempfile::tempdir().unwrap();
        // The destination is an existing directory: the rename fails after the data is written.
        let path = root.path().join("taken.json.gz");
        fs::create_dir(&path).unwrap();
        fs::write(path.join("keep"), b"x").unwrap();
        assert!(write_log_file(&path, &[&*raw("{}")]).is_err());
        assert_eq!(entries(root.path()), vec!["taken.json.gz"]);
        // A directory that cannot be created (a file is in the way).
        let blocked = root.path().join("file");
        fs::write(&blocked, b"x").unwrap();
        assert!(write_log_file(&blocked.join("sub/f.json.gz"), &[]).is_err());
        assert_eq!(entries(root.path()), vec!["file", "taken.json.gz"]);
    }
}
