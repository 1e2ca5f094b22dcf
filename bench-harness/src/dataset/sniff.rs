//! Guesses a file's category from its first bytes, with the extension as a tie-breaker.

use super::category::Category;
use std::path::Path;

/// Magic numbers of container and media formats, checked in order.
const SIGNATURES: &[(&[u8], usize, Category)] = &[
    (b"\x89PNG\r\n\x1a\n", 0, Category::Compressed),
    (b"\xff\xd8\xff", 0, Category::Compressed),
    (b"OggS", 0, Category::Compressed),
    (b"fLaC", 0, Category::Compressed),
    (b"ftyp", 4, Category::Compressed),
    (b"\x1f\x8b", 0, Category::Compressed),
    (b"\x28\xb5\x2f\xfd", 0, Category::Compressed),
    (b"\xfd7zXZ\x00", 0, Category::Compressed),
    (b"BZh", 0, Category::Compressed),
    (b"PK\x03\x04", 0, Category::Compressed),
    (b"7z\xbc\xaf\x27\x1c", 0, Category::Compressed),
    (b"GIF8", 0, Category::Compressed),
    (b"RIFF", 0, Category::Binary),
    (b"\x7fELF", 0, Category::Binary),
    (b"MZ", 0, Category::Binary),
    (b"%PDF", 0, Category::Binary),
];

const SOURCE_EXTENSIONS: &[&str] = &[
    "c", "h", "cc", "cpp", "hpp", "rs", "py", "js", "ts", "go", "java", "kt", "rb", "sh", "pl",
    "cs", "swift", "scala", "hs", "ml", "lua", "php",
];
const BINARY_EXTENSIONS: &[&str] = &["pdf", "exe", "dll", "so", "o", "a", "bin", "dat", "class"];
const STRUCTURED_EXTENSIONS: &[&str] = &[
    "csv", "tsv", "json", "jsonl", "ndjson", "xml", "html", "htm", "log", "yaml", "yml", "toml",
    "sql", "svg",
];

/// Categorises `head` (the first few KiB of a file) of a file of `len` bytes at `path`.
pub fn sniff(path: &Path, head: &[u8], len: u64) -> Category {
    if len <= 1 {
        return Category::Edge;
    }
    if head.starts_with(b"RIFF") && head.get(8..12) == Some(b"WAVE") {
        return Category::Audio;
    }
    if head.starts_with(b"RIFF") && head.get(8..12) == Some(b"WEBP") {
        return Category::Compressed;
    }
    if head.starts_with(b"BM") && head.len() >= 26 {
        return Category::Image;
    }
    for &(magic, offset, category) in SIGNATURES {
        if head.get(offset..offset + magic.len()) == Some(magic) {
            return category;
        }
    }
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    if BINARY_EXTENSIONS.contains(&ext.as_str()) {
        return Category::Binary;
    }
    if !looks_like_text(head) {
        return if looks_random(head) {
            Category::Random
        } else {
            Category::Binary
        };
    }
    if SOURCE_EXTENSIONS.contains(&ext.as_str()) {
        Category::Source
    } else if STRUCTURED_EXTENSIONS.contains(&ext.as_str()) || looks_structured(head) {
        Category::Structured
    } else {
        Category::Text
    }
}

/// Mostly printable ASCII or UTF-8 with no NULs.
fn looks_like_text(head: &[u8]) -> bool {
    if head.contains(&0) {
        return false;
    }
    let printable = head
        .iter()
        .filter(|&&b| b >= 0x20 || b == b'\n' || b == b'\r' || b == b'\t' || b >= 0x80)
        .count();
    printable * 100 >= head.len() * 97 && std::str::from_utf8(trim_partial(head)).is_ok()
}

/// Drops an incomplete UTF-8 sequence cut off at the end of a sample.
fn trim_partial(head: &[u8]) -> &[u8] {
    let mut end = head.len();
    for _ in 0..3 {
        if end == 0 || head[end - 1] < 0x80 {
            break;
        }
        end -= 1;
    }
    if std::str::from_utf8(head).is_ok() {
        head
    } else {
        &head[..end]
    }
}

/// Markup, JSON, CSV-like lines or URL lists: many delimiters per line.
fn looks_structured(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(head);
    let trimmed = text.trim_start();
    if trimmed.starts_with('<') || trimmed.starts_with('{') || trimmed.starts_with('[') {
        return true;
    }
    let tags = text.matches('<').count().min(text.matches('>').count());
    if tags * 100 >= text.len() {
        return true;
    }
    let lines: Vec<&str> = text.lines().take(50).collect();
    if lines.len() < 5 {
        return false;
    }
    let delimited = lines
        .iter()
        .filter(|l| l.matches([',', '\t', '|', ';']).count() >= 3 || l.contains("://"))
        .count();
    delimited * 10 >= lines.len() * 8
}

/// Byte histogram close to uniform (no byte value more than ~3x its expected count).
fn looks_random(head: &[u8]) -> bool {
    if head.len() < 4096 {
        return false;
    }
    let mut counts = [0usize; 256];
    for &b in head {
        counts[b as usize] += 1;
    }
    let expected = head.len() / 256;
    counts
        .iter()
        .all(|&c| c <= expected * 3 && c * 3 >= expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cat(name: &str, head: &[u8]) -> Category {
        sniff(Path::new(name), head, head.len() as u64 + 1000)
    }

    #[test]
    fn recognises_media_and_containers_by_magic() {
        assert_eq!(cat("x", b"RIFF\0\0\0\0WAVEfmt "), Category::Audio);
        assert_eq!(cat("x", b"RIFF\x10\0\0\0WEBPVP8L"), Category::Compressed);
        assert_eq!(
            cat(
                "x",
                &[
                    b'B', b'M', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                    0, 0
                ]
            ),
            Category::Image
        );
        assert_eq!(cat("x.txt", b"\x1f\x8b\x08\0\0\0"), Category::Compressed);
        assert_eq!(cat("x", b"\xfd7zXZ\0\0"), Category::Compressed);
        assert_eq!(cat("x", b"\x89PNG\r\n\x1a\n...."), Category::Compressed);
        assert_eq!(cat("x", b"\0\0\0\x18ftypmp42"), Category::Compressed);
        assert_eq!(cat("x", b"\x7fELF\x02\x01\x01\0\0"), Category::Binary);
    }

    #[test]
    fn separates_prose_source_and_structured_text() {
        let prose = b"It was the best of times, it was the worst of times. ".repeat(20);
        assert_eq!(cat("book", &prose), Category::Text);
        assert_eq!(
            cat("main.rs", b"fn main() {\n    println!(\"hi\");\n}\n"),
            Category::Source
        );
        let csv = b"id,name,price,qty\n1,a,2.0,3\n2,b,4.5,1\n3,c,1.0,9\n4,d,7.5,2\n5,e,3.3,4\n";
        assert_eq!(cat("data", csv), Category::Structured);
        assert_eq!(cat("x.json", b"{\"a\": 1}"), Category::Structured);
        let page =
            b"HTTP/1.1 200 OK\r\n\r\n<html><body><p>Hello</p><a href=\"x\">link</a></body></html>"
                .repeat(4);
        assert_eq!(cat("page", &page), Category::Structured);
        assert_eq!(
            cat("paper.pdf", b"<rdf:li> xml packet </rdf:li>"),
            Category::Binary
        );
    }

    #[test]
    fn tiny_files_are_edge_cases() {
        assert_eq!(sniff(Path::new("e"), b"", 0), Category::Edge);
        assert_eq!(sniff(Path::new("e"), b"a", 1), Category::Edge);
    }
}
