//! A key URI as a QR code in a PNG (`otp.md` §4.3).
//!
//! The URI bytes go in byte mode at error-correction level M, in the smallest version that
//! holds them, drawn with a 4-module quiet zone as a 1-bit grayscale PNG. Rendering is done
//! here with `png` rather than `qrcode`'s `image` feature, which costs about 70 s of build
//! (`STACK.md`).

use qrcode::bits::Bits;
use qrcode::{Color, EcLevel, QrCode, Version};

/// Light border around the symbol, in modules (ISO/IEC 18004 asks for 4).
pub const QUIET_ZONE_MODULES: usize = 4;
/// Pixels per module side: large enough for a phone to read off a screen without scaling.
pub const PIXELS_PER_MODULE: usize = 6;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum QrError {
    #[error("{0} bytes do not fit in a QR code at error-correction level M")]
    TooLong(usize),
    #[error("the QR code could not be built")]
    Encode,
    #[error("the PNG could not be written")]
    Png,
}

/// PNG of a QR code holding `text` (`otp.md` §4.3).
pub fn png(text: &str) -> Result<Vec<u8>, QrError> {
    let code = encode(text.as_bytes())?;
    let modules = code.width();
    render(&code.into_colors(), modules)
}

/// Byte mode only, so every reader gets the URI's bytes as they are; the smallest version
/// (1–40) that fits at level M.
fn encode(data: &[u8]) -> Result<QrCode, QrError> {
    for version in 1..=40 {
        let mut bits = Bits::new(Version::Normal(version));
        match bits
            .push_byte_data(data)
            .and_then(|()| bits.push_terminator(EcLevel::M))
        {
            Ok(()) => return QrCode::with_bits(bits, EcLevel::M).map_err(|_| QrError::Encode),
            Err(qrcode::types::QrError::DataTooLong) => {}
            Err(_) => return Err(QrError::Encode),
        }
    }
    Err(QrError::TooLong(data.len()))
}

/// Draw `colors` (row-major, `modules` per row) with the quiet zone; grayscale 1 bit per pixel,
/// 0 = black, 1 = white, rows packed from the most significant bit.
fn render(colors: &[Color], modules: usize) -> Result<Vec<u8>, QrError> {
    let side_modules = modules + 2 * QUIET_ZONE_MODULES;
    let side_pixels = side_modules * PIXELS_PER_MODULE;
    let quiet_row = vec![Color::Light; modules];
    let quiet_rows = std::iter::repeat_n(quiet_row.as_slice(), QUIET_ZONE_MODULES);
    let rows = quiet_rows
        .clone()
        .chain(colors.chunks(modules.max(1)))
        .chain(quiet_rows);

    let mut pixels = Vec::with_capacity(side_pixels.div_ceil(8) * side_pixels);
    for row in rows {
        let border = std::iter::repeat_n(Color::Light, QUIET_ZONE_MODULES);
        let line = border.clone().chain(row.iter().copied()).chain(border);
        let packed = pack(line.flat_map(|color| std::iter::repeat_n(color == Color::Light, PIXELS_PER_MODULE)));
        for _ in 0..PIXELS_PER_MODULE {
            pixels.extend_from_slice(&packed);
        }
    }

    let side = u32::try_from(side_pixels).map_err(|_| QrError::Png)?;
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, side, side);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::One);
    let mut writer = encoder.write_header().map_err(|_| QrError::Png)?;
    writer.write_image_data(&pixels).map_err(|_| QrError::Png)?;
    writer.finish().map_err(|_| QrError::Png)?;
    Ok(out)
}

