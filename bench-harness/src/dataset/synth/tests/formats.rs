//! The binary formats parse: WAV, BMP, PNG headers agree with the file length, and the
//! compressed streams inflate.

use super::super::DEFAULT_SEED;
use super::{be32, generate_named, le16, le32};
use flate2::Crc;
use std::io::Read;

const SCALES: [f64; 2] = [0.001, 0.05];

#[test]
fn wav_headers_match_lengths() {
    for scale in SCALES {
        for (name, channels, rate) in [
            ("music-stereo-44k.wav", 2, 44_100),
            ("speech-mono-16k.wav", 1, 16_000),
        ] {
            let b = generate_named(DEFAULT_SEED, scale, name);
            assert_eq!(&b[..4], b"RIFF");
            assert_eq!(&b[8..16], b"WAVEfmt ");
            assert_eq!(le32(&b, 4) as usize + 8, b.len(), "{name}");
            assert_eq!(
                (le16(&b, 20), le16(&b, 22), le32(&b, 24)),
                (1, channels, rate)
            );
            assert_eq!(le16(&b, 32), 2 * channels);
            assert_eq!(le16(&b, 34), 16);
            assert_eq!(&b[36..40], b"data");
            assert_eq!(le32(&b, 40) as usize + 44, b.len(), "{name}");
            assert!(b[44..].iter().any(|&x| x != 0), "{name} is not silent");
        }
    }
}

#[test]
fn bmp_headers_match_lengths_and_rows_are_padded() {
    for scale in SCALES {
        for name in ["photo.bmp", "graphics-odd-width.bmp"] {
            let b = generate_named(DEFAULT_SEED, scale, name);
            assert_eq!(&b[..2], b"BM");
            assert_eq!(le32(&b, 2) as usize, b.len());
            let offset = le32(&b, 10) as usize;
            assert_eq!(offset, 54, "{name}: planned sizes leave no gap");
            assert_eq!(le32(&b, 14), 40);
            let (w, h) = (le32(&b, 18) as usize, le32(&b, 22) as i32);
            assert!(h > 0, "bottom-up");
            assert_eq!((le16(&b, 26), le16(&b, 28), le32(&b, 30)), (1, 24, 0));
            let stride = (3 * w).div_ceil(4) * 4;
            assert_eq!(le32(&b, 34) as usize, stride * h as usize);
            assert_eq!(offset + stride * h as usize, b.len(), "{name}");
            if name.contains("odd") {
                assert_ne!(w % 4, 0, "{name} needs row padding");
                for row in 0..h as usize {
                    let start = offset + row * stride + 3 * w;
                    assert!(b[start..offset + (row + 1) * stride]
                        .iter()
                        .all(|&x| x == 0));
                }
            }
        }
    }
}

#[test]
fn png_chunks_are_valid_and_idat_inflates() {
    for scale in SCALES {
        let b = generate_named(DEFAULT_SEED, scale, "photo.png");
        assert_eq!(&b[..8], b"\x89PNG\r\n\x1a\n");
        let (mut at, mut kinds, mut idat) = (8, Vec::new(), Vec::new());
        let mut dims = (0, 0);
        while at < b.len() {
            let n = be32(&b, at) as usize;
            let kind = &b[at + 4..at + 8];
            let mut crc = Crc::new();
            crc.update(&b[at + 4..at + 8 + n]);
            assert_eq!(
                crc.sum(),
                be32(&b, at + 8 + n),
                "CRC of {:?}",
                String::from_utf8_lossy(kind)
            );
            match kind {
                b"IHDR" => {
                    dims = (be32(&b, at + 8) as usize, be32(&b, at + 12) as usize);
                    assert_eq!(&b[at + 16..at + 21], &[8, 2, 0, 0, 0]);
                }
                b"IDAT" => idat.extend_from_slice(&b[at + 8..at + 8 + n]),
                _ => {}
            }
            kinds.push(String::from_utf8_lossy(kind).into_owned());
            at += 12 + n;
        }
        assert_eq!(at, b.len());
        assert_eq!(kinds.first().map(String::as_str), Some("IHDR"));
        assert_eq!(kinds.last().map(String::as_str), Some("IEND"));
        let mut raw = Vec::new();
        flate2::read::ZlibDecoder::new(&idat[..])
            .read_to_end(&mut raw)
            .unwrap();
        assert_eq!(raw.len(), (3 * dims.0 + 1) * dims.1);
        assert!(dims.1 > 0);
    }
}

fn assert_text(name: &str, text: &[u8], start: &[u8]) {
    assert!(text.starts_with(start), "{name} holds the expected content");
    assert!(text.len() > 1000, "{name} inflates to {} bytes", text.len());
}

#[test]
fn compressed_streams_inflate_and_pad_little() {
    for scale in SCALES {
        let gz = generate_named(DEFAULT_SEED, scale, "prose.txt.gz");
        let mut text = Vec::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_end(&mut text)
            .unwrap();
        assert_text("gzip", &text, b"CHAPTER 1\n");
        assert!(text.len() > 2 * gz.len());
        if gz[3] & 0x10 != 0 {
            let comment = gz[10..].iter().position(|&x| x == 0).unwrap();
            assert!(
                comment <= gz.len() / 64 + 128,
                "gzip padding {comment} of {}",
                gz.len()
            );
        }

        let zst = generate_named(DEFAULT_SEED, scale, "records.csv.zst");
        let text = zstd::stream::decode_all(&zst[..]).unwrap();
        assert_text("zstd", &text, b"order_id,date,");
        assert!(text.len() > 3 * zst.len());

        let xz = generate_named(DEFAULT_SEED, scale, "prose.txt.xz");
        let mut text = Vec::new();
        liblzma::read::XzDecoder::new_multi_decoder(&xz[..])
            .read_to_end(&mut text)
            .unwrap();
        assert_text("xz", &text, b"CHAPTER 1\n");
        if scale >= 0.05 {
            assert!(text.len() > 2 * xz.len());
        }
    }
}

#[test]
fn executable_and_table_headers() {
    let elf = generate_named(DEFAULT_SEED, 0.05, "program.elf");
    assert_eq!(&elf[..4], b"\x7fELF");
    assert_eq!(le16(&elf, 18), 0x3e);
    let calls = elf.iter().filter(|&&b| b == 0xe8).count();
    assert!(calls * 100 > elf.len(), "many E8 calls: {calls}");
    let table = generate_named(DEFAULT_SEED, 0.05, "sensor-table.bin");
    assert_eq!(&table[..8], b"SNSRTBL\x01");
    let records = u64::from_le_bytes(table[8..16].try_into().unwrap()) as usize;
    assert_eq!(records, (table.len() - 16) / 24);
}
