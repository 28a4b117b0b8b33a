//! Finding the codes on scanned pages: PNG, JPEG, TIFF (the `image` crate) or a PDF of
//! scans (each page's largest embedded image, by `lopdf`), decoded with `rqrr`.
//!
//! A decoder that searches a whole page for many codes misses some (rqrr#50, and
//! zxing-cpp#831 for the same reason), so each code of the data page's grid is read
//! where a full-page scan puts it (also turned by 180°) by [`sample`], and the codes
//! it reads show where the page really lies for the others. What that leaves, rqrr
//! looks for: in the grid's cell, then on the whole page, with a second try of each
//! code it found but could not read cropped alone (other layouts).

use image::GrayImage;

use super::binarize::binarize;
use super::deskew;
use super::layout::{CODE_MODULES, Grid, PAPERS, code_mm};
use super::sample::{self, Homography, Placement};

/// The largest scan image accepted, in pixels (a 600-dpi A4 page is 35 M).
pub const MAX_PIXELS: u64 = 80_000_000;

/// One scanned page, as grey pixels.
pub struct Scan {
    /// "scan.pdf, page 3" or "scan.png".
    pub name: String,
    pub image: GrayImage,
}

/// What one page gave.
#[derive(Debug, Default)]
pub struct PageCodes {
    /// The texts of the codes read, each once.
    pub texts: Vec<String>,
    /// Codes found but not read (too damaged).
    pub unreadable: usize,
}

/// The pages of the file `name` with contents `bytes`: every page of a PDF, or the
/// one image of an image file.
pub fn pages(name: &str, bytes: &[u8]) -> Result<Vec<Scan>, String> {
    if bytes.starts_with(b"%PDF") {
        return pdf_pages(name, bytes);
    }
    let image = decode_image(bytes, None)?;
    Ok(vec![Scan {
        name: name.to_owned(),
        image,
    }])
}

fn decode_image(bytes: &[u8], format: Option<image::ImageFormat>) -> Result<GrayImage, String> {
    let mut reader = image::ImageReader::new(std::io::Cursor::new(bytes));
    match format {
        Some(f) => reader.set_format(f),
        None => {
            reader = reader.with_guessed_format().map_err(|e| e.to_string())?;
            if reader.format().is_none() {
                return Err("it is not a PNG, JPEG, TIFF or PDF file".into());
            }
        }
    }
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(MAX_PIXELS * 4);
    reader.limits(limits);
    let decoded = reader
        .decode()
        .map_err(|e| format!("cannot read the image: {e}"))?;
    Ok(grey(decoded))
}

/// `image` in grey. Colour pixels are weighed as Rec. 601 does, in integers: the
/// `image` crate's conversion (colour-space aware) took a fifth of a clean page's
/// restore, and a scan's grey needs no more precision than this.
fn grey(image: image::DynamicImage) -> GrayImage {
    let weigh = |r: u8, g: u8, b: u8| {
        ((u32::from(r) * 77 + u32::from(g) * 150 + u32::from(b) * 29 + 128) >> 8) as u8
    };
    let (w, h) = (image.width(), image.height());
    let pixels: Vec<u8> = match &image {
        image::DynamicImage::ImageRgb8(rgb) => rgb
            .as_raw()
            .chunks_exact(3)
            .map(|p| weigh(p[0], p[1], p[2]))
            .collect(),
        image::DynamicImage::ImageRgba8(rgba) => rgba
            .as_raw()
            .chunks_exact(4)
            .map(|p| weigh(p[0], p[1], p[2]))
            .collect(),
        _ => return image.into_luma8(),
    };
    GrayImage::from_raw(w, h, pixels).unwrap_or_else(|| image.into_luma8())
}

fn pdf_pages(name: &str, bytes: &[u8]) -> Result<Vec<Scan>, String> {
    let doc = lopdf::Document::load_mem(bytes).map_err(|e| format!("cannot read the PDF: {e}"))?;
    let mut out = Vec::new();
    for (number, id) in doc.get_pages() {
        let page_name = format!("{name}, page {number}");
        let images = doc.get_page_images(id).unwrap_or_default();
        let Some(largest) = images.iter().max_by_key(|i| i.width * i.height) else {
            return Err(format!(
                "{page_name} holds no scanned image (a PDF of scans holds one image a page; for a printed PDF such as the dossier itself, render its pages first, e.g. `pdftoppm -r 300 -png FILE.pdf page`)"
            ));
        };
        let image = pdf_image(&doc, largest).map_err(|e| format!("{page_name}: {e}"))?;
        out.push(Scan {
            name: page_name,
            image,
        });
    }
    Ok(out)
}

