//! Still photos from the home's tablet: what an upload's bytes really are (their first bytes,
//! not the label the client put on them), their pixel size from the image header, and how
//! every screen sees a stored photo.
//!
//! Nothing here decodes an image: the magic bytes and one header are read with bounds checks,
//! so a hostile or truncated upload is refused or stored without a size, never a panic.

use carehub_store::{CallPhoto, Id, ImageFormat};
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::millis::to_datetime;

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
const JPEG_SIGNATURE: &[u8] = &[0xFF, 0xD8, 0xFF];

/// The format the bytes themselves announce, if it is one CareHub stores.
pub fn format_of(bytes: &[u8]) -> Option<ImageFormat> {
    if bytes.starts_with(PNG_SIGNATURE) {
        Some(ImageFormat::Png)
    } else if bytes.starts_with(JPEG_SIGNATURE) {
        Some(ImageFormat::Jpeg)
    } else {
        None
    }
}

/// Width and height from the image header, when it can be read; `None` is not an error (the
/// photo is still worth keeping), only an unknown size.
pub fn dimensions(format: ImageFormat, bytes: &[u8]) -> Option<(u32, u32)> {
    let size = match format {
        ImageFormat::Png => png_size(bytes),
        ImageFormat::Jpeg => jpeg_size(bytes),
    }?;
    (size.0 > 0 && size.1 > 0).then_some(size)
}

fn be_u16(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*bytes.get(at)?, *bytes.get(at + 1)?]))
}

fn be_u32(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at + 4)?;
    Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

/// PNG: the first chunk is always IHDR, width then height.
fn png_size(bytes: &[u8]) -> Option<(u32, u32)> {
    if bytes.get(12..16)? != b"IHDR" {
        return None;
    }
    Some((be_u32(bytes, 16)?, be_u32(bytes, 20)?))
}

/// JPEG: walk the marker segments to the first start-of-frame, which holds the size.
fn jpeg_size(bytes: &[u8]) -> Option<(u32, u32)> {
    let mut at = 2;
    loop {
        // Markers may be preceded by any number of 0xFF fill bytes.
        while *bytes.get(at)? == 0xFF && *bytes.get(at + 1)? == 0xFF {
            at += 1;
        }
        if *bytes.get(at)? != 0xFF {
            return None;
        }
        let marker = *bytes.get(at + 1)?;
        match marker {
            // Markers without a length: restart markers, TEM.
            0xD0..=0xD7 | 0x01 => at += 2,
            // Start of scan or end of image before any frame header: no size to read.
            0xD9 | 0xDA => return None,
            // SOF0-SOF15, except DHT (C4), JPG (C8) and DAC (CC), which share the range.
            0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC) => {
                let height = be_u16(bytes, at + 5)?;
                let width = be_u16(bytes, at + 7)?;
                return Some((width.into(), height.into()));
            }
            _ => {
                let length = usize::from(be_u16(bytes, at + 2)?);
                if length < 2 {
                    return None;
                }
                at = at.checked_add(2 + length)?;
            }
        }
    }
}

/// The care worker who took a photo.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PhotoTaker {
    /// User id.
    pub id: Id,
    /// Display name.
    pub name: String,
}

/// A photo of a call as screens see it: everything but the image, which is fetched on its own
/// (`GET /api/calls/{id}/photos/{photo_id}`, an audited read).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PhotoView {
    /// Photo id.
    pub id: Id,
    /// Who took it.
    pub taken_by: PhotoTaker,
    /// When it reached the hub.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub taken_at: OffsetDateTime,
    /// `image/jpeg` or `image/png`.
    pub content_type: &'static str,
    /// Size of the image in bytes.
    pub bytes: u64,
    /// Pixel width, when the image header gave it.
    pub width: Option<u32>,
    /// Pixel height, when the image header gave it.
    pub height: Option<u32>,
}

impl From<&CallPhoto> for PhotoView {
    fn from(p: &CallPhoto) -> Self {
        Self {
            id: p.id,
            taken_by: PhotoTaker {
                id: p.taken_by,
                name: p.taken_by_name.clone(),
            },
            taken_at: to_datetime(p.taken_at),
            content_type: p.format.mime(),
            bytes: p.bytes,
            width: p.width,
            height: p.height,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let mut b = PNG_SIGNATURE.to_vec();
        b.extend_from_slice(&13u32.to_be_bytes());
        b.extend_from_slice(b"IHDR");
        b.extend_from_slice(&width.to_be_bytes());
        b.extend_from_slice(&height.to_be_bytes());
        b.extend_from_slice(&[8, 2, 0, 0, 0]);
        b
    }

    /// SOI, an APP0 segment, fill bytes, then a baseline frame header.
    fn jpeg(width: u16, height: u16) -> Vec<u8> {
        let mut b = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x06, b'J', b'F', b'I', b'F'];
        b.extend_from_slice(&[0xFF, 0xFF, 0xC0, 0x00, 0x11, 0x08]);
        b.extend_from_slice(&height.to_be_bytes());
        b.extend_from_slice(&width.to_be_bytes());
        b.extend_from_slice(&[3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1, 0xFF, 0xD9]);
        b
    }

    #[test]
    fn formats_are_told_by_their_first_bytes() {
        assert_eq!(format_of(&png(1, 1)), Some(ImageFormat::Png));
        assert_eq!(format_of(&jpeg(1, 1)), Some(ImageFormat::Jpeg));
        assert_eq!(format_of(b"GIF89a"), None);
        assert_eq!(format_of(b"<svg"), None);
        assert_eq!(format_of(&[0xFF, 0xD8]), None);
        assert_eq!(format_of(&[]), None);
    }

    #[test]
    fn sizes_come_from_the_header() {
        assert_eq!(
            dimensions(ImageFormat::Png, &png(4032, 3024)),
            Some((4032, 3024))
        );
        assert_eq!(
            dimensions(ImageFormat::Jpeg, &jpeg(1920, 1080)),
            Some((1920, 1080))
        );
    }

    #[test]
    fn truncated_or_odd_headers_give_no_size_and_never_panic() {
        let whole = jpeg(640, 480);
        for end in 0..whole.len() {
            let _ = dimensions(ImageFormat::Jpeg, &whole[..end]);
        }
        let whole = png(640, 480);
        for end in 0..whole.len() {
            let _ = dimensions(ImageFormat::Png, &whole[..end]);
        }
        assert_eq!(dimensions(ImageFormat::Png, &png(0, 480)), None);
        // A segment length of zero or one cannot be walked past.
        assert_eq!(
            dimensions(
                ImageFormat::Jpeg,
                &[0xFF, 0xD8, 0xFF, 0xE0, 0, 0, 0xFF, 0xC0]
            ),
            None
        );
        // A scan before any frame header.
        assert_eq!(
            dimensions(ImageFormat::Jpeg, &[0xFF, 0xD8, 0xFF, 0xDA, 0, 2]),
            None
        );
        // A length that points past the end.
        assert_eq!(
            dimensions(ImageFormat::Jpeg, &[0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF]),
            None
        );
    }
}
