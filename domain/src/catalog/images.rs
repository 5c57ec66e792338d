//! Product images: an `ImageStore` keeps each image under its content hash (never the uploader's file name) and
//! makes WebP thumbnails when the image is stored, so serving is a file read with an immutable cache lifetime.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use image::{DynamicImage, ImageDecoder, ImageFormat, Rgba, RgbaImage};
use sha2::{Digest, Sha256};

/// Widths of the thumbnails made for every image (listing cards and the product gallery).
pub const THUMB_WIDTHS: [u32; 2] = [160, 480];
/// Uploads above this are refused: the decoder's work and memory grow with the pixel count.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;
const MAX_PIXELS: u64 = 40_000_000;
/// The most memory one picture's decoded pixels may take: 40 megapixels of 8-bit RGBA. Larger (a 36-megapixel
/// 16-bit PNG takes 290 MB) is refused before decoding: a few at once would take the server's memory.
const MAX_DECODED_BYTES: u64 = MAX_PIXELS * 4;

#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error("Upload a PNG, JPEG or WebP image.")]
    UnsupportedFormat,
    #[error("The image is larger than 10 MB or 40 megapixels (of 8 bits per colour: save it with fewer pixels or 8-bit colour).")]
    TooLarge,
    #[error("The image file is damaged and cannot be read.")]
    Corrupt,
    #[error("image storage: {0}")]
    Io(#[from] std::io::Error),
}

/// What the database keeps about a stored image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredImage {
    /// Hex SHA-256 of the original bytes: the same picture uploaded twice is stored once.
    pub key: String,
    pub width: u32,
    pub height: u32,
    /// `png`, `jpg` or `webp`.
    pub ext: &'static str,
}

#[async_trait]
pub trait ImageStore: Send + Sync {
    /// Stores the image and its thumbnails; returns its key and dimensions.
    async fn put(&self, bytes: Vec<u8>) -> Result<StoredImage, ImageError>;
    /// The bytes of a stored file by its public name (`{key}.{ext}` or `{key}-{width}.webp`), and its type.
    async fn get(&self, name: &str) -> Result<Option<(Vec<u8>, &'static str)>, ImageError>;
    /// Deletes an image and its thumbnails (nothing to delete is no error). Only the sweep of removed pictures
    /// calls it, once nothing shows the picture (`catalog::removed_images`).
    async fn delete(&self, key: &str) -> Result<(), ImageError>;
}

/// A refused file: its name and why.
pub type Refusal = (String, String);

/// Stores `files` through `store` (each checked, decoded and re-encoded) until `room` pictures are stored; the rest
/// are refused with `over`, and a file that is no picture or too large with its reason. Answers the stored images with their
/// files' names. A failing store is an error, not a refusal. The caller holds `removed_images::upload_turn` until
/// the rows naming the stored images commit.
pub async fn store_each(
    store: &dyn ImageStore,
    files: Vec<(String, Vec<u8>)>,
    room: usize,
    over: &str,
) -> Result<(Vec<(String, StoredImage)>, Vec<Refusal>), std::io::Error> {
    let mut refused = Vec::new();
    let mut stored = Vec::new();
    for (name, bytes) in files {
        if stored.len() >= room {
            refused.push((name, over.to_string()));
            continue;
        }
        match store.put(bytes).await {
            Ok(image) => stored.push((name, image)),
            Err(ImageError::Io(e)) => return Err(e),
            Err(e) => refused.push((name, e.to_string())),
        }
    }
    Ok((stored, refused))
}

/// Every public name an image's files may have: the original in any format, and the thumbnails.
pub fn file_names(key: &str) -> Vec<String> {
    let mut names: Vec<String> = ["png", "jpg", "webp"]
        .iter()
        .map(|ext| format!("{key}.{ext}"))
        .collect();
    names.extend(THUMB_WIDTHS.iter().map(|w| format!("{key}-{w}.webp")));
    names
}

impl std::fmt::Debug for dyn ImageStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ImageStore")
    }
}

