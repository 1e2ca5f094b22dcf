//! In-process implementations run inside a runner child: the candidate and the baselines.

use super::{CodecKind, CodecSpec, Operation};
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Write};

/// Codes `input` into `output` with a built-in codec. External codecs are not handled here.
pub fn run_builtin(spec: &CodecSpec, op: Operation, input: File, output: File) -> io::Result<()> {
    let reader = BufReader::with_capacity(1 << 20, input);
    let mut writer = BufWriter::with_capacity(1 << 20, output);
    match (&spec.kind, op) {
        (CodecKind::Candidate, Operation::Compress) => codec::compress(reader, &mut writer)?,
        (CodecKind::Candidate, Operation::Decompress) => codec::decompress(reader, &mut writer)?,
        (CodecKind::Zstd, Operation::Compress) => {
            zstd::stream::copy_encode(reader, &mut writer, spec.level)?
        }
        (CodecKind::Zstd, Operation::Decompress) => zstd::stream::copy_decode(reader, &mut writer)?,
        (CodecKind::Xz, Operation::Compress) => {
            let mut enc = liblzma::write::XzEncoder::new(&mut writer, spec.level as u32);
            copy(reader, &mut enc)?;
            enc.finish()?;
        }
        (CodecKind::Xz, Operation::Decompress) => {
            copy(liblzma::read::XzDecoder::new(reader), &mut writer)?
        }
        (CodecKind::Bzip2, Operation::Compress) => {
            let level = bzip2::Compression::new(spec.level as u32);
            let mut enc = bzip2::write::BzEncoder::new(&mut writer, level);
            copy(reader, &mut enc)?;
            enc.finish()?;
        }
        (CodecKind::Bzip2, Operation::Decompress) => {
            copy(bzip2::read::MultiBzDecoder::new(reader), &mut writer)?
        }
        (CodecKind::Gzip, Operation::Compress) => {
            let level = flate2::Compression::new(spec.level as u32);
            let mut enc = flate2::write::GzEncoder::new(&mut writer, level);
            copy(reader, &mut enc)?;
            enc.finish()?;
        }
        (CodecKind::Gzip, Operation::Decompress) => {
            copy(flate2::read::MultiGzDecoder::new(reader), &mut writer)?
        }
        (CodecKind::External { .. }, _) => {
            return Err(io::Error::other("external codecs run as commands"))
        }
    }
    writer.flush()
}

fn copy(mut reader: impl io::Read, writer: &mut impl Write) -> io::Result<()> {
    io::copy(&mut reader, writer).map(|_| ())
}
