//! Straightening a scan: a page laid a little askew on the glass turns every code by
//! the same angle, and rqrr misreads version-25 codes turned by as little as 1° (its
//! perspective fit drifts over 117 modules). The angle is found from the page's dark
//! pixels (the projection profile: rows of codes and text line up when seen at the
//! right angle) and the page turned back before its codes are cut out.

use image::{GrayImage, Luma};

/// The largest skew looked for, in degrees either way.
const MAX_SKEW: f32 = 5.0;

/// The angle in degrees (clockwise, as the page appears) by which `image` is turned,
/// between ±[`MAX_SKEW`]; 0 for a page with too little on it to tell.
pub fn skew_degrees(image: &GrayImage) -> f32 {
    let points = dark_points(image);
    if points.len() < 1000 {
        return 0.0;
    }
    let reach = points
        .iter()
        .map(|(x, y)| x.abs() + y.abs())
        .fold(0.0f32, f32::max) as i64
        + 1;
    // The coarse pass needs no more than every fourth point to find the right
    // quarter degree; it looks at 41 angles, the finer ones at 11 each.
    let sparse: Vec<(f32, f32)> = points.iter().step_by(4).copied().collect();
    let mut best = 0.0f32;
    // Coarse to fine: quarter degrees, then twentieths, then hundredths.
    for (span, step, points) in [
        (MAX_SKEW, 0.25, &sparse),
        (0.25, 0.05, &points),
        (0.05, 0.01, &points),
    ] {
        let centre = best;
        let steps = (span / step).round() as i32;
        let mut best_score = 0u64;
        // Nearest the centre first, so that a tie (a straight page scores the
        // same over a few hundredths) keeps the smallest turn.
        for i in (0..=steps).flat_map(|k| [k, -k]) {
            let angle = centre + i as f32 * step;
            let score = profile_score(points, angle, reach);
            if score > best_score {
                best_score = score;
                best = angle;
            }
        }
    }
    best
}

/// Dark pixels of a sample of the image's rows and columns, relative to its centre.
fn dark_points(image: &GrayImage) -> Vec<(f32, f32)> {
    let (w, h) = (image.width(), image.height());
    // At most 1,200 samples along the long side: enough to place a row of codes to a
    // pixel of a 300-dpi scan at a fraction of the work.
    let step = w.max(h).div_ceil(1200).max(1) as usize;
    let sample = |x: u32, y: u32| image.get_pixel(x, y).0[0];
    let (mut sum, mut n) = (0u64, 0u64);
    for y in (0..h).step_by(step * 4) {
        for x in (0..w).step_by(step * 4) {
            sum += u64::from(sample(x, y));
            n += 1;
        }
    }
    // Dark: well below the page's mean, whatever the exposure.
    let threshold = (sum / n.max(1)) as u8 / 10 * 7;
    let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
    let mut points = Vec::new();
    for y in (0..h).step_by(step) {
        for x in (0..w).step_by(step) {
            if sample(x, y) < threshold {
                // In steps, not pixels: rows a step apart must not alias, or the
                // unturned angle wins by leaving every other row empty.
                points.push(((x as f32 - cx) / step as f32, (y as f32 - cy) / step as f32));
            }
        }
    }
    points
}

/// How sharply the points' rows line up when the page is turned back by `angle`:
/// the sum of the squared counts of points per pixel row. No point is more than
/// `reach` from the centre.
fn profile_score(points: &[(f32, f32)], angle: f32, reach: i64) -> u64 {
    let (sin, cos) = angle.to_radians().sin_cos();
    let mut rows = vec![0u32; (2 * reach + 1) as usize];
    for (x, y) in points {
        // Rounded by a cast (the offset keeps it positive): `round()` is a call into
        // libm on plain x86-64, and this runs for every point at every angle.
        let row = (y * cos - x * sin + reach as f32 + 0.5) as i64;
        rows[row as usize] += 1;
    }
    rows.iter().map(|&c| u64::from(c) * u64::from(c)).sum()
}

/// `image` turned by `degrees` clockwise about its centre (bilinear), the same size,
/// white where nothing of it falls.
pub fn rotate(image: &GrayImage, degrees: f32) -> GrayImage {
    let (w, h) = (image.width(), image.height());
    let (sin, cos) = degrees.to_radians().sin_cos();
    let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
    GrayImage::from_fn(w, h, |x, y| {
        // Where the output pixel's centre comes from: turned back by `degrees`.
        let (dx, dy) = (x as f32 + 0.5 - cx, y as f32 + 0.5 - cy);
        let sx = dx * cos + dy * sin + cx;
        let sy = -dx * sin + dy * cos + cy;
        Luma([(bilinear(image, sx, sy) + 0.5) as u8])
    })
}

/// The grey at (x, y) between pixel centres; white outside the image.
pub fn bilinear(image: &GrayImage, x: f32, y: f32) -> f32 {
    let (w, h) = (image.width() as i64, image.height() as i64);
    // A point a degenerate fit put far off the page (or at infinity) reads white, as
    // every pixel beyond the edge does; its integer corner would not fit an i64.
    let on = |v: f32, size: i64| v.is_finite() && v > -1.0 && v < size as f32 + 1.0;
    if !on(x, w) || !on(y, h) {
        return 255.0;
    }
    let (x, y) = (x - 0.5, y - 0.5);
    let (x0, y0) = (floor(x), floor(y));
    let (fx, fy) = (x - x0, y - y0);
    let at = |x: i64, y: i64| {
        if x < 0 || y < 0 || x >= w || y >= h {
            255.0
        } else {
            f32::from(image.get_pixel(x as u32, y as u32).0[0])
        }
    };
    let (x0, y0) = (x0 as i64, y0 as i64);
    let top = at(x0, y0) * (1.0 - fx) + at(x0 + 1, y0) * fx;
    let bottom = at(x0, y0 + 1) * (1.0 - fx) + at(x0 + 1, y0 + 1) * fx;
    top * (1.0 - fy) + bottom * fy
}

/// `v` rounded down, by casts: `f32::floor` is a call into libm on plain x86-64, and
/// a page's every pixel needs two.
fn floor(v: f32) -> f32 {
    let t = v as i64 as f32;
    if t > v { t - 1.0 } else { t }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A page of dark bars, like rows of codes and lines of text.
    fn bars() -> GrayImage {
        GrayImage::from_fn(800, 1100, |x, y| {
            let bar = (100..700).contains(&x) && (y / 40) % 3 == 1 && (100..1000).contains(&y);
            Luma([if bar { 20 } else { 240 }])
        })
    }

    #[test]
    fn a_turned_page_is_measured_and_turned_back() {
        let page = bars();
        assert!(skew_degrees(&page).abs() < 0.02);
        for angle in [1.0f32, -1.3, 3.0, 0.4] {
            let turned = rotate(&page, angle);
            let measured = skew_degrees(&turned);
            assert!((measured - angle).abs() < 0.06, "{angle}: {measured}");
            let back = rotate(&turned, -measured);
            assert!(skew_degrees(&back).abs() < 0.06, "{angle}");
            // A bar's middle is dark again, the gap between bars white.
            assert!(back.get_pixel(400, 180).0[0] < 60, "{angle}");
            assert!(back.get_pixel(400, 220).0[0] > 200, "{angle}");
        }
    }

    #[test]
    fn a_blank_page_has_no_skew() {
        let blank = GrayImage::from_pixel(300, 400, Luma([250]));
        assert_eq!(skew_degrees(&blank), 0.0);
    }
}