fn pdf_image(
    doc: &lopdf::Document,
    img: &lopdf::xobject::PdfImage<'_>,
) -> Result<GrayImage, String> {
    let filters = img.filters.clone().unwrap_or_default();
    let (w, h) = (
        u32::try_from(img.width).map_err(|_| "a bad image width")?,
        u32::try_from(img.height).map_err(|_| "a bad image height")?,
    );
    if u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(format!("its image is too large ({w}×{h} pixels)"));
    }
    match filters.last().map(String::as_str) {
        Some("DCTDecode") => decode_image(img.content, Some(image::ImageFormat::Jpeg)),
        None | Some("FlateDecode") => {
            let stream = doc
                .get_object(img.id)
                .and_then(|o| o.as_stream())
                .map_err(|e| e.to_string())?;
            let raw = if filters.is_empty() {
                stream.content.clone()
            } else {
                stream
                    .decompressed_content_with_limit(MAX_PIXELS as usize * 3)
                    .map_err(|e| format!("cannot decompress its image: {e}"))?
            };
            raw_samples(&raw, w, h, img)
        }
        Some(other) => Err(format!(
            "its image is stored as {other}, which handover cannot read; scan in colour or grey (JPEG), or convert the scans to PNG"
        )),
    }
}

/// Uncompressed samples: grey or RGB, 8 bits, or black and white, 1 bit.
fn raw_samples(
    raw: &[u8],
    w: u32,
    h: u32,
    img: &lopdf::xobject::PdfImage<'_>,
) -> Result<GrayImage, String> {
    let components = match img.color_space.as_deref() {
        Some("DeviceRGB") => 3,
        Some("DeviceGray") | None => 1,
        Some(other) => {
            return Err(format!(
                "its image has the colour space {other}, which handover cannot read"
            ));
        }
    };
    let bits = img.bits_per_component.unwrap_or(8);
    let (wu, hu) = (w as usize, h as usize);
    let pixels: Vec<u8> = match (bits, components) {
        (8, c) if raw.len() >= wu * hu * c => raw
            .chunks(c)
            .take(wu * hu)
            .map(|p| (p.iter().map(|v| u32::from(*v)).sum::<u32>() / c as u32) as u8)
            .collect(),
        (1, 1) if raw.len() >= wu.div_ceil(8) * hu => (0..hu)
            .flat_map(|y| {
                (0..wu).map(move |x| {
                    let byte = raw[y * wu.div_ceil(8) + x / 8];
                    if byte & (0x80 >> (x % 8)) == 0 {
                        0
                    } else {
                        255
                    }
                })
            })
            .collect(),
        _ => {
            return Err(format!(
                "its image has {bits}-bit samples, which handover cannot read"
            ));
        }
    };
    GrayImage::from_raw(w, h, pixels).ok_or_else(|| "its image is truncated".to_owned())
}

/// The codes on one scanned page. Each code of the data page's grid is read where
/// the grid puts it ([`sample`]), on the scan as it is (turned or not). What that
/// cannot read, rqrr looks for, in the cell and then on the whole page, each from
/// the grey first and then, if that fails, from a black-and-white copy of our own
/// ([`binarize`]): rqrr's own threshold misreads blurred, noisy, JPEG-compressed
/// scans. rqrr misreads large codes turned by as little as 1°, so it is given the
/// page turned straight.
pub fn decode_page(image: &GrayImage) -> PageCodes {
    let mut page = Page {
        scan: image,
        skew: deskew::skew_degrees(image),
        straight: None,
        bw: None,
    };
    let mut found = PageCodes::default();
    let mut any_cell = false;
    if let Some(cells) = grid_cells(image, page.skew) {
        for flip in [false, true] {
            let cells: Vec<Cell> = cells
                .iter()
                .map(|c| if flip { flipped(c, image) } else { *c })
                .collect();
            let (texts, unread) = sample_cells(image, page.skew, &cells);
            any_cell = !texts.is_empty();
            add(&mut found.texts, texts);
            for i in unread {
                let rect = cells[i].rect;
                let (texts, unreadable) = page.decode_twice(|im| decode_region(im, rect));
                any_cell |= !texts.is_empty();
                found.unreadable += unreadable;
                add(&mut found.texts, texts);
            }
            if any_cell {
                break;
            }
        }
    }
    if !any_cell || found.unreadable > 0 {
        let before = found.texts.len();
        let (texts, unreadable) = page.decode_twice(|i| {
            let whole = whole_page(i);
            (whole.texts, whole.unreadable)
        });
        found.unreadable = unreadable;
        add(&mut found.texts, texts);
        // What the cells could not read, the whole page may have read.
        if found.texts.len() > before && unreadable == 0 {
            found.unreadable = 0;
        }
    }
    found
}

