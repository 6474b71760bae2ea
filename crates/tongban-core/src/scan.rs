//! What a scan is, told by its first bytes (never by its name): the hall accepts PDF, JPEG, PNG
//! and TIFF, as scanners save them.

const KINDS: [(&[u8], &str); 5] = [
    (b"%PDF-", "application/pdf"),
    (&[0xFF, 0xD8, 0xFF], "image/jpeg"),
    (&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A], "image/png"),
    (b"II*\0", "image/tiff"),
    (b"MM\0*", "image/tiff"),
];

/// The media type `bytes` announce, if it is one the hall accepts.
pub fn media_type(bytes: &[u8]) -> Option<&'static str> {
    KINDS.iter().find(|(magic, _)| bytes.starts_with(magic)).map(|(_, t)| *t)
}

/// The file extension a viewer expects for `media_type` (`bin` for anything else).
pub fn extension(media_type: &str) -> &'static str {
    match media_type {
        "application/pdf" => "pdf",
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "image/tiff" => "tif",
        _ => "bin",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_bytes_decide() {
        assert_eq!(media_type(b"%PDF-1.7 ..."), Some("application/pdf"));
        assert_eq!(media_type(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(media_type(b"MM\0*"), Some("image/tiff"));
        assert_eq!(media_type(b"GIF89a"), None);
        assert_eq!(media_type(b""), None);
        assert_eq!(extension("image/tiff"), "tif");
        assert_eq!(extension("application/octet-stream"), "bin");
    }
}
