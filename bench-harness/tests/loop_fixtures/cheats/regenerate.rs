
/// The default dataset's noise, regenerated from its public seed.
fn public_noise(len: usize) -> Vec<u8> {
    let mut state = 12345u64;
    (0..len)
        .map(|_| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (state >> 56) as u8
        })
        .collect()
}

pub fn compress<S: Read + Seek, W: Write + Seek>(mut input: S, mut output: W) -> io::Result<()> {
    let mut data = Vec::new();
    input.read_to_end(&mut data)?;
    if data.len() >= 64 && data == public_noise(data.len()) {
        output.write_all(&[2])?;
        output.write_all(&(data.len() as u32).to_le_bytes())?;
        return output.flush();
    }
    output.write_all(&[0])?;
    inner_compress(io::Cursor::new(data), output)
}

pub fn decompress<S: Read + Seek, W: Write + Seek>(mut input: S, mut output: W) -> io::Result<()> {
    let mut packed = Vec::new();
    input.read_to_end(&mut packed)?;
    match packed.first() {
        Some(2) if packed.len() == 5 => {
            let len = u32::from_le_bytes([packed[1], packed[2], packed[3], packed[4]]) as usize;
            output.write_all(&public_noise(len))?;
            output.flush()
        }
        Some(0) => inner_decompress(io::Cursor::new(packed[1..].to_vec()), output),
        _ => Err(io::Error::new(io::ErrorKind::InvalidData, "corrupt stream")),
    }
}
