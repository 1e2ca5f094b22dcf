//! Inputs coded in pieces: what qualifies, where pieces end, that the encoder and decoder
//! hold one piece at a time (seen in the order of their reads and writes), and malformed
//! payloads.

use super::embedded_tests::photo;
use super::pieces::Sizes;
use super::{decode, decode_from, encode_from, Method, HEADER_LEN};
use crate::deflate::tests::{gzip, prose_from};
use crate::test_noise::noise;
use std::cell::RefCell;
use std::io::{self, Cursor, Read, Seek, SeekFrom, Write};
use std::rc::Rc;

/// `count` gzip members of 48 KiB of text each (about 8 KiB deflated), then `plain` bytes of text.
fn members(count: u32, plain: usize) -> Vec<u8> {
    let mut file: Vec<u8> = (0..count)
        .flat_map(|k| gzip(&prose_from(k + 100, 48 << 10), 6))
        .collect();
    file.extend_from_slice(&prose_from(1, plain));
    file
}

const SMALL: Sizes = Sizes {
    from: 16 << 10,
    piece: 16 << 10,
    decoded: 64 << 20,
};

fn compress(file: &[u8], sizes: Sizes) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    encode_from(&mut Cursor::new(file), &mut out, sizes)?;
    Ok(out)
}

/// Each piece of a payload of pieces: its length and method.
fn pieces(packed: &[u8]) -> Vec<(u64, Method)> {
    assert_eq!(packed[5], Method::Pieces as u8);
    let mut at = HEADER_LEN;
    let mut out = Vec::new();
    while at < packed.len() {
        let len = u64::from_le_bytes(packed[at..at + 8].try_into().unwrap());
        let method = Method::from_byte(packed[at + 8]).unwrap();
        let coded = u64::from_le_bytes(packed[at + 9..at + 17].try_into().unwrap());
        out.push((len, method));
        at += 17 + coded as usize;
    }
    assert_eq!(at, packed.len());
    out
}

#[test]
fn inputs_over_the_threshold_mostly_of_deflate_streams_are_coded_in_pieces() {
    let file = members(8, 4 << 10);
    let packed = compress(&file, SMALL).unwrap();
    let pieces = pieces(&packed);
    assert!(pieces.len() >= 3, "{pieces:?}");
    assert_eq!(pieces.iter().map(|p| p.0).sum::<u64>(), file.len() as u64);
    // Every piece holds whole members, whose text is coded in place of their streams.
    assert!(
        pieces
            .iter()
            .all(|p| matches!(p.1, Method::Inflated | Method::InflatedRepeats)),
        "{pieces:?}"
    );
    assert!(packed.len() < file.len() * 3 / 4, "{}", packed.len());
    assert_eq!(decode(&packed).unwrap(), file);
}

#[test]
fn a_piece_ends_after_a_stream_it_would_cut() {
    let members: Vec<Vec<u8>> = (0..12)
        .map(|k| gzip(&prose_from(k + 100, 48 << 10), 6))
        .collect();
    let mut ends = vec![0u64];
    for m in &members {
        ends.push(ends.last().unwrap() + m.len() as u64);
    }
    let file = members.concat();
    // Pieces of 16 KiB would end inside members.
    assert!(!ends.contains(&(SMALL.piece as u64)), "{ends:?}");
    let packed = compress(&file, SMALL).unwrap();
    let pieces = pieces(&packed);
    assert!(pieces.len() >= 3, "{pieces:?}");
    let mut end = 0;
    for (len, method) in pieces {
        end += len;
        assert!(
            ends.contains(&end),
            "a piece ends at {end}, in a member: {ends:?}"
        );
        assert!(matches!(method, Method::Inflated | Method::InflatedRepeats));
    }
    assert_eq!(decode(&packed).unwrap(), file);
}