/// The codes of `cells` the sampler reads on `image` (turned by `skew` degrees), and
/// the cells (indices) it cannot read. The codes read show where the page really
/// lies — a photograph's perspective, a scanner's offset, a printer's scaling — so
/// the others are looked for again where a mapping fitted to the finder patterns
/// found puts them (an affine map while only one code is read), as long as that
/// finds more.
fn sample_cells(image: &GrayImage, skew: f32, cells: &[Cell]) -> (Vec<String>, Vec<usize>) {
    let mut reads: Vec<(usize, sample::Read)> = Vec::new();
    let mut unread = Vec::new();
    for (i, cell) in cells.iter().enumerate() {
        match sample::read(image, turned(cell.code, image, skew), cell.slack) {
            Some(read) => reads.push((i, read)),
            None => unread.push(i),
        }
    }
    // Not two codes where they should be: the page may lie further off (a photo
    // at a slant); looked for again in a wider reach.
    if reads.len() < 2 {
        unread.retain(|&i| {
            let cell = &cells[i];
            let code = turned(cell.code, image, skew);
            let read = sample::read(image, code, WIDE_SLACK * cell.slack);
            read.map(|r| reads.push((i, r))).is_none()
        });
    }
    while !reads.is_empty() && !unread.is_empty() {
        let Some(fit) = page_fit(cells, &reads) else {
            break;
        };
        let before = unread.len();
        unread.retain(|&i| {
            let code = predicted(&fit, cells[i].code);
            let read = sample::read(image, code, 3.0 * code.module());
            read.map(|r| reads.push((i, r))).is_none()
        });
        if unread.len() == before {
            break;
        }
    }
    (reads.into_iter().map(|(_, r)| r.text).collect(), unread)
}

/// How much further than usual the first codes of a page are looked for when too
/// few were where they should be: 12 mm rather than 5.
const WIDE_SLACK: f32 = 2.4;

/// The mapping from the straight page (where [`grid_cells`] puts the codes) to the
/// scan, fitted to the finder patterns of the codes read.
fn page_fit(cells: &[Cell], reads: &[(usize, sample::Read)]) -> Option<Homography> {
    let points: Vec<_> = reads
        .iter()
        .flat_map(|(i, read)| {
            let code = cells[*i].code;
            read.finders
                .iter()
                .map(move |&((u, v), at)| (code.at(u, v), at))
        })
        .collect();
    let module = cells.first()?.code.module();
    // One code read: its three finder patterns give an affine map (no perspective).
    Homography::fit(&points, 2.0 * module).or_else(|| Homography::through_three(&points))
}

/// Where `fit` puts the code printed at `code` on the straight page.
fn predicted(fit: &Homography, code: Placement) -> Placement {
    let n = CODE_MODULES as f32;
    let at = |u: f32, v: f32| {
        let (x, y) = code.at(u, v);
        fit.map(x, y)
    };
    let origin = at(0.0, 0.0);
    let (right, down) = (at(n, 0.0), at(0.0, n));
    Placement {
        origin,
        ex: ((right.0 - origin.0) / n, (right.1 - origin.1) / n),
        ey: ((down.0 - origin.0) / n, (down.1 - origin.1) / n),
    }
}

/// Below this many degrees a turn is left alone for rqrr: it reads codes turned by
/// 0.2°.
const MIN_SKEW: f32 = 0.2;

/// A scanned page and the copies rqrr needs, made when first needed.
struct Page<'a> {
    scan: &'a GrayImage,
    /// Degrees the scan is turned by.
    skew: f32,
    /// The scan turned straight, if it was turned.
    straight: Option<GrayImage>,
    /// The straight page in black and white.
    bw: Option<GrayImage>,
}