/// Pack bits, first bit in the most significant position; the last byte is padded with 0.
fn pack(bits: impl Iterator<Item = bool>) -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut current = 0u8;
    let mut filled = 0;
    for bit in bits {
        current = (current << 1) | u8::from(bit);
        filled += 1;
        if filled == 8 {
            bytes.push(current);
            (current, filled) = (0, 0);
        }
    }
    if filled > 0 {
        bytes.push(current << (8 - filled));
    }
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mfa::key_uri::virtual_device_uri;
    use crate::mfa::totp::{TotpParams, generate_virtual_seed, step_at, totp_at_step};
    use crate::secret::TotpSeed;
    use std::process::Command;

    const SPEC_URI: &str = "otpauth://totp/Tessera:alice-phone@111122223333?secret=JBSWY3DPEHPK3PXP&issuer=Tessera";

    fn write_png(text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("qr.png");
        std::fs::write(&path, png(text).unwrap()).unwrap();
        (dir, path)
    }

    /// Decoded with the `png` crate's reader: signature, header, quiet zone, finder pattern.
    #[test]
    fn png_layout() {
        let bytes = png(SPEC_URI).unwrap();
        assert_eq!(bytes[..8], [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        let mut reader = png::Decoder::new(std::io::Cursor::new(bytes)).read_info().unwrap();
        let info = reader.info();
        assert_eq!(
            (info.color_type, info.bit_depth),
            (png::ColorType::Grayscale, png::BitDepth::One)
        );
        let side = info.width as usize;
        assert_eq!(info.height as usize, side);
        assert_eq!(side % PIXELS_PER_MODULE, 0);
        let modules = side / PIXELS_PER_MODULE - 2 * QUIET_ZONE_MODULES;
        assert_eq!((modules - 17) % 4, 0, "{modules} is not a QR version's width");
        let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
        let frame = reader.next_frame(&mut pixels).unwrap();
        let white = |x: usize, y: usize| pixels[y * frame.line_size + x / 8] & (0x80 >> (x % 8)) != 0;
        let quiet = QUIET_ZONE_MODULES * PIXELS_PER_MODULE;
        for i in 0..side {
            for j in (0..quiet).chain(side - quiet..side) {
                assert!(white(i, j) && white(j, i), "quiet zone at ({i}, {j})");
            }
        }
        // Top-left finder pattern: dark 7×7 ring, light ring, dark 3×3 core.
        let module =
            |mx: usize, my: usize| white(quiet + mx * PIXELS_PER_MODULE + 2, quiet + my * PIXELS_PER_MODULE + 2);
        assert!(!module(0, 0) && !module(6, 6) && !module(6, 0) && !module(0, 6));
        assert!(module(1, 1) && module(5, 5) && module(7, 7));
        assert!(!module(2, 2) && !module(3, 3) && !module(4, 4));
    }

    #[test]
    fn too_long_text_is_refused() {
        // Version 40-M holds 2331 bytes in byte mode.
        assert!(png(&"a".repeat(2331)).is_ok());
        assert_eq!(png(&"a".repeat(2332)), Err(QrError::TooLong(2332)));
        assert!(png("").is_ok());
    }

    #[test]
    fn pack_puts_the_first_bit_high() {
        assert_eq!(pack([true, false, true].into_iter()), [0b1010_0000]);
        assert_eq!(pack(std::iter::repeat_n(true, 9)), [0xFF, 0x80]);
        assert!(pack(std::iter::empty()).is_empty());
    }

    /// A real virtual-device URI and the spec's example (`otp.md` §4.3).
    fn uris() -> Vec<(String, TotpSeed)> {
        let seed = generate_virtual_seed().unwrap();
        let real = virtual_device_uri("Tessera Lab", "alice+phone@home", "my-company", &seed);
        let example = TotpSeed::new(crate::mfa::base32::decode("JBSWY3DPEHPK3PXP").unwrap());
        vec![(real, seed), (SPEC_URI.to_owned(), example)]
    }

    /// Independent decoder 1: `zbarimg` (Debian `zbar-tools`), then `oathtool` on the decoded
    /// secret (`otp.md` §4.3, §9).
    #[test]
    fn zbarimg_reads_the_uri_back() {
        if Command::new("zbarimg").arg("--version").output().is_err() {
            println!("SKIPPED: zbarimg not installed (apt-get install zbar-tools)");
            return;
        }
        for (uri, seed) in uris() {
            let (_dir, path) = write_png(&uri);
            let output = Command::new("zbarimg")
                .args(["--quiet", "--raw"])
                .arg(&path)
                .output()
                .unwrap();
            assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
            let decoded = String::from_utf8(output.stdout).unwrap();
            assert_eq!(decoded.trim_end_matches('\n'), uri);
            if Command::new("oathtool").arg("--version").output().is_err() {
                println!("SKIPPED: oathtool not installed");
                continue;
            }
            let secret = decoded.split("secret=").nth(1).unwrap().split('&').next().unwrap();
            let unix = 1_700_000_000;
            let output = Command::new("oathtool")
                .args(["--totp", "-b", "-N", &format!("@{unix}"), secret])
                .output()
                .unwrap();
            let theirs = String::from_utf8(output.stdout).unwrap();
            assert_eq!(
                theirs.trim(),
                totp_at_step(&seed, step_at(unix, 30), TotpParams::VIRTUAL)
            );
        }
    }

    /// Independent decoder 2: Python `zxing-cpp` reading through Pillow, which also reports the
    /// error-correction level (and `]Q1`, ISO/IEC 15424 for a QR Code); `pyotp` then parses the
    /// URI and computes a code (only for the real seed: pyotp refuses seeds under 112 bits,
    /// such as the spec example's).
    #[test]
    fn zxing_reads_the_uri_back_at_level_m() {
        let script = "import sys, PIL.Image, zxingcpp, pyotp\n\
            found = zxingcpp.read_barcodes(PIL.Image.open(sys.argv[1]))\n\
            print(len(found)); print(found[0].symbology_identifier); print(found[0].ec_level)\n\
            print(found[0].text)\n\
            if len(sys.argv) > 2: print(pyotp.parse_uri(found[0].text).at(int(sys.argv[2])))\n";
        let probe = Command::new("python3")
            .args(["-c", "import PIL, zxingcpp, pyotp"])
            .output();
        if !probe.as_ref().is_ok_and(|o| o.status.success()) {
            println!(
                "SKIPPED: python3 with zxing-cpp, Pillow and pyotp not available (pip install zxing-cpp pillow pyotp)"
            );
            return;
        }
        let unix = 1_234_567_890;
        for (index, (uri, seed)) in uris().into_iter().enumerate() {
            let (_dir, path) = write_png(&uri);
            let mut command = Command::new("python3");
            command.args(["-c", script]).arg(&path);
            let mut expected = vec!["1".to_owned(), "]Q1".to_owned(), "M".to_owned(), uri.clone()];
            if index == 0 {
                command.arg(unix.to_string());
                expected.push(totp_at_step(&seed, step_at(unix, 30), TotpParams::VIRTUAL));
            }
            let output = command.output().unwrap();
            assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
            let text = String::from_utf8(output.stdout).unwrap();
            assert_eq!(text.lines().collect::<Vec<_>>(), expected);
        }
    }
}