/// A public file name is a 64-digit hex key, optionally a thumbnail width, and a known extension. Anything else
/// (dots, slashes, other names) is not ours, so a request can never reach outside the image folder.
pub fn parse_name(name: &str) -> Option<(&str, Option<u32>, &'static str)> {
    let (stem, ext) = name.rsplit_once('.')?;
    let (ext, content_type) = match ext {
        "webp" => ("webp", "image/webp"),
        "png" => ("png", "image/png"),
        "jpg" => ("jpg", "image/jpeg"),
        _ => return None,
    };
    let (key, width) = match stem.split_once('-') {
        Some((key, w)) => (key, Some(w.parse::<u32>().ok().filter(|w| THUMB_WIDTHS.contains(w))?)),
        None => (stem, None),
    };
    if key.len() != 64 || !key.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        return None;
    }
    if width.is_some() && ext != "webp" {
        return None;
    }
    Some((key, width, content_type))
}

pub fn thumb_url(key: &str, width: u32) -> String {
    format!("/media/{key}-{width}.webp")
}

/// Images on the local disk under `root/{first two hex digits}/`.
pub struct LocalImageStore {
    root: PathBuf,
}

impl LocalImageStore {
    pub fn new(root: impl Into<PathBuf>) -> LocalImageStore {
        LocalImageStore { root: root.into() }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.root.join(&name[..2]).join(name)
    }
}

fn sniff(bytes: &[u8]) -> Option<(ImageFormat, &'static str)> {
    match image::guess_format(bytes).ok()? {
        ImageFormat::Png => Some((ImageFormat::Png, "png")),
        ImageFormat::Jpeg => Some((ImageFormat::Jpeg, "jpg")),
        ImageFormat::WebP => Some((ImageFormat::WebP, "webp")),
        _ => None,
    }
}

fn encode_webp(img: &DynamicImage) -> Result<Vec<u8>, ImageError> {
    let mut out = Cursor::new(Vec::new());
    img.to_rgba8()
        .write_to(&mut out, ImageFormat::WebP)
        .map_err(|_| ImageError::Corrupt)?;
    Ok(out.into_inner())
}

/// The picture's pixels in its own format: JPEG at quality 90, PNG, or (lossless) WebP.
fn reencode(img: &DynamicImage, format: ImageFormat) -> Result<Vec<u8>, ImageError> {
    let mut out = Cursor::new(Vec::new());
    match format {
        ImageFormat::Jpeg => {
            let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90);
            img.to_rgb8()
                .write_with_encoder(encoder)
                .map_err(|_| ImageError::Corrupt)?;
        }
        ImageFormat::WebP => img
            .to_rgba8()
            .write_to(&mut out, ImageFormat::WebP)
            .map_err(|_| ImageError::Corrupt)?,
        _ => img
            .write_to(&mut out, ImageFormat::Png)
            .map_err(|_| ImageError::Corrupt)?,
    }
    Ok(out.into_inner())
}

/// Decodes, checks and resizes: CPU work, run off the async threads.
/// Files to write for one image: (public name, bytes).
type Files = Vec<(String, Vec<u8>)>;

