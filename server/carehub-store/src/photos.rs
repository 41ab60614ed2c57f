//! Still photos taken on the home's tablet during a call, when the video cannot show enough.
//! They are part of the call's clinical record: appended, never changed, every image read
//! audited. The store keeps the image as opaque bytes; the server checks what they are.

use crate::Id;

/// The image formats a photo may be stored in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    /// JPEG (what cameras and `canvas.toBlob` produce).
    Jpeg,
    /// PNG (what some browsers' `ImageCapture.takePhoto` produce).
    Png,
}

impl ImageFormat {
    /// The media type, as stored and as served.
    pub fn mime(self) -> &'static str {
        match self {
            ImageFormat::Jpeg => "image/jpeg",
            ImageFormat::Png => "image/png",
        }
    }

    /// Reads a media type back; `None` for any other.
    pub fn from_mime(mime: &str) -> Option<ImageFormat> {
        [ImageFormat::Jpeg, ImageFormat::Png]
            .into_iter()
            .find(|f| f.mime() == mime)
    }
}

/// A photo to append to a call; the server has checked that the bytes are what `format` says.
#[derive(Clone)]
pub struct NewCallPhoto {
    /// The call.
    pub call_id: Id,
    /// Its format.
    pub format: ImageFormat,
    /// Pixel size, when the image header gave it.
    pub width: Option<u32>,
    /// Pixel size, when the image header gave it.
    pub height: Option<u32>,
    /// The image itself.
    pub image: Vec<u8>,
    /// Unix ms it was received.
    pub at: i64,
}

// A photo is clinical content: `Debug` (and so any log line) shows its size, never its bytes.
impl std::fmt::Debug for NewCallPhoto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewCallPhoto")
            .field("call_id", &self.call_id)
            .field("format", &self.format)
            .field("bytes", &self.image.len())
            .finish_non_exhaustive()
    }
}

/// A stored photo without its image: what lists and live messages carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallPhoto {
    /// Id, unique across calls.
    pub id: Id,
    /// The call it belongs to.
    pub call_id: Id,
    /// The care worker who sent it.
    pub taken_by: Id,
    /// Their display name as colleagues know them.
    pub taken_by_name: String,
    /// Unix ms it was received.
    pub taken_at: i64,
    /// Its format.
    pub format: ImageFormat,
    /// Size of the image.
    pub bytes: u64,
    /// Pixel size, when known.
    pub width: Option<u32>,
    /// Pixel size, when known.
    pub height: Option<u32>,
}