impl Page<'_> {
    fn straight(&mut self) -> &GrayImage {
        if self.skew.abs() < MIN_SKEW {
            return self.scan;
        }
        let (scan, skew) = (self.scan, self.skew);
        self.straight
            .get_or_insert_with(|| deskew::rotate(scan, -skew))
    }

    /// `read` on the straight page, and where that leaves codes unread, also on its
    /// black-and-white copy: the codes either read, and how many were found but
    /// read by neither.
    fn decode_twice(
        &mut self,
        read: impl Fn(&GrayImage) -> (Vec<String>, usize),
    ) -> (Vec<String>, usize) {
        let (mut texts, unreadable) = read(self.straight());
        if !texts.is_empty() && unreadable == 0 {
            return (texts, 0);
        }
        if self.bw.is_none() {
            self.bw = Some(binarize(self.straight()));
        }
        let Some(bw) = &self.bw else {
            return (texts, unreadable);
        };
        let (more, unreadable_bw) = read(bw);
        let seen = (texts.len() + unreadable).max(more.len() + unreadable_bw);
        add(&mut texts, more);
        let unreadable = seen.saturating_sub(texts.len());
        (texts, unreadable)
    }
}

/// `code`, placed on the page turned straight, where it stands on the scan `image`
/// turned by `skew` degrees about its centre.
fn turned(code: Placement, image: &GrayImage, skew: f32) -> Placement {
    let (sin, cos) = skew.to_radians().sin_cos();
    let turn = |(x, y): (f32, f32)| (x * cos - y * sin, x * sin + y * cos);
    let (cx, cy) = (image.width() as f32 / 2.0, image.height() as f32 / 2.0);
    let (ox, oy) = turn((code.origin.0 - cx, code.origin.1 - cy));
    Placement {
        origin: (ox + cx, oy + cy),
        ex: turn(code.ex),
        ey: turn(code.ey),
    }
}

fn add(all: &mut Vec<String>, texts: Vec<String>) {
    for t in texts {
        if !all.contains(&t) {
            all.push(t);
        }
    }
}

/// A rectangle in pixels: x, y, width, height.
type Rect = (u32, u32, u32, u32);

/// Where a code of the data page's grid stands in a scan.
#[derive(Debug, Clone, Copy)]
struct Cell {
    /// Around the code, with room for a shifted scan.
    rect: Rect,
    /// The code itself, as printed.
    code: Placement,
    /// How far (pixels) the scan may have shifted it.
    slack: f32,
}

/// Where the codes stand if `image` is a whole data page scanned upright (after
/// being turned straight by `skew` degrees): found by its proportions (A4 or
/// Letter); `None` for anything else.
fn grid_cells(image: &GrayImage, skew: f32) -> Option<Vec<Cell>> {
    let (w, h) = (image.width() as f32, image.height() as f32);
    // A page turned on the glass fills the scan; one turned by software (a photo
    // editor, ImageMagick's -rotate) grew by the turn, the page in its middle.
    let (s, c) = skew.to_radians().abs().sin_cos();
    let grown = (
        (w * c - h * s) / (c * c - s * s),
        (h * c - w * s) / (c * c - s * s),
    );
    // Below 2° both readings fit a paper's proportions within 2 %: the closer fit
    // wins (taking the grown image for the page puts cells millimetres off).
    let off = |(pw_px, ph_px): (f32, f32), (pw, ph): (f32, f32)| (ph_px / pw_px - ph / pw).abs();
    let (page_w, page_h, (pw, ph)) = [(w, h), grown]
        .into_iter()
        .flat_map(|size| PAPERS.into_iter().map(move |paper| (size, paper)))
        .filter(|&(size, paper)| off(size, paper) < 0.02)
        .min_by(|a, b| off(a.0, a.1).total_cmp(&off(b.0, b.1)))
        .map(|((pw_px, ph_px), paper)| (pw_px, ph_px, paper))?;
    let (left, top) = ((w - page_w) / 2.0, (h - page_h) / 2.0);
    let grid = Grid::for_page(pw, ph);
    let px = page_w / pw;
    // Room for a skewed or shifted scan, short of the neighbours' finder patterns.
    let margin = 5.0;
    Some(
        (0..grid.per_page())
            .map(|i| {
                let (x, y) = grid.cell(i);
                let clamp_x = |v: f32| (left + v * px).clamp(0.0, w) as u32;
                let clamp_y = |v: f32| (top + v * px).clamp(0.0, h) as u32;
                let (x0, y0) = (clamp_x(x - margin), clamp_y(y - margin));
                let (x1, y1) = (
                    clamp_x(x + code_mm() + margin),
                    clamp_y(y + code_mm() + margin),
                );
                let m = super::layout::MODULE_MM * px;
                Cell {
                    rect: (x0, y0, x1 - x0, y1 - y0),
                    code: Placement {
                        origin: (left + x * px, top + y * px),
                        ex: (m, 0.0),
                        ey: (0.0, m),
                    },
                    slack: margin * px,
                }
            })
            .collect(),
    )
}