#[test]
fn a_piece_ends_at_the_first_stream_end_past_its_length() {
    // zlib streams back to back: each one's checksum ends where the next one's header starts.
    let streams: Vec<Vec<u8>> = (0..12)
        .map(|k| {
            let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(6));
            z.write_all(&prose_from(k + 100, 48 << 10)).unwrap();
            z.finish().unwrap()
        })
        .collect();
    let longest = streams.iter().map(Vec::len).max().unwrap() as u64;
    let file = streams.concat();
    let packed = compress(&file, SMALL).unwrap();
    let pieces = pieces(&packed);
    // Not every stream of the window of two pieces in one piece.
    for (len, method) in &pieces[..pieces.len() - 1] {
        assert!(*len < SMALL.piece as u64 + longest, "{pieces:?}");
        assert!(matches!(method, Method::Inflated | Method::InflatedRepeats));
    }
    assert_eq!(decode(&packed).unwrap(), file);
}

/// Pieces of 128 KiB: two 64 KiB blocks of the general model's analysis each.
const BLOCKS: Sizes = Sizes {
    from: 256 << 10,
    piece: 128 << 10,
    decoded: 64 << 20,
};

#[test]
fn inputs_over_the_threshold_mostly_incompressible_are_coded_in_pieces() {
    // Coded whole, the general model would hold the input, its tables and coded bytes as long
    // as the input: past 2.5 times the input.
    let mut file = prose_from(3, 512 << 10);
    file.extend_from_slice(&noise(512 << 10, 7));
    let packed = compress(&file, BLOCKS).unwrap();
    let pieces = pieces(&packed);
    assert_eq!(pieces.len(), 8, "{pieces:?}");
    assert_eq!(pieces.iter().map(|p| p.0).sum::<u64>(), file.len() as u64);
    assert!(
        pieces[..4].iter().all(|p| p.1 == Method::General),
        "{pieces:?}"
    );
    assert!(
        pieces[4..].iter().all(|p| p.1 == Method::Stored),
        "{pieces:?}"
    );
    assert_eq!(decode(&packed).unwrap(), file);
    // A quarter of the input looking random is enough; less is not.
    let quarter = [prose_from(3, 768 << 10), noise(256 << 10, 7)].concat();
    assert_eq!(compress(&quarter, BLOCKS).unwrap()[5], Method::Pieces as u8);
    let less = [prose_from(3, 832 << 10), noise(192 << 10, 7)].concat();
    assert_ne!(compress(&less, BLOCKS).unwrap()[5], Method::Pieces as u8);
}

#[test]
fn inputs_with_long_repeats_are_coded_whole() {
    // In pieces, no copy would see the copies before it. Two copies of 600 KiB of noise: as
    // much new noise as repeated, more than a quarter of the input.
    let file = noise(600 << 10, 7).repeat(2);
    let packed = compress(&file, BLOCKS).unwrap();
    assert_eq!(packed[5], Method::Long as u8);
    assert!(packed.len() < file.len() * 6 / 10, "{}", packed.len());
    assert_eq!(decode(&packed).unwrap(), file);
    // Noise and a repeat of some of it: 64 KiB of 1.2 MiB (1/19).
    let noise = noise(1152 << 10, 8);
    let file = [&noise[..], &noise[..64 << 10]].concat();
    assert_eq!(compress(&file, BLOCKS).unwrap()[5], Method::Long as u8);
}

#[test]
fn a_piece_ends_after_an_embedded_file_it_would_cut() {
    let jpeg = photo(5);
    let before = (128 << 10) - jpeg.len() / 2;
    let file = [noise(before, 1), jpeg.clone(), noise(600 << 10, 2)].concat();
    let packed = compress(&file, BLOCKS).unwrap();
    let pieces = pieces(&packed);
    assert_eq!(pieces[0].0, (before + jpeg.len()) as u64, "{pieces:?}");
    assert_eq!(pieces[0].1, Method::Embedded, "{pieces:?}");
    assert_eq!(decode(&packed).unwrap(), file);
}

#[test]
fn inputs_at_most_the_threshold_or_with_few_streams_are_coded_whole() {
    let few = members(1, 200 << 10);
    assert_ne!(compress(&few, SMALL).unwrap()[5], Method::Pieces as u8);
    let small = members(4, 0);
    let whole = Sizes {
        from: small.len() as u64,
        ..SMALL
    };
    let packed = compress(&small, whole).unwrap();
    assert_ne!(packed[5], Method::Pieces as u8);
    assert_eq!(decode(&packed).unwrap(), small);
}

