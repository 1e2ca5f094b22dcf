//! Where the length, offset and count fields of a container lie, method by method, as the
//! payload formats in `codec/src/container/method.rs` and each model's module describe them.
//! Fields inside arithmetic-coded bytes are not reachable this way and are not listed.

/// One little-endian field of a container.
#[derive(Clone, Debug)]
pub struct Field {
    /// Offset in the container.
    pub at: usize,
    /// Bytes: 1, 2, 4 or 8.
    pub width: usize,
    pub name: String,
    /// Length of the payload the field belongs to (the innermost one).
    pub scope: usize,
}

const HEADER: usize = 18;

/// Every length, offset and count field of `container` (a well-formed stream).
pub fn of_container(container: &[u8]) -> Vec<Field> {
    let payload = &container[HEADER..];
    let mut found = vec![Field {
        at: 6,
        width: 8,
        name: "container: original length".into(),
        scope: payload.len(),
    }];
    let declared = read(container, 6, 8) as usize;
    let mut locate = Locate {
        out: &mut found,
        container,
    };
    locate.method(container[5], HEADER, payload.len(), declared, "container");
    found
}

fn read(bytes: &[u8], at: usize, width: usize) -> u64 {
    let mut buf = [0u8; 8];
    buf[..width].copy_from_slice(&bytes[at..at + width]);
    u64::from_le_bytes(buf)
}

struct Locate<'a> {
    out: &'a mut Vec<Field>,
    container: &'a [u8],
}