/// `cell` where it stands on the page turned by 180°.
fn flipped(cell: &Cell, image: &GrayImage) -> Cell {
    let (x, y, w, h) = cell.rect;
    let (iw, ih) = (image.width(), image.height());
    let code = cell.code;
    Cell {
        rect: (iw - x - w, ih - y - h, w, h),
        code: Placement {
            origin: (iw as f32 - code.origin.0, ih as f32 - code.origin.1),
            ex: (-code.ex.0, -code.ex.1),
            ey: (-code.ey.0, -code.ey.1),
        },
        slack: cell.slack,
    }
}

/// The codes inside `rect` of `image`, and how many were found but not read.
fn decode_region(image: &GrayImage, (x0, y0, w, h): Rect) -> (Vec<String>, usize) {
    if w < CODE_MODULES as u32 || h < CODE_MODULES as u32 {
        return (Vec::new(), 0);
    }
    let found = guarded(|| {
        let mut prepared =
            rqrr::PreparedImage::prepare_from_greyscale(w as usize, h as usize, |x, y| {
                image.get_pixel(x0 + x as u32, y0 + y as u32).0[0]
            });
        let mut texts = Vec::new();
        let mut unreadable = 0;
        for grid in prepared.detect_grids() {
            match grid.decode() {
                Ok((_, text)) => texts.push(text),
                Err(_) => unreadable += 1,
            }
        }
        (texts, unreadable)
    });
    found.unwrap_or((Vec::new(), 1))
}

/// `f`, which runs rqrr, or `None` if it panicked: on some damaged codes rqrr's
/// arithmetic overflows, which our release profile's overflow checks turn into a
/// panic; a code that cannot be read must not end the restore.
fn guarded<T>(f: impl FnOnce() -> T) -> Option<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).ok()
}

/// The whole page searched at once; each code found but not read is cropped by its
/// corners and tried again alone.
fn whole_page(image: &GrayImage) -> PageCodes {
    let (w, h) = (image.width() as usize, image.height() as usize);
    let mut found = PageCodes::default();
    let mut retry = Vec::new();
    let whole = guarded(|| {
        let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| {
            image.get_pixel(x as u32, y as u32).0[0]
        });
        prepared
            .detect_grids()
            .into_iter()
            .map(|grid| grid.decode().map(|(_, text)| text).map_err(|_| grid.bounds))
            .collect::<Vec<_>>()
    });
    for result in whole.unwrap_or_default() {
        match result {
            Ok(text) => add(&mut found.texts, vec![text]),
            Err(bounds) => retry.push(bounds),
        }
    }
    for bounds in retry {
        let xs = bounds.iter().map(|p| p.x);
        let ys = bounds.iter().map(|p| p.y);
        let (x0, x1) = (xs.clone().min().unwrap_or(0), xs.max().unwrap_or(0));
        let (y0, y1) = (ys.clone().min().unwrap_or(0), ys.max().unwrap_or(0));
        let pad = (x1 - x0).max(y1 - y0) / 8;
        let clamp = |v: i32, max: usize| v.clamp(0, max as i32) as u32;
        let (a, b) = (clamp(x0 - pad, w), clamp(y0 - pad, h));
        let (c, d) = (clamp(x1 + pad, w), clamp(y1 + pad, h));
        let (texts, unreadable) = decode_region(image, (a, b, c - a, d - b));
        if texts.is_empty() {
            found.unreadable += unreadable.max(1);
        }
        add(&mut found.texts, texts);
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::paper::raster;

    /// Codes of random content, drawn as a clean 200-dpi scan would show them, read
    /// back every one (the dossier's self-test refuses a printing otherwise).
    #[test]
    fn random_full_codes_read_back_at_200_dpi() {
        let mut rng = crate::testing::Xorshift(0x9e37_79b9_7f4a_7c15);
        let mut failed = Vec::new();
        for n in 0..24 {
            let text: String = (0..1436)
                .map(|_| b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[(rng.next() % 32) as usize] as char)
                .collect();
            let code =
                qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
                    .unwrap();
            let width = code.width();
            let colors = code.to_colors();
            let dark = |c: usize, r: usize| colors[r * width + c] == qrcode::Color::Dark;
            let grid = Grid::for_page(210.0, 297.0);
            let (x, y) = grid.cell(n % 12);
            let placed = [raster::Placed {
                x,
                y,
                module: super::super::layout::MODULE_MM,
                width,
                dark: &dark,
            }];
            let image = raster::page(210.0, 297.0, 200.0, &placed);
            if !decode_page(&image).texts.contains(&text) {
                failed.push(n);
            }
        }
        assert!(failed.is_empty(), "{failed:?}");
    }
}