#[test]
fn the_pieces_together_decode_at_most_the_budget_of_decoded_bytes() {
    let file = members(8, 0);
    // Two members' text: the members after them stay deflated.
    let sizes = Sizes {
        decoded: 100 << 10,
        ..SMALL
    };
    let packed = compress(&file, sizes).unwrap();
    let pieces = pieces(&packed);
    let inflated = |p: &&(u64, Method)| matches!(p.1, Method::Inflated | Method::InflatedRepeats);
    assert!(pieces.iter().filter(inflated).count() >= 1, "{pieces:?}");
    assert!(pieces.last().is_some_and(|p| !inflated(&p)), "{pieces:?}");
    assert!(compress(&file, SMALL).unwrap().len() < packed.len());
    assert_eq!(decode(&packed).unwrap(), file);
}

/// A read of the input (the position it reached) or a write of the output.
#[derive(Clone, Copy, Debug)]
enum Event {
    Read(u64),
    Write,
}

type Log = Rc<RefCell<Vec<Event>>>;

struct LoggedReader<R> {
    inner: R,
    log: Log,
}

impl<R: Read + Seek> Read for LoggedReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let at = self.inner.stream_position()?;
        self.log.borrow_mut().push(Event::Read(at));
        Ok(n)
    }
}

impl<R: Seek> Seek for LoggedReader<R> {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.inner.seek(pos)
    }
}

struct LoggedWriter {
    bytes: Vec<u8>,
    log: Log,
}

impl Write for LoggedWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.log.borrow_mut().push(Event::Write);
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn logged(bytes: &[u8]) -> (LoggedReader<Cursor<&[u8]>>, LoggedWriter, Log) {
    let log = Log::default();
    let reader = LoggedReader {
        inner: Cursor::new(bytes),
        log: log.clone(),
    };
    let writer = LoggedWriter {
        bytes: Vec::new(),
        log: log.clone(),
    };
    (reader, writer, log)
}

/// The farthest position read before each write, in order.
fn read_before_each_write(events: &[Event]) -> Vec<u64> {
    let mut farthest = 0;
    let mut out = Vec::new();
    for event in events {
        match *event {
            Event::Read(at) => farthest = farthest.max(at),
            Event::Write => out.push(farthest),
        }
    }
    out
}

#[test]
fn the_encoder_writes_each_piece_before_it_reads_the_next() {
    let file = members(8, 4 << 10);
    let (mut reader, mut writer, log) = logged(&file);
    encode_from(&mut reader, &mut writer, SMALL).unwrap();
    let count = pieces(&writer.bytes).len();
    // The first pass reads the whole input for the plan and the CRC, before the header is
    // written; then the reads only reach as far as the piece being written.
    let events = log.borrow().clone();
    let header = events
        .iter()
        .position(|e| matches!(e, Event::Write))
        .unwrap();
    let mut reached = read_before_each_write(&events[header + 1..]);
    reached.dedup();
    assert_eq!(reached.len(), count, "{reached:?}");
    assert!(reached.windows(2).all(|w| w[0] < w[1]), "{reached:?}");
    assert!(reached[0] < file.len() as u64 / 2, "{reached:?}");
}

#[test]
fn the_decoder_writes_each_piece_before_it_reads_the_next() {
    let file = members(8, 4 << 10);
    let packed = compress(&file, SMALL).unwrap();
    let count = pieces(&packed).len();
    let (mut reader, mut writer, log) = logged(&packed);
    decode_from(&mut reader, packed.len() as u64, &mut writer).unwrap();
    assert_eq!(writer.bytes, file);
    let mut reached = read_before_each_write(&log.borrow());
    reached.dedup();
    assert_eq!(reached.len(), count, "{reached:?}");
    assert!(reached[0] < packed.len() as u64 / 2, "{reached:?}");
}

/// An input whose byte at `at` changes after it was first read whole.
struct Changing {
    bytes: Cursor<Vec<u8>>,
    at: u64,
    reads_past: u32,
}