impl Locate<'_> {
    fn field(&mut self, at: usize, width: usize, name: String, scope: usize) -> u64 {
        self.out.push(Field {
            at,
            width,
            name,
            scope,
        });
        read(self.container, at, width)
    }

    /// The fields of a payload coded with `method` at `start..start + len` of the container,
    /// decoding to `declared` bytes.
    fn method(&mut self, method: u8, start: usize, len: usize, declared: usize, path: &str) {
        match method {
            1 => self.general(start, len, &format!("{path} > general")),
            2 => self.audio(start, len, declared, &format!("{path} > audio")),
            3 => self.image(start, len, declared, &format!("{path} > image")),
            4 => self.inflated(start, len, false, &format!("{path} > inflated")),
            5 => self.jpeg(start, len, declared, &format!("{path} > jpeg")),
            6 => self.embedded(start, len, declared, &format!("{path} > embedded")),
            7 => self.progressive(start, len, declared, &format!("{path} > progressive")),
            8 => self.long(start, len, declared, &format!("{path} > long")),
            9 => self.inflated(start, len, true, &format!("{path} > inflated with repeats")),
            10 => self.pieces(start, len, &format!("{path} > pieces")),
            _ => {}
        }
    }

    /// `reference count (u32) | per reference: start, length, distance (u64 each) |
    /// residual method (1) | residual payload length (u64) | residual payload`.
    fn long(&mut self, start: usize, len: usize, declared: usize, path: &str) {
        let (count, in_references) = self.references(start, len, path);
        let method_at = start + 4 + 24 * count;
        let residual_method = self.container[method_at];
        let coded = self.field(
            method_at + 1,
            8,
            format!("{path}: residual payload length"),
            len,
        ) as usize;
        let residual = declared - in_references;
        self.method(
            residual_method,
            method_at + 9,
            coded,
            residual,
            &format!("{path} residual"),
        );
    }

    /// `reference count (u32) | per reference: start, length, distance (u64 each)`: the
    /// count and the bytes the references cover.
    fn references(&mut self, start: usize, len: usize, path: &str) -> (usize, usize) {
        let count = self.field(start, 4, format!("{path}: reference count"), len) as usize;
        let mut covered = 0usize;
        for k in 0..count {
            let at = start + 4 + 24 * k;
            self.field(at, 8, format!("{path} reference {k}: start"), len);
            let length = self.field(at + 8, 8, format!("{path} reference {k}: length"), len);
            self.field(at + 16, 8, format!("{path} reference {k}: distance"), len);
            covered += length as usize;
        }
        (count, covered)
    }

    /// `flags (1) | record length (u16) | layout (1) | lanes`.
    fn general(&mut self, start: usize, len: usize, path: &str) {
        self.field(start + 1, 2, format!("{path}: record length"), len);
        match self.container[start + 3] {
            1 => self.segments(start + 4, start + len, &format!("{path} lane")),
            2 => {
                let trunk = self.field(start + 4, 8, format!("{path}: trunk length"), len);
                let first = self.field(start + 12, 8, format!("{path}: first half length"), len);
                let trunk_at = start + 20;
                let first_at = trunk_at + trunk as usize;
                let second_at = first_at + first as usize;
                self.segments(trunk_at, first_at, &format!("{path} trunk"));
                self.segments(first_at, second_at, &format!("{path} first half"));
                self.segments(second_at, start + len, &format!("{path} second half"));
            }
            _ => {}
        }
    }

    /// `kind (1) | raw length (u32) | coded length (u32) | bytes`, repeated.
    fn segments(&mut self, mut at: usize, end: usize, path: &str) {
        let mut k = 0;
        while at + 9 <= end {
            let kind = self.container[at];
            let name = format!("{path} segment {k}");
            self.field(at + 1, 4, format!("{name}: raw length"), end - at);
            let coded = self.field(at + 5, 4, format!("{name}: coded length"), end - at);
            if kind == 2 {
                self.field(at + 9, 4, format!("{name}: repeat distance"), end - at);
            }
            at += 9 + coded as usize;
            k += 1;
        }
    }

    /// `version | channels | mode | shift | head length (u32) | tail length (u32) |
    /// [partner per channel (version 3)] | head | tail | [first half length (u32)] | coded`.
    fn audio(&mut self, start: usize, len: usize, declared: usize, path: &str) {
        let version = read(self.container, start, 1);
        let channels = self.field(start + 1, 1, format!("{path}: channels"), len);
        self.field(start + 3, 1, format!("{path}: dropped low bits"), len);
        let head = self.field(start + 4, 4, format!("{path}: head length"), len);
        let tail = self.field(start + 8, 4, format!("{path}: tail length"), len);
        let partners = if version == 3 { channels as usize } else { 0 };
        for c in 0..partners {
            self.field(
                start + 12 + c,
                1,
                format!("{path}: partner of channel {c}"),
                len,
            );
        }
        let values = (declared as u64).saturating_sub(head + tail) / 2;
        if values >= 1 << 20 && channels > 0 {
            let at = start + 12 + partners + (head + tail) as usize;
            self.field(at, 4, format!("{path}: first half length"), len);
        }
    }

    /// `format | pixel offset (u32) | BMP headers | padding flag | [padding] | trailing bytes |
    /// band count (1) | band lengths (u32 each but the last) | bands`.
    fn image(&mut self, start: usize, len: usize, declared: usize, path: &str) {
        let offset = self.field(start + 1, 4, format!("{path}: pixel offset"), len) as usize;
        let head = start + 5;
        for (at, width, what) in [
            (2, 4, "file size"),
            (10, 4, "pixel offset"),
            (14, 4, "info header size"),
            (18, 4, "width"),
            (22, 4, "height"),
            (26, 2, "planes"),
            (28, 2, "bits per pixel"),
            (34, 4, "image size"),
            (46, 4, "colours used"),
        ] {
            self.field(head + at, width, format!("{path}: BMP {what}"), len);
        }
        let width = read(self.container, head + 18, 4) as usize;
        let height = (read(self.container, head + 22, 4) as i32).unsigned_abs() as usize;
        let channels = read(self.container, head + 28, 2) as usize / 8;
        let stride = (width * channels + 3) & !3;
        let mut at = head + offset;
        if self.container[at] == 1 {
            at += (stride - width * channels) * height;
        }
        at += 1;
        at += declared - (offset + stride * height);
        let bands = self.field(at, 1, format!("{path}: band count"), len);
        for b in 1..bands as usize {
            self.field(
                at + 1 + 4 * (b - 1),
                4,
                format!("{path}: band {b} length"),
                len,
            );
        }
    }

    /// `side length (u32) | side | (if `references`) reference count (u32) | per reference:
    /// start, length, distance (u64 each) | segment count (u32) | per segment: length (u64) |
    /// method (1) | payload length (u64) | payload`.
    fn inflated(&mut self, start: usize, len: usize, references: bool, path: &str) {
        let side = self.field(start, 4, format!("{path}: side length"), len) as usize;
        let mut count_at = start + 4 + side;
        if references {
            let (count, _) = self.references(count_at, len, path);
            count_at += 4 + 24 * count;
        }
        let count = self.field(count_at, 4, format!("{path}: segment count"), len);
        let mut at = count_at + 4;
        for k in 0..count {
            at = self.entry(at, len, &format!("{path} segment {k}"));
        }
    }

    /// `length (u64) | method (1) | payload length (u64) | payload` at `at`, in a payload of
    /// `len` bytes: a segment or a piece. Returns where the next one starts.
    fn entry(&mut self, at: usize, len: usize, name: &str) -> usize {
        let raw = self.field(at, 8, format!("{name}: length"), len) as usize;
        let method = self.container[at + 8];
        let coded = self.field(at + 9, 8, format!("{name}: payload length"), len) as usize;
        self.method(method, at + 17, coded, raw, name);
        at + 17 + coded
    }

    /// Per piece: `length (u64) | method (1) | payload length (u64) | payload`, to the end.
    fn pieces(&mut self, start: usize, len: usize, path: &str) {
        let (mut at, end) = (start, start + len);
        let mut k = 0;
        while at + 17 <= end {
            at = self.entry(at, len, &format!("{path} piece {k}"));
            k += 1;
        }
    }

    /// `scan start (u32) | scan length (u32) | general length (u32) | general | coded scan`.
    fn jpeg(&mut self, start: usize, len: usize, _declared: usize, path: &str) {
        self.field(start, 4, format!("{path}: scan start"), len);
        self.field(start + 4, 4, format!("{path}: scan length"), len);
        let general = self.field(start + 8, 4, format!("{path}: header bytes length"), len);
        self.general(start + 12, general as usize, &format!("{path} headers"));
    }

    /// `general length (u32) | general | scan count (u32) | scan lengths (u32 each) | coded`.
    fn progressive(&mut self, start: usize, len: usize, _declared: usize, path: &str) {
        let general = self.field(start, 4, format!("{path}: header bytes length"), len) as usize;
        self.general(start + 4, general, &format!("{path} headers"));
        let count_at = start + 4 + general;
        let count = self.field(count_at, 4, format!("{path}: scan count"), len);
        for k in 0..count as usize {
            self.field(
                count_at + 4 + 4 * k,
                4,
                format!("{path}: scan {k} length"),
                len,
            );
        }
    }

    /// `part count (u32) | per part: offset (u64) | length (u64) | method (1) | method of the
    /// rest (1) | rest length (u64) | rest | per part: payload length (u64) | payload`.
    fn embedded(&mut self, start: usize, len: usize, declared: usize, path: &str) {
        let count = self.field(start, 4, format!("{path}: part count"), len) as usize;
        let mut parts = Vec::new();
        for k in 0..count {
            let at = start + 4 + 17 * k;
            self.field(at, 8, format!("{path} part {k}: offset"), len);
            let raw = self.field(at + 8, 8, format!("{path} part {k}: length"), len);
            parts.push((raw as usize, self.container[at + 16]));
        }
        let rest_method_at = start + 4 + 17 * count;
        let rest_method = self.container[rest_method_at];
        let rest_len = self.field(
            rest_method_at + 1,
            8,
            format!("{path}: rest payload length"),
            len,
        ) as usize;
        let rest_raw = declared - parts.iter().map(|p| p.0).sum::<usize>();
        let mut at = rest_method_at + 9;
        self.method(rest_method, at, rest_len, rest_raw, &format!("{path} rest"));
        at += rest_len;
        for (k, (raw, method)) in parts.into_iter().enumerate() {
            let name = format!("{path} part {k}");
            let coded = self.field(at, 8, format!("{name}: payload length"), len) as usize;
            self.method(method, at + 8, coded, raw, &name);
            at += 8 + coded;
        }
    }
}
