//! Raw versions of already-compressed media, decoded in pure Rust: images to 24-bit BMP,
//! audio (and the audio track of MP4) to 16-bit PCM WAV. The original stays in the dataset
//! beside its raw version. Decoding is deterministic for a given crate version.

pub mod audio;
pub mod image;
pub mod wav;

use super::category::Category;
use anyhow::Result;
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Media {
    Jpeg,
    Png,
    Webp,
    Ogg,
    Flac,
    Mp3,
    Mp4,
}

impl Media {
    /// Recognises a decodable format from a file's first bytes.
    pub fn sniff(head: &[u8]) -> Option<Media> {
        let at =
            |offset: usize, magic: &[u8]| head.get(offset..offset + magic.len()) == Some(magic);
        if at(0, b"\xff\xd8\xff") {
            Some(Media::Jpeg)
        } else if at(0, b"\x89PNG\r\n\x1a\n") {
            Some(Media::Png)
        } else if at(0, b"RIFF") && at(8, b"WEBP") {
            Some(Media::Webp)
        } else if at(0, b"OggS") {
            Some(Media::Ogg)
        } else if at(0, b"fLaC") {
            Some(Media::Flac)
        } else if at(4, b"ftyp") {
            Some(Media::Mp4)
        } else if at(0, b"ID3") || (head.len() >= 2 && head[0] == 0xff && head[1] & 0xe6 == 0xe2) {
            // An ID3 tag, or an MPEG audio frame header of layer III.
            Some(Media::Mp3)
        } else {
            None
        }
    }

    pub fn is_image(self) -> bool {
        matches!(self, Media::Jpeg | Media::Png | Media::Webp)
    }

    /// Extension appended to the original's name for its raw version.
    pub fn raw_extension(self) -> &'static str {
        if self.is_image() {
            "bmp"
        } else {
            "wav"
        }
    }

    pub fn raw_category(self) -> Category {
        if self.is_image() {
            Category::Image
        } else {
            Category::Audio
        }
    }

    /// What produces the raw bytes; recorded in the lock beside their sha256.
    pub fn decoder(self) -> &'static str {
        if self.is_image() {
            image::DECODER
        } else {
            audio::DECODER
        }
    }

    fn hint(self) -> &'static str {
        match self {
            Media::Jpeg => "jpg",
            Media::Png => "png",
            Media::Webp => "webp",
            Media::Ogg => "ogg",
            Media::Flac => "flac",
            Media::Mp3 => "mp3",
            Media::Mp4 => "mp4",
        }
    }
}

/// The media format of the file at `path`, if it is one that can be decoded.
pub fn sniff_file(path: &Path) -> Result<Option<Media>> {
    use std::io::Read;
    let mut head = [0u8; 16];
    let mut file = std::fs::File::open(path)?;
    let mut n = 0;
    while n < head.len() {
        match file.read(&mut head[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(Media::sniff(&head[..n]))
}

/// Decodes `src` (of format `media`) into its raw version at `dst`. `Ok(false)`, and no file,
/// when there is nothing to decode (a video without an audio track).
pub fn derive(media: Media, src: &Path, dst: &Path) -> Result<bool> {
    if media.is_image() {
        let bmp = image::to_bmp(src)?;
        std::fs::write(dst, bmp)?;
        Ok(true)
    } else {
        audio::to_wav(src, media.hint(), dst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_formats_are_sniffed_by_magic() {
        assert_eq!(Media::sniff(b"\xff\xd8\xff\xe0"), Some(Media::Jpeg));
        assert_eq!(Media::sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(Media::Webp));
        assert_eq!(Media::sniff(b"RIFF\0\0\0\0WAVEfmt "), None);
        assert_eq!(Media::sniff(b"\0\0\0\x20ftypisom"), Some(Media::Mp4));
        assert_eq!(Media::sniff(b"ID3\x04"), Some(Media::Mp3));
        assert_eq!(Media::sniff(b"\xff\xfb\x90\x00"), Some(Media::Mp3));
        assert_eq!(
            Media::sniff(b"\xff\xf1\x50\x80"),
            None,
            "AAC ADTS is not MP3"
        );
        assert_eq!(Media::sniff(b"plain text"), None);
        assert_eq!(Media::Flac.raw_extension(), "wav");
        assert_eq!(Media::Png.raw_category(), Category::Image);
    }
}