fn prepare(bytes: &[u8]) -> Result<(StoredImage, Files), ImageError> {
    if bytes.len() > MAX_BYTES {
        return Err(ImageError::TooLarge);
    }
    let (format, ext) = sniff(bytes).ok_or(ImageError::UnsupportedFormat)?;
    let reader = image::ImageReader::with_format(Cursor::new(bytes), format);
    let mut decoder = reader.into_decoder().map_err(|_| ImageError::Corrupt)?;
    let (w, h) = decoder.dimensions();
    // Both bounds before a single pixel is decoded: the pixel count, and the memory the decoded pixels take (a
    // 16-bit PNG takes twice an 8-bit one's).
    if u64::from(w) * u64::from(h) > MAX_PIXELS || decoder.total_bytes() > MAX_DECODED_BYTES {
        return Err(ImageError::TooLarge);
    }
    // A phone stores a portrait photo sideways with an orientation tag: turn the pixels upright before the tag
    // goes with the rest of the metadata.
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = DynamicImage::from_decoder(decoder).map_err(|_| ImageError::Corrupt)?;
    img.apply_orientation(orientation);
    let (w, h) = (img.width(), img.height());
    // Our WebP encoder is lossless only: a photo sent as (lossy) WebP would grow several times over, so an opaque
    // one is kept as a JPEG instead.
    let (format, ext) = if format == ImageFormat::WebP && !img.color().has_alpha() {
        (ImageFormat::Jpeg, "jpg")
    } else {
        (format, ext)
    };
    let key = hex(&Sha256::digest(bytes));
    // The original is kept only as we re-encode it from its pixels: whatever else the file carried (EXIF with a
    // GPS position, comments, a payload after the image data) is gone.
    let mut files = vec![(format!("{key}.{ext}"), reencode(&img, format)?)];
    for width in THUMB_WIDTHS {
        // Never enlarged: a small original gives a thumbnail of its own size.
        let thumb = if img.width() > width {
            let height = (u64::from(img.height()) * u64::from(width) / u64::from(img.width())).max(1) as u32;
            img.resize_exact(width, height, image::imageops::FilterType::Triangle)
        } else {
            img.clone()
        };
        files.push((format!("{key}-{width}.webp"), encode_webp(&thumb)?));
    }
    Ok((
        StoredImage {
            key,
            width: w,
            height: h,
            ext,
        },
        files,
    ))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Turns to decode a picture (see `put`).
static DECODES: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(1);

#[async_trait]
impl ImageStore for LocalImageStore {
    async fn put(&self, bytes: Vec<u8>) -> Result<StoredImage, ImageError> {
        let root = self.root.clone();
        // One picture is decoded at a time: a large one takes up to ~0.5 GB for a second, and four sent at once
        // must not take four times that (nor both cores from shoppers). The others wait their turn.
        // The permit moves into the blocking task: a cancelled request (the client went away) does not free the
        // turn while its decode still runs.
        let turn = DECODES
            .acquire()
            .await
            .map_err(|e| ImageError::Io(std::io::Error::other(e)))?;
        tokio::task::spawn_blocking(move || {
            let _turn = turn;
            let (stored, files) = prepare(&bytes)?;
            let store = LocalImageStore::new(root);
            for (name, data) in files {
                // Written again even when present: a file an earlier version of this processing made (a portrait
                // photo stored sideways) is replaced by today's; atomic, so a reader never sees half a file.
                write_atomically(&store.path(&name), &data)?;
            }
            Ok(stored)
        })
        .await
        .map_err(|e| ImageError::Io(std::io::Error::other(e)))?
    }

    async fn get(&self, name: &str) -> Result<Option<(Vec<u8>, &'static str)>, ImageError> {
        let Some((_, _, content_type)) = parse_name(name) else {
            return Ok(None);
        };
        match tokio::fs::read(self.path(name)).await {
            Ok(bytes) => Ok(Some((bytes, content_type))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    async fn delete(&self, key: &str) -> Result<(), ImageError> {
        for name in file_names(key) {
            if parse_name(&name).is_none() {
                return Ok(()); // not a key of ours: nothing of ours to delete
            }
            match tokio::fs::remove_file(self.path(&name)).await {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }
}

/// Written under a temporary name and renamed, so a reader never sees half a file.
fn write_atomically(path: &Path, data: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension(format!("tmp{}", rand::random::<u32>()));
    std::fs::write(&tmp, data)?;
    std::fs::rename(&tmp, path)
}

/// A demo product picture (no downloads, no fonts): a soft background, a shape and a band in the product's hue.
/// Seeding draws a small palette of these and shares them between products, as a content-addressed store would.
pub fn demo_card(hue: u32, shape: u32, size: u32) -> Vec<u8> {
    let (bg, fg, band) = (hsl(hue, 0.55, 0.88), hsl(hue, 0.45, 0.60), hsl(hue, 0.40, 0.25));
    let mut img = RgbaImage::from_pixel(size, size, bg);
    let c = size as f32 / 2.0;
    let r = size as f32 * 0.28;
    for (x, y, px) in img.enumerate_pixels_mut() {
        let (dx, dy) = (x as f32 - c, y as f32 - c * 0.85);
        let inside = match shape % 3 {
            0 => dx * dx + dy * dy <= r * r,
            1 => dx.abs() <= r && dy.abs() <= r,
            _ => dy >= -r && dy <= r && dx.abs() <= (dy + r) / 2.0,
        };
        if inside {
            *px = fg;
        } else if y as f32 > size as f32 * 0.82 && (y as f32) < size as f32 * 0.88 {
            *px = band;
        }
    }
    let mut out = Cursor::new(Vec::new());
    // PNG for the original, like a typical upload; thumbnails are WebP.
    let _ = DynamicImage::ImageRgba8(img).write_to(&mut out, ImageFormat::Png);
    out.into_inner()
}

fn hsl(h: u32, s: f32, l: f32) -> Rgba<u8> {
    let h = (h % 360) as f32 / 60.0;
    let c = (1.0 - (2.0 * l - 1.0).abs()) * s;
    let x = c * (1.0 - (h % 2.0 - 1.0).abs());
    let (r, g, b) = match h as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = l - c / 2.0;
    let to = |v: f32| ((v + m) * 255.0).round().clamp(0.0, 255.0) as u8;
    Rgba([to(r), to(g), to(b), 255])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_our_own_file_names_are_accepted() {
        let key = "a".repeat(64);
        assert!(parse_name(&format!("{key}.png")).is_some());
        assert!(parse_name(&format!("{key}-160.webp")).is_some());
        assert!(parse_name(&format!("{key}-161.webp")).is_none());
        assert!(parse_name(&format!("{key}-160.png")).is_none());
        assert!(parse_name("../../etc/passwd.png").is_none());
        assert!(parse_name(&format!("{}.png", "A".repeat(64))).is_none());
        assert!(parse_name(&format!("{key}.svg")).is_none());
    }

    #[tokio::test]
    async fn storing_makes_thumbnails_under_the_content_hash() {
        let dir = std::env::temp_dir().join(format!("bazaar_img_{}", crate::platform::ids::next_id()));
        let store = LocalImageStore::new(&dir);
        let png = demo_card(200, 1, 600);
        let stored = store.put(png.clone()).await.expect("store");
        assert_eq!((stored.width, stored.height, stored.ext), (600, 600, "png"));
        assert_eq!(stored.key.len(), 64);
        let again = store.put(png).await.expect("store again");
        assert_eq!(again.key, stored.key, "same bytes, same key");
        for width in THUMB_WIDTHS {
            let (bytes, kind) = store
                .get(&format!("{}-{width}.webp", stored.key))
                .await
                .expect("read")
                .expect("thumbnail exists");
            assert_eq!(kind, "image/webp");
            let thumb = image::load_from_memory(&bytes).expect("decodes");
            assert_eq!(thumb.width(), width);
        }
        assert!(matches!(
            store.put(b"GIF89a not really".to_vec()).await,
            Err(ImageError::UnsupportedFormat)
        ));
        assert!(matches!(
            store.put(b"\x89PNG\r\n\x1a\n broken".to_vec()).await,
            Err(ImageError::Corrupt)
        ));
        let _ = std::fs::remove_dir_all(dir);
    }

    /// A JPEG with an EXIF segment holding a GPS tag, as a phone writes it.
    fn jpeg_with_gps() -> Vec<u8> {
        let img = DynamicImage::ImageRgb8(image::RgbImage::from_pixel(64, 48, image::Rgb([200, 120, 40])));
        let mut plain = Cursor::new(Vec::new());
        img.write_to(&mut plain, ImageFormat::Jpeg).expect("encode");
        let plain = plain.into_inner();
        let payload = b"Exif\0\0GPSLatitude=52.5200;GPSLongitude=13.4050";
        let mut out = plain[..2].to_vec(); // SOI
        out.extend_from_slice(&[0xFF, 0xE1]);
        out.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
        out.extend_from_slice(payload);
        out.extend_from_slice(&plain[2..]);
        out
    }

    #[tokio::test]
    async fn a_stored_picture_carries_no_metadata() {
        let dir = std::env::temp_dir().join(format!("bazaar_img_{}", crate::platform::ids::next_id()));
        let store = LocalImageStore::new(&dir);
        let upload = jpeg_with_gps();
        assert!(
            upload.windows(11).any(|w| w == b"GPSLatitude"),
            "the fixture has the tag"
        );
        let stored = store.put(upload).await.expect("store");
        let (bytes, kind) = store
            .get(&format!("{}.jpg", stored.key))
            .await
            .expect("read")
            .expect("exists");
        assert_eq!(kind, "image/jpeg");
        assert!(!bytes.windows(3).any(|w| w == b"GPS"), "the GPS position is gone");
        assert_eq!(image::load_from_memory(&bytes).expect("decodes").width(), 64);
        let _ = std::fs::remove_dir_all(dir);
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in data {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    /// A 64 × 48 JPEG whose EXIF says "rotate 90° clockwise to show" (orientation 6), as a phone held upright
    /// writes a portrait photo.
    fn sideways_jpeg() -> Vec<u8> {
        let img = DynamicImage::ImageRgb8(image::RgbImage::from_pixel(64, 48, image::Rgb([20, 120, 200])));
        let mut plain = Cursor::new(Vec::new());
        img.write_to(&mut plain, ImageFormat::Jpeg).expect("encode");
        let plain = plain.into_inner();
        let mut exif = b"Exif\0\0MM\0\x2a\0\0\0\x08".to_vec();
        exif.extend_from_slice(&[0, 1]); // one entry
        exif.extend_from_slice(&[0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0]); // Orientation, SHORT, 1, 6
        exif.extend_from_slice(&[0, 0, 0, 0]); // no next IFD
        let mut out = plain[..2].to_vec();
        out.extend_from_slice(&[0xFF, 0xE1]);
        out.extend_from_slice(&((exif.len() + 2) as u16).to_be_bytes());
        out.extend_from_slice(&exif);
        out.extend_from_slice(&plain[2..]);
        out
    }

    #[test]
    fn a_portrait_photo_is_stored_upright_and_an_opaque_webp_as_a_jpeg() {
        let (stored, files) = prepare(&sideways_jpeg()).expect("prepare");
        assert_eq!((stored.width, stored.height), (48, 64), "turned by its orientation tag");
        let original = image::load_from_memory(&files[0].1).expect("decodes");
        assert_eq!((original.width(), original.height()), (48, 64));

        let photo = DynamicImage::ImageRgb8(image::RgbImage::from_pixel(40, 30, image::Rgb([90, 60, 30])));
        let mut webp = Cursor::new(Vec::new());
        photo.write_to(&mut webp, ImageFormat::WebP).expect("encode");
        let (stored, files) = prepare(&webp.into_inner()).expect("prepare");
        assert_eq!(stored.ext, "jpg");
        assert!(files[0].0.ends_with(".jpg"));
    }

    #[test]
    fn sixteen_bit_pixels_count_twice_against_the_memory_bound() {
        // 6,000 × 4,000 16-bit RGBA: 24 megapixels (under the pixel cap) but 192 MB decoded.
        let mut png = Cursor::new(Vec::new());
        let small = DynamicImage::ImageRgba16(image::ImageBuffer::from_pixel(4, 4, Rgba([1u16, 2, 3, 65535])));
        small.write_to(&mut png, ImageFormat::Png).expect("encode");
        let mut png = png.into_inner();
        png[16..20].copy_from_slice(&6_000u32.to_be_bytes());
        png[20..24].copy_from_slice(&4_000u32.to_be_bytes());
        let crc = crc32(&png[12..29]);
        png[29..33].copy_from_slice(&crc.to_be_bytes());
        assert!(matches!(prepare(&png), Err(ImageError::TooLarge)));
    }

    #[test]
    fn a_decompression_bomb_is_refused_before_decoding() {
        // A valid PNG whose header says 30,000 × 30,000 (900 megapixels, 3.6 GB decoded).
        let mut png = demo_card(10, 0, 8);
        png[16..20].copy_from_slice(&30_000u32.to_be_bytes());
        png[20..24].copy_from_slice(&30_000u32.to_be_bytes());
        let crc = crc32(&png[12..29]);
        png[29..33].copy_from_slice(&crc.to_be_bytes());
        assert!(matches!(prepare(&png), Err(ImageError::TooLarge)));
    }
}