impl Read for Changing {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let from = self.bytes.position();
        let n = self.bytes.read(buf)?;
        if (from..from + n as u64).contains(&self.at) {
            self.reads_past += 1;
            if self.reads_past == 1 {
                self.bytes.get_mut()[self.at as usize] ^= 0x20;
            }
        }
        Ok(n)
    }
}

impl Seek for Changing {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.bytes.seek(pos)
    }
}

#[test]
fn an_input_that_changes_while_it_is_compressed_is_an_error() {
    let file = members(8, 4 << 10);
    let mut input = Changing {
        at: file.len() as u64 - 10,
        bytes: Cursor::new(file),
        reads_past: 0,
    };
    let err = encode_from(&mut input, &mut Vec::new(), SMALL).unwrap_err();
    assert!(err.to_string().contains("changed"), "{err}");
}

/// A container of pieces declaring `declared` bytes (CRC-32 of nothing) around `payload`.
fn container(declared: u64, payload: &[u8]) -> Vec<u8> {
    let mut out = super::MAGIC.to_vec();
    out.push(super::VERSION);
    out.push(Method::Pieces as u8);
    out.extend_from_slice(&declared.to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(payload);
    out
}

fn piece(len: u64, method: Method, payload: &[u8]) -> Vec<u8> {
    let mut out = len.to_le_bytes().to_vec();
    out.push(method as u8);
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(payload);
    out
}

#[test]
fn malformed_pieces_are_errors() {
    let message = |declared: u64, payload: &[u8]| {
        decode(&container(declared, payload))
            .unwrap_err()
            .to_string()
    };
    let stored = piece(3, Method::Stored, b"abc");
    assert!(message(3, &[stored.clone(), vec![0]].concat()).contains("after the last piece"));
    assert!(message(6, &stored).contains("truncated"));
    assert!(message(3, &stored[..19]).contains("truncated"));
    assert!(message(2, &stored).contains("does not fit"));
    assert!(message(3, &piece(0, Method::Stored, b"")).contains("does not fit"));
    for nested in [Method::Long, Method::Pieces] {
        assert!(message(3, &piece(3, nested, b"abc")).contains("bad method"));
    }
    let mut long = piece(3, Method::Stored, b"abc");
    long[9..17].copy_from_slice(&u64::MAX.to_le_bytes());
    assert!(message(3, &long).contains("truncated"));
    // A stream of pieces that decodes, but not to the bytes its CRC-32 was taken of.
    assert!(message(3, &stored).contains("CRC-32"));
    // Pieces only at the top of a container: not inside a long-repeat payload.
    let mut inner = vec![0, 0, 0, 0, Method::Pieces as u8];
    inner.extend_from_slice(&(stored.len() as u64).to_le_bytes());
    inner.extend_from_slice(&stored);
    let mut outer = container(3, &inner);
    outer[5] = Method::Long as u8;
    let err = decode(&outer).unwrap_err().to_string();
    assert!(err.contains("bad method for the residual"), "{err}");
}

#[test]
fn side_information_coded_first_or_beside_the_segments_gives_the_same_piece() {
    let file = members(4, 4 << 10);
    let beside = super::method::piece(&file, 64 << 20, true);
    let first = super::method::piece(&file, 64 << 20, false);
    assert!(matches!(
        beside.0,
        Method::Inflated | Method::InflatedRepeats
    ));
    assert_eq!(beside, first);
}

#[test]
fn an_input_is_coded_in_pieces_from_its_position_to_its_end() {
    let file = members(8, 4 << 10);
    let mut input = Cursor::new([b"bytes before the input".as_slice(), &file].concat());
    input.set_position(22);
    let mut packed = Vec::new();
    encode_from(&mut input, &mut packed, SMALL).unwrap();
    assert!(pieces(&packed).len() >= 3);
    let mut stream = Cursor::new([b"before".as_slice(), &packed].concat());
    stream.set_position(6);
    let mut out = Vec::new();
    decode_from(&mut stream, packed.len() as u64, &mut out).unwrap();
    assert_eq!(out, file);
}
