//! Run-length coding: a control byte below 128 is followed by that many + 1 literal bytes; from
//! 128 up it repeats the next byte (control - 128 + 3) times.
use std::io::{self, Read, Seek, Write};

pub fn compress<S: Read + Seek, W: Write + Seek>(mut input: S, mut output: W) -> io::Result<()> {
    let mut data = Vec::new();
    input.read_to_end(&mut data)?;
    output.write_all(&encode(&data))?;
    output.flush()
}

pub fn decompress<S: Read + Seek, W: Write + Seek>(mut input: S, mut output: W) -> io::Result<()> {
    let mut packed = Vec::new();
    input.read_to_end(&mut packed)?;
    let data = decode(&packed).ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "corrupt stream"))?;
    output.write_all(&data)?;
    output.flush()
}

fn literals(out: &mut Vec<u8>, bytes: &[u8]) {
    for chunk in bytes.chunks(128) {
        out.push((chunk.len() - 1) as u8);
        out.extend_from_slice(chunk);
    }
}

fn encode(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let (mut i, mut start) = (0, 0);
    while i < data.len() {
        let mut run = 1;
        while i + run < data.len() && data[i + run] == data[i] && run < 130 {
            run += 1;
        }
        if run >= 3 {
            literals(&mut out, &data[start..i]);
            out.push(128 + (run - 3) as u8);
            out.push(data[i]);
            i += run;
            start = i;
        } else {
            i += 1;
        }
    }
    literals(&mut out, &data[start..]);
    out
}

fn decode(packed: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < packed.len() {
        let c = packed[at] as usize;
        if c < 128 {
            out.extend_from_slice(packed.get(at + 1..at + 2 + c)?);
            at += 2 + c;
        } else {
            let byte = *packed.get(at + 1)?;
            out.extend(std::iter::repeat(byte).take(c - 128 + 3));
            at += 2;
        }
    }
    Some(out)
}
