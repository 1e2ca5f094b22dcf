//! OGG Vorbis, FLAC, MP3 and the audio track of MP4 to 16-bit PCM WAV with `symphonia`.

use super::wav::WavWriter;
use anyhow::{bail, Context, Result};
use std::fs::File;
use std::io::BufWriter;
use std::path::Path;
use symphonia::core::audio::{SampleBuffer, SignalSpec};
use symphonia::core::codecs::{DecoderOptions, CODEC_TYPE_NULL};
use symphonia::core::errors::Error as DecodeFailure;
use symphonia::core::formats::FormatOptions;
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;
use symphonia::core::probe::Hint;

pub const DECODER: &str = "symphonia 0.5 (16-bit PCM WAV)";

/// Decodes the first audio track of `src` into a WAV at `dst`; `Ok(false)` (and no file)
/// when there is no audio track. `extension` hints the format. Packets the decoder rejects
/// as corrupt are skipped (deterministically), as players do.
pub fn to_wav(src: &Path, extension: &str, dst: &Path) -> Result<bool> {
    let file = File::open(src).with_context(|| format!("opening {}", src.display()))?;
    let stream = MediaSourceStream::new(Box::new(file), Default::default());
    let mut hint = Hint::new();
    hint.with_extension(extension);
    let probed = symphonia::default::get_probe()
        .format(
            &hint,
            stream,
            &FormatOptions::default(),
            &MetadataOptions::default(),
        )
        .with_context(|| format!("{}: not a readable {extension} file", src.display()))?;
    let mut format = probed.format;
    let Some(track) = format
        .tracks()
        .iter()
        .find(|t| t.codec_params.codec != CODEC_TYPE_NULL && t.codec_params.sample_rate.is_some())
    else {
        return Ok(false);
    };
    let track_id = track.id;
    let mut decoder = symphonia::default::get_codecs()
        .make(&track.codec_params, &DecoderOptions::default())
        .with_context(|| format!("{}: no decoder for its audio codec", src.display()))?;

    let mut wav: Option<(SignalSpec, WavWriter<BufWriter<File>>)> = None;
    let mut samples: Option<SampleBuffer<i16>> = None;
    loop {
        let packet = match format.next_packet() {
            Ok(p) => p,
            Err(DecodeFailure::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                break
            }
            Err(e) => return Err(e).with_context(|| format!("reading {}", src.display())),
        };
        if packet.track_id() != track_id {
            continue;
        }
        let decoded = match decoder.decode(&packet) {
            Ok(d) => d,
            Err(DecodeFailure::DecodeError(_)) => continue,
            Err(e) => return Err(e).with_context(|| format!("decoding {}", src.display())),
        };
        if decoded.frames() == 0 {
            continue;
        }
        let spec = *decoded.spec();
        let channels = spec.channels.count();
        let writer = match &mut wav {
            Some((first, w)) => {
                if *first != spec {
                    bail!(
                        "{}: the audio changes from {} Hz x{} to {} Hz x{} mid-stream",
                        src.display(),
                        first.rate,
                        first.channels.count(),
                        spec.rate,
                        channels
                    );
                }
                w
            }
            None => {
                let out =
                    File::create(dst).with_context(|| format!("creating {}", dst.display()))?;
                let w = WavWriter::new(BufWriter::new(out), channels as u16, spec.rate)?;
                &mut wav.insert((spec, w)).1
            }
        };
        let needed = decoded.capacity() * channels;
        let buf = match &mut samples {
            Some(b) if b.capacity() >= needed => b,
            _ => samples.insert(SampleBuffer::new(decoded.capacity() as u64, spec)),
        };
        buf.copy_interleaved_ref(decoded);
        writer.write(buf.samples())?;
    }
    match wav {
        Some((_, w)) => {
            let out = w.finish()?;
            out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
            Ok(true)
        }
        None => bail!("{}: no audio could be decoded", src.display()),
    }
}
