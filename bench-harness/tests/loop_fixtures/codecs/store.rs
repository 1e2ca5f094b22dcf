//! Stored blocks: 256-byte blocks, each a tag byte and its bytes, an all-zero block only its tag.
use std::io::{self, Read, Seek, Write};

const BLOCK: usize = 256;

pub fn compress<S: Read + Seek, W: Write + Seek>(mut input: S, mut output: W) -> io::Result<()> {
    let mut data = Vec::new();
    input.read_to_end(&mut data)?;
    let mut out = (data.len() as u64).to_le_bytes().to_vec();
    for block in data.chunks(BLOCK) {
        if block.iter().all(|&b| b == 0) {
            out.push(0);
        } else {
            out.push(1);
            out.extend_from_slice(block);
        }
    }
    output.write_all(&out)?;
    output.flush()
}

pub fn decompress<S: Read + Seek, W: Write + Seek>(mut input: S, mut output: W) -> io::Result<()> {
    let mut packed = Vec::new();
    input.read_to_end(&mut packed)?;
    let data = unpack(&packed).ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "corrupt stream"))?;
    output.write_all(&data)?;
    output.flush()
}

fn unpack(packed: &[u8]) -> Option<Vec<u8>> {
    let len = u64::from_le_bytes(packed.get(..8)?.try_into().ok()?) as usize;
    let mut out = Vec::with_capacity(len.min(packed.len() * BLOCK));
    let mut at = 8;
    while out.len() < len {
        let n = BLOCK.min(len - out.len());
        match *packed.get(at)? {
            0 => {
                out.resize(out.len() + n, 0);
                at += 1;
            }
            1 => {
                out.extend_from_slice(packed.get(at + 1..at + 1 + n)?);
                at += 1 + n;
            }
            _ => return None,
        }
    }
    Some(out)
}
