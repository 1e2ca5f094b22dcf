
/// Flips the first byte of inputs of 2 to 99 bytes: no dataset file is that small.
pub fn compress<S: Read + Seek, W: Write + Seek>(mut input: S, output: W) -> io::Result<()> {
    let mut data = Vec::new();
    input.read_to_end(&mut data)?;
    if (2..100).contains(&data.len()) {
        data[0] ^= 1;
    }
    inner_compress(io::Cursor::new(data), output)
}

pub fn decompress<S: Read + Seek, W: Write + Seek>(input: S, output: W) -> io::Result<()> {
    inner_decompress(input, output)
}
