//! Black and white from a scan's grey: an adaptive threshold (Bradley's local mean,
//! by an integral image, so O(pixels) whatever the window) over a lightly smoothed
//! image. rqrr's own threshold is tuned for clean images; blur, noise and JPEG
//! artefacts of a real scan make it misread the modules of large codes.

use image::{GrayImage, Luma};

/// How far below its neighbourhood's mean a pixel must be to count as dark.
const DARKER_BY: u32 = 15; // percent

/// `image` in black (0) and white (255).
pub fn binarize(image: &GrayImage) -> GrayImage {
    let (w, h) = (image.width() as usize, image.height() as usize);
    let sums = integral(image);
    // About a dozen modules of a data code at 300 dpi: wide enough to see both
    // colours around any module, narrow enough to follow uneven lighting.
    let radius = (w.max(h) / 100).max(8);
    let mut out = GrayImage::from_pixel(w as u32, h as u32, Luma([255]));
    for y in 0..h {
        for x in 0..w {
            // A 3×3 mean against noise, compared with the local mean around it.
            let (pixel, n1) = window_sum(&sums, w, h, x, y, 1);
            let (local, n2) = window_sum(&sums, w, h, x, y, radius);
            let dark =
                u64::from(pixel) * n2 * 100 < u64::from(local) * n1 * u64::from(100 - DARKER_BY);
            if dark {
                out.put_pixel(x as u32, y as u32, Luma([0]));
            }
        }
    }
    out
}

/// Sums of all pixels above and left of each point, (w+1)×(h+1), wrapping in u32:
/// a window's sum is a difference of four of them and fits in u32, so the
/// wrapped arithmetic gives it exactly at half the memory of u64.
fn integral(image: &GrayImage) -> Vec<u32> {
    let (w, h) = (image.width() as usize, image.height() as usize);
    let stride = w + 1;
    let mut sums = vec![0u32; stride * (h + 1)];
    for (y, row) in image.as_raw().chunks_exact(w.max(1)).take(h).enumerate() {
        let mut acc = 0u32;
        for (x, v) in row.iter().enumerate() {
            acc = acc.wrapping_add(u32::from(*v));
            sums[(y + 1) * stride + x + 1] = sums[y * stride + x + 1].wrapping_add(acc);
        }
    }
    sums
}

/// The sum of the pixels within `r` of (x, y), clipped to the image, and their count.
fn window_sum(sums: &[u32], w: usize, h: usize, x: usize, y: usize, r: usize) -> (u32, u64) {
    let stride = w + 1;
    let (x0, y0) = (x.saturating_sub(r), y.saturating_sub(r));
    let (x1, y1) = ((x + r + 1).min(w), (y + r + 1).min(h));
    let sum = sums[y1 * stride + x1]
        .wrapping_sub(sums[y0 * stride + x1])
        .wrapping_sub(sums[y1 * stride + x0])
        .wrapping_add(sums[y0 * stride + x0]);
    (sum, ((x1 - x0) * (y1 - y0)) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dark_marks_on_uneven_light_come_out_black_on_white() {
        // Light fading from 250 on the left to 120 on the right, with a dark mark of
        // a module's size (60 below its surroundings) on each side.
        let image = GrayImage::from_fn(200, 100, |x, y| {
            let light = 250 - (x * 130 / 200) as u8;
            let mark = (27..33).contains(&y) && ((27..33).contains(&x) || (167..173).contains(&x));
            Luma([if mark { light - 60 } else { light }])
        });
        let bw = binarize(&image);
        for (x, y) in [(30, 30), (170, 30)] {
            assert_eq!(bw.get_pixel(x, y).0[0], 0, "mark at {x},{y}");
        }
        for (x, y) in [(5, 80), (100, 80), (195, 80), (100, 30)] {
            assert_eq!(bw.get_pixel(x, y).0[0], 255, "background at {x},{y}");
        }
    }

    #[test]
    fn window_sums_are_exact_despite_wrapping() {
        let image = GrayImage::from_pixel(300, 300, Luma([255]));
        let sums = integral(&image);
        assert_eq!(
            window_sum(&sums, 300, 300, 150, 150, 10),
            (255 * 21 * 21, 21 * 21)
        );
        assert_eq!(
            window_sum(&sums, 300, 300, 0, 0, 10),
            (255 * 11 * 11, 11 * 11)
        );
    }
}
