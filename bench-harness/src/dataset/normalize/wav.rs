//! A streaming writer of 16-bit PCM WAV files (RIFF, format tag 1, little endian).

use anyhow::{bail, Result};
use std::io::{Seek, SeekFrom, Write};

/// Bytes before the sample data.
const HEADER_LEN: u32 = 44;

pub struct WavWriter<W: Write + Seek> {
    out: W,
    /// Bytes of sample data written so far.
    data_len: u64,
}

impl<W: Write + Seek> WavWriter<W> {
    pub fn new(mut out: W, channels: u16, sample_rate: u32) -> Result<Self> {
        if channels == 0 || sample_rate == 0 {
            bail!("a WAV needs at least one channel and a sample rate, got {channels} channels at {sample_rate} Hz");
        }
        let block_align = channels * 2;
        let mut h = Vec::with_capacity(HEADER_LEN as usize);
        h.extend_from_slice(b"RIFF");
        h.extend_from_slice(&0u32.to_le_bytes()); // patched by finish()
        h.extend_from_slice(b"WAVEfmt ");
        h.extend_from_slice(&16u32.to_le_bytes());
        h.extend_from_slice(&1u16.to_le_bytes());
        h.extend_from_slice(&channels.to_le_bytes());
        h.extend_from_slice(&sample_rate.to_le_bytes());
        h.extend_from_slice(&(sample_rate * u32::from(block_align)).to_le_bytes());
        h.extend_from_slice(&block_align.to_le_bytes());
        h.extend_from_slice(&16u16.to_le_bytes());
        h.extend_from_slice(b"data");
        h.extend_from_slice(&0u32.to_le_bytes()); // patched by finish()
        out.write_all(&h)?;
        Ok(WavWriter { out, data_len: 0 })
    }

    /// Appends interleaved samples.
    pub fn write(&mut self, samples: &[i16]) -> Result<()> {
        let mut bytes = Vec::with_capacity(samples.len() * 2);
        for s in samples {
            bytes.extend_from_slice(&s.to_le_bytes());
        }
        self.out.write_all(&bytes)?;
        self.data_len += bytes.len() as u64;
        if self.data_len + u64::from(HEADER_LEN) > u64::from(u32::MAX) {
            bail!("the decoded audio exceeds the 4 GiB a WAV file can hold");
        }
        Ok(())
    }

    /// Writes the sizes into the header; returns the writer.
    pub fn finish(mut self) -> Result<W> {
        let data = self.data_len as u32;
        self.out.seek(SeekFrom::Start(4))?;
        self.out.write_all(&(data + HEADER_LEN - 8).to_le_bytes())?;
        self.out.seek(SeekFrom::Start(40))?;
        self.out.write_all(&data.to_le_bytes())?;
        self.out.seek(SeekFrom::End(0))?;
        self.out.flush()?;
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    #[test]
    fn header_describes_the_samples() {
        let mut w = WavWriter::new(Cursor::new(Vec::new()), 2, 8000).unwrap();
        w.write(&[1, -2, 3, -4]).unwrap();
        let bytes = w.finish().unwrap().into_inner();
        assert_eq!(bytes.len(), 52);
        assert_eq!(&bytes[0..4], b"RIFF");
        assert_eq!(u32::from_le_bytes(bytes[4..8].try_into().unwrap()), 44);
        assert_eq!(u16::from_le_bytes(bytes[22..24].try_into().unwrap()), 2);
        assert_eq!(u32::from_le_bytes(bytes[24..28].try_into().unwrap()), 8000);
        assert_eq!(u32::from_le_bytes(bytes[28..32].try_into().unwrap()), 32000);
        assert_eq!(u16::from_le_bytes(bytes[34..36].try_into().unwrap()), 16);
        assert_eq!(u32::from_le_bytes(bytes[40..44].try_into().unwrap()), 8);
        assert_eq!(&bytes[44..46], &1i16.to_le_bytes());
        assert_eq!(&bytes[50..52], &(-4i16).to_le_bytes());
    }
}