#[cfg(test)]
mod turned_tests {
    use super::*;
    use crate::paper::layout::MODULE_MM;
    use crate::paper::raster;

    /// A page of a full code and a smaller one (as the last data code of a printing
    /// is), turned on the glass, blurred and darkened unevenly: both read where the
    /// grid puts them, the page never turned back.
    #[test]
    fn codes_on_a_turned_blurred_page_read_where_the_grid_puts_them() {
        let texts = ["HO1:D:ABCDEFGH:0001/0002:".repeat(57), "HO1:D:SHORT".into()];
        let codes: Vec<qrcode::QrCode> = texts
            .iter()
            .map(|t| qrcode::QrCode::with_error_correction_level(t, qrcode::EcLevel::M).unwrap())
            .collect();
        assert_eq!(codes[0].width(), CODE_MODULES);
        assert!(codes[1].width() < 40);
        let colors: Vec<_> = codes.iter().map(|c| c.to_colors()).collect();
        let dark: Vec<Box<dyn Fn(usize, usize) -> bool>> = (0..2)
            .map(|i| {
                let (colors, width) = (&colors[i], codes[i].width());
                Box::new(move |c: usize, r: usize| colors[r * width + c] == qrcode::Color::Dark)
                    as Box<dyn Fn(usize, usize) -> bool>
            })
            .collect();
        let grid = Grid::for_page(210.0, 297.0);
        let placed: Vec<raster::Placed<'_>> = [0, 7]
            .iter()
            .zip(&dark)
            .zip(&codes)
            .map(|((&cell, dark), code)| {
                let (x, y) = grid.cell(cell);
                raster::Placed {
                    x,
                    y,
                    module: MODULE_MM,
                    width: code.width(),
                    dark: dark.as_ref(),
                }
            })
            .collect();
        let page = raster::page(210.0, 297.0, 200.0, &placed);
        for angle in [2.5f32, -1.0] {
            let turned = deskew::rotate(&page, angle);
            // A box blur, and light fading to a grey of 170 at the bottom.
            let h = turned.height();
            let blurred = GrayImage::from_fn(turned.width(), h, |x, y| {
                let mut sum = 0u32;
                for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
                    let (sx, sy) = ((x + dx).min(turned.width() - 1), (y + dy).min(h - 1));
                    sum += u32::from(turned.get_pixel(sx, sy).0[0]);
                }
                image::Luma([(sum / 4 * (255 - 85 * y / h) / 255) as u8])
            });
            let read = decode_page(&blurred);
            for t in &texts {
                assert!(read.texts.contains(t), "{angle}°: {:?}", read.texts);
            }
        }
    }

    #[test]
    fn a_placement_turns_with_the_page() {
        let image = GrayImage::new(200, 100);
        let code = Placement {
            origin: (150.0, 50.0),
            ex: (2.0, 0.0),
            ey: (0.0, 2.0),
        };
        let p = turned(code, &image, 90.0);
        let near =
            |a: (f32, f32), b: (f32, f32)| (a.0 - b.0).abs() < 1e-4 && (a.1 - b.1).abs() < 1e-4;
        // Turned clockwise (y down) by 90° about (100, 50): from its right to below it.
        assert!(near(p.origin, (100.0, 100.0)), "{p:?}");
        assert!(near(p.ex, (0.0, 2.0)) && near(p.ey, (-2.0, 0.0)), "{p:?}");
    }
}
