//! The export's self-test: a data page's codes drawn into grey pixels as a scanner
//! would see them (modules sampled at each pixel's centre, at a resolution that is not
//! a whole number of pixels per module), for [`super::scan`] to read back.

use image::{GrayImage, Luma};

/// One code placed on a page.
pub struct Placed<'a> {
    /// Its top-left corner, mm from the page's top-left corner.
    pub x: f32,
    pub y: f32,
    pub module: f32,
    /// Modules a side.
    pub width: usize,
    /// Whether the module at (column, row) is dark.
    pub dark: &'a dyn Fn(usize, usize) -> bool,
}

/// A page of `width` × `height` mm at `dpi` with `codes` on it.
pub fn page(width: f32, height: f32, dpi: f32, codes: &[Placed<'_>]) -> GrayImage {
    let px = dpi / 25.4;
    let (w, h) = ((width * px) as u32, (height * px) as u32);
    let mut image = GrayImage::from_pixel(w, h, Luma([255]));
    for code in codes {
        let size = code.width as f32 * code.module;
        let x0 = (code.x * px) as u32;
        let y0 = (code.y * px) as u32;
        let x1 = (((code.x + size) * px).ceil() as u32).min(w);
        let y1 = (((code.y + size) * px).ceil() as u32).min(h);
        for y in y0..y1 {
            let row = ((y as f32 + 0.5) / px - code.y) / code.module;
            if row < 0.0 || row as usize >= code.width {
                continue;
            }
            for x in x0..x1 {
                let col = ((x as f32 + 0.5) / px - code.x) / code.module;
                if col >= 0.0
                    && (col as usize) < code.width
                    && (code.dark)(col as usize, row as usize)
                {
                    image.put_pixel(x, y, Luma([0]));
                }
            }
        }
    }
    image
}
