//! Reading a data code where the page's grid says it stands, without searching for it.
//!
//! A general QR reader (rqrr) must find a code anywhere, at any size: it binarises
//! the whole image, counts the timing pattern's transitions to learn the version and
//! fits a perspective to three finder patterns and one alignment pattern. On a
//! blurred, noisy or JPEG-compressed scan of our version-25 codes each step fails
//! often: a few stray pixels on the timing line give the wrong version, a misplaced
//! alignment pattern skews the far corner, and sampling one binarised pixel a module
//! turns noise into wrong bits. Here the version and the module's size are known, so
//! the three finder patterns are found by matching them at that size near where they
//! must be, every alignment pattern the code has (22) near where the finders put it,
//! and the grid fitted to all of them by least squares. Each module is then read as
//! the mean grey around its centre, against a threshold chosen from all the modules
//! of the code (Otsu); rqrr only corrects and decodes the bits.

use image::GrayImage;

use super::deskew::bilinear;
use super::layout::CODE_MODULES;

/// A point in an image, in pixels (or of a code, in modules).
type Point = (f32, f32);

/// Where a code should stand in an image: its top-left corner (the outer corner of
/// module (0, 0)) and one module's step along a row and down a column, in pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placement {
    pub origin: (f32, f32),
    pub ex: (f32, f32),
    pub ey: (f32, f32),
}

impl Placement {
    /// The image point at module coordinates (u, v).
    pub fn at(&self, u: f32, v: f32) -> (f32, f32) {
        (
            self.origin.0 + u * self.ex.0 + v * self.ey.0,
            self.origin.1 + u * self.ex.1 + v * self.ey.1,
        )
    }

    /// One module's size in pixels.
    pub fn module(&self) -> f32 {
        self.ex.0.hypot(self.ex.1)
    }
}

/// A code read: its text, and where its three finder patterns' centres were found
/// (module coordinates, image point).
#[derive(Debug)]
pub struct Read {
    pub text: String,
    pub finders: [(Point, Point); 3],
}

/// The code expected at `expected`, its top-left finder pattern looked for up to
/// `slack` pixels from where it should be; `None` if it cannot be read.
pub fn read(image: &GrayImage, expected: Placement, slack: f32) -> Option<Read> {
    let m = expected.module();
    let want = expected.at(3.5, 3.5);
    // The best match first; in a wide search a neighbour's finder pattern may
    // match better, and then only its own corners tell.
    let tops = find_all(image, want, slack, m, &FINDER, 3);
    tops.into_iter()
        .find_map(|(top_left, _)| read_from(image, expected, top_left))
}

/// The code expected at `expected` whose top-left finder pattern was found at
/// `top_left`.
fn read_from(image: &GrayImage, expected: Placement, top_left: Point) -> Option<Read> {
    let m = expected.module();
    let want = expected.at(3.5, 3.5);
    let shift = (top_left.0 - want.0, top_left.1 - want.1);
    let corners = |size: usize| other_finders(image, expected, shift, size);
    // A full code is the rule. The last data code of a printing may be smaller:
    // then every size whose corners hold finder patterns, nearest the found
    // corners' distance first, until one decodes.
    if let Some((tr, bl)) = corners(CODE_MODULES)
        && let Some(text) = read_at(image, top_left, tr, bl, CODE_MODULES)
    {
        return Some(text);
    }
    let mut candidates: Vec<(f32, usize, Point, Point)> = (1..25)
        .map(|version| 17 + 4 * version)
        .filter_map(|size| {
            let (tr, bl) = corners(size)?;
            let span = (tr.0 - top_left.0).hypot(tr.1 - top_left.1) / m;
            Some(((span - (size as f32 - 7.0)).abs(), size, tr, bl))
        })
        .collect();
    candidates.sort_by(|a, b| a.0.total_cmp(&b.0));
    candidates
        .into_iter()
        .find_map(|(_, size, tr, bl)| read_at(image, top_left, tr, bl, size))
}

/// The code of `size` modules whose finder patterns' centres are at `top_left`,
/// `top_right` and `bottom_left`, its grid fitted to them and to its alignment
/// patterns.
fn read_at(
    image: &GrayImage,
    top_left: Point,
    top_right: Point,
    bottom_left: Point,
    size: usize,
) -> Option<Read> {
    let affine = affine(top_left, top_right, bottom_left, size);
    let last = size as f32 - 3.5;
    let mut points = vec![
        ((3.5, 3.5), top_left),
        ((last, 3.5), top_right),
        ((3.5, last), bottom_left),
    ];
    let m = affine.module();
    for (u, v) in alignment_centres(size) {
        if let Some((p, _)) = find(image, affine.at(u, v), 1.5 * m, m, &ALIGNMENT_PATTERN) {
            points.push(((u, v), p));
        }
    }
    let grid =
        Homography::fit(&points, 0.7 * m).unwrap_or_else(|| Homography::from_affine(&affine));
    let values = module_values(image, &grid, size);
    // A blurred scan greys a lone module towards its neighbours: if the code does
    // not read as it is, each module is set off against its four neighbours
    // (sharpened), more strongly the second time.
    [0.0, 0.6, 1.2]
        .into_iter()
        .find_map(|strength| {
            let values = if strength > 0.0 {
                sharpened(&values, size, strength)
            } else {
                values.clone()
            };
            decode(&values, size, otsu(&values))
        })
        .map(|text| Read {
            text,
            finders: [points[0], points[1], points[2]],
        })
}

/// `values` of `n`×`n` modules, each moved away from the mean of its four
/// neighbours by `strength` times the difference.
fn sharpened(values: &[f32], n: usize, strength: f32) -> Vec<f32> {
    let at = |x: usize, y: usize| values[y * n + x];
    (0..n * n)
        .map(|i| {
            let (x, y) = (i % n, i / n);
            let v = at(x, y);
            let neighbours = [
                (x > 0).then(|| at(x - 1, y)),
                (x + 1 < n).then(|| at(x + 1, y)),
                (y > 0).then(|| at(x, y - 1)),
                (y + 1 < n).then(|| at(x, y + 1)),
            ];
            let (sum, count) = neighbours
                .iter()
                .flatten()
                .fold((0.0, 0.0), |(s, c), v| (s + v, c + 1.0));
            v + strength * (v - sum / count)
        })
        .collect()
}

/// The top-right and bottom-left finder patterns of a code of `size` modules whose
/// top-left one was found `shift` pixels from where `expected` puts it; `None`
/// unless both are found.
fn other_finders(
    image: &GrayImage,
    expected: Placement,
    shift: (f32, f32),
    size: usize,
) -> Option<((f32, f32), (f32, f32))> {
    let m = expected.module();
    let last = size as f32 - 3.5;
    let near = |u: f32, v: f32| {
        let (x, y) = expected.at(u, v);
        (x + shift.0, y + shift.1)
    };
    // Room for a code turned by about 2° more than the page.
    let reach = 2.0 * m + size as f32 * m / 30.0;
    let (top_right, _) = find(image, near(last, 3.5), reach, m, &FINDER)?;
    let (bottom_left, _) = find(image, near(3.5, last), reach, m, &FINDER)?;
    Some((top_right, bottom_left))
}

/// The mapping the three finder patterns' centres give for a code of `size` modules.
fn affine(
    top_left: (f32, f32),
    top_right: (f32, f32),
    bottom_left: (f32, f32),
    size: usize,
) -> Placement {
    let span = size as f32 - 7.0;
    let ex = (
        (top_right.0 - top_left.0) / span,
        (top_right.1 - top_left.1) / span,
    );
    let ey = (
        (bottom_left.0 - top_left.0) / span,
        (bottom_left.1 - top_left.1) / span,
    );
    Placement {
        origin: (
            top_left.0 - 3.5 * (ex.0 + ey.0),
            top_left.1 - 3.5 * (ex.1 + ey.1),
        ),
        ex,
        ey,
    }
}

/// The centres (module coordinates) of the alignment patterns of a code of `size`
/// modules (ISO/IEC 18004, annex E): a grid of rows and columns, less the three
/// corners the finder patterns take.
fn alignment_centres(size: usize) -> Vec<(f32, f32)> {
    let version = (size.saturating_sub(17)) / 4;
    if version < 2 {
        return Vec::new();
    }
    let count = version / 7 + 2;
    let step = if version == 32 {
        26
    } else {
        (version * 4 + count * 2 + 1) / (count * 2 - 2) * 2
    };
    let mut at: Vec<usize> = (0..count - 1).map(|i| size - 7 - i * step).collect();
    at.push(6);
    let last = size - 7;
    let mut centres = Vec::new();
    for &row in &at {
        for &col in &at {
            let corner = |a: usize| a == 6 || a == last;
            if corner(col) && corner(row) && !(col == last && row == last) {
                continue;
            }
            centres.push((col as f32 + 0.5, row as f32 + 0.5));
        }
    }
    centres
}

/// A square pattern of concentric rings, dark outside: their half-sizes in modules,
/// outermost first.
struct Rings(&'static [f32]);

const FINDER: Rings = Rings(&[3.5, 2.5, 1.5]);
const ALIGNMENT_PATTERN: Rings = Rings(&[2.5, 1.5, 0.5]);

/// The centre of the pattern `rings` nearest in look to a pattern of modules `m`
/// pixels wide, within `reach` pixels of `at`, and how well it matches; `None` if
/// nothing there looks like it.
fn find(image: &GrayImage, at: Point, reach: f32, m: f32, rings: &Rings) -> Option<(Point, f32)> {
    find_all(image, at, reach, m, rings, 1).into_iter().next()
}

/// Whether a pattern could be found within `reach` of `at`: a place a degenerate fit
/// put far off the page (or at infinity) has nothing to find, and its search window's
/// bounds would not fit [`find_all`]'s integers.
fn findable(image: &GrayImage, at: Point, reach: f32) -> bool {
    let near = |v: f32, size: u32| v.is_finite() && v > -reach && v < size as f32 + reach;
    reach.is_finite() && near(at.0, image.width()) && near(at.1, image.height())
}

/// The `most` best matches of [`find`], best first, each a pattern's width from the
/// others.
fn find_all(
    image: &GrayImage,
    at: Point,
    reach: f32,
    m: f32,
    rings: &Rings,
    most: usize,
) -> Vec<(Point, f32)> {
    let outer = rings.0[0] * m;
    if !findable(image, at, reach + outer) {
        return Vec::new();
    }
    let (w, h) = (image.width() as i64, image.height() as i64);
    let x0 = ((at.0 - reach - outer).floor() as i64).max(0);
    let y0 = ((at.1 - reach - outer).floor() as i64).max(0);
    let x1 = ((at.0 + reach + outer).ceil() as i64 + 1).min(w);
    let y1 = ((at.1 + reach + outer).ceil() as i64 + 1).min(h);
    if x1 - x0 < (2.0 * outer) as i64 || y1 - y0 < (2.0 * outer) as i64 {
        return Vec::new();
    }
    let (w, h) = ((x1 - x0) as u32, (y1 - y0) as u32);
    let sums = Sums::new(image, x0 as u32, y0 as u32, w, h);
    // Each ring's square, from a pixel centre: the same whole pixels either side of
    // any centre pixel, so rounded once here rather than at each of thousands.
    let spans: Vec<(i64, i64)> = rings
        .0
        .iter()
        .map(|r| {
            let half = r * m;
            ((0.5 - half).round() as i64, (0.5 + half).round() as i64)
        })
        .collect();
    let score = |cx: i64, cy: i64| rings_score(&sums, cx - x0, cy - y0, &spans);
    let r = reach.ceil() as i64;
    let (ax, ay) = (at.0.round() as i64, at.1.round() as i64);
    // Rings of a pattern differ by much more than noise does.
    let hits: Vec<(f32, i64, i64)> = (ay - r..=ay + r)
        .flat_map(|cy| (ax - r..=ax + r).map(move |cx| (cx, cy)))
        .filter_map(|(cx, cy)| Some((score(cx, cy)?, cx, cy)))
        .filter(|&(s, _, _)| s >= MIN_CONTRAST)
        .collect();
    best_apart(hits, most, 2.0 * outer)
        .into_iter()
        .map(|(s, cx, cy)| {
            let dx = vertex(score(cx - 1, cy), s, score(cx + 1, cy));
            let dy = vertex(score(cx, cy - 1), s, score(cx, cy + 1));
            ((cx as f32 + dx, cy as f32 + dy), s)
        })
        .collect()
}

/// The `most` best of `hits` (score, x, y), each at least `apart` from the better
/// ones: one pattern scores well at several neighbouring pixels.
fn best_apart(mut hits: Vec<(f32, i64, i64)>, most: usize, apart: f32) -> Vec<(f32, i64, i64)> {
    hits.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut best: Vec<(f32, i64, i64)> = Vec::new();
    for hit in hits {
        if best.len() == most {
            break;
        }
        let far = |b: &(f32, i64, i64)| ((hit.1 - b.1) as f32).hypot((hit.2 - b.2) as f32) >= apart;
        if best.iter().all(far) {
            best.push(hit);
        }
    }
    best
}

/// Where between a pixel and its neighbours the best match lies, from the scores
/// `before`, `at` and `after` (the vertex of the parabola through them), within half
/// a pixel.
fn vertex(before: Option<f32>, at: f32, after: Option<f32>) -> f32 {
    let (Some(a), Some(b)) = (before, after) else {
        return 0.0;
    };
    let curve = a - 2.0 * at + b;
    if curve < 0.0 {
        ((a - b) / (2.0 * curve)).clamp(-0.5, 0.5)
    } else {
        0.0
    }
}

/// The least difference in mean grey between a pattern's light ring and its dark
/// ones for a match: a fifth of black against white.
const MIN_CONTRAST: f32 = 50.0;

/// How well a pattern of three rings, whose squares reach `spans` pixels either
/// side of a centre pixel, fits centred at pixel (cx, cy) of `sums`: the light
/// ring's mean grey less the dark rings' (0 to 255); `None` where it does not fit.
fn rings_score(sums: &Sums, cx: i64, cy: i64, spans: &[(i64, i64)]) -> Option<f32> {
    let mut boxes = [(0u64, 0u64); 3];
    for (b, &(lo, hi)) in boxes.iter_mut().zip(spans) {
        *b = sums.square(cx + lo, cy + lo, cx + hi, cy + hi)?;
    }
    let ring = |i: usize| {
        let (sum, n) = boxes[i];
        let (inner_sum, inner_n) = boxes.get(i + 1).copied().unwrap_or((0, 0));
        (sum - inner_sum, n - inner_n)
    };
    let (dark_outer, n_outer) = ring(0);
    let (light, n_light) = ring(1);
    let (dark_inner, n_inner) = ring(2);
    if n_light == 0 || n_outer + n_inner == 0 {
        return None;
    }
    let dark = (dark_outer + dark_inner) as f32 / (n_outer + n_inner) as f32;
    Some(light as f32 / n_light as f32 - dark)
}

/// Sums of a rectangle of an image, for the sum of any square inside it at once.
struct Sums {
    w: usize,
    h: usize,
    /// (w+1)×(h+1): the sum of all pixels above and left of each point, wrapping.
    table: Vec<u32>,
}

impl Sums {
    fn new(image: &GrayImage, x0: u32, y0: u32, w: u32, h: u32) -> Sums {
        let (w, h) = (w as usize, h as usize);
        let stride = w + 1;
        let mut table = vec![0u32; stride * (h + 1)];
        for y in 0..h {
            let mut acc = 0u32;
            for x in 0..w {
                acc = acc.wrapping_add(u32::from(
                    image.get_pixel(x0 + x as u32, y0 + y as u32).0[0],
                ));
                table[(y + 1) * stride + x + 1] = table[y * stride + x + 1].wrapping_add(acc);
            }
        }
        Sums { w, h, table }
    }

    /// The sum and count of the pixels from (x0, y0) up to but not including
    /// (x1, y1); `None` if they do not lie wholly inside.
    fn square(&self, x0: i64, y0: i64, x1: i64, y1: i64) -> Option<(u64, u64)> {
        if x0 < 0 || y0 < 0 || x1 > self.w as i64 || y1 > self.h as i64 || x1 <= x0 || y1 <= y0 {
            return None;
        }
        let stride = self.w + 1;
        let at = |x: i64, y: i64| self.table[y as usize * stride + x as usize];
        // Wrapping: the square's sum fits in u32 though the table's may not.
        let sum = at(x1, y1)
            .wrapping_add(at(x0, y0))
            .wrapping_sub(at(x1, y0))
            .wrapping_sub(at(x0, y1));
        Some((u64::from(sum), ((x1 - x0) * (y1 - y0)) as u64))
    }
}

/// A plane projective map: from a code's module coordinates to image pixels, or from
/// where a page's codes were printed to where a scan shows them.
#[derive(Debug, Clone, Copy)]
pub struct Homography([f64; 8]);

impl Homography {
    pub fn map(&self, u: f32, v: f32) -> (f32, f32) {
        let [a, b, c, d, e, f, g, h] = self.0;
        let (u, v) = (f64::from(u), f64::from(v));
        let z = g * u + h * v + 1.0;
        (
            ((a * u + b * v + c) / z) as f32,
            ((d * u + e * v + f) / z) as f32,
        )
    }

    fn from_affine(p: &Placement) -> Homography {
        let f = |v: f32| f64::from(v);
        Homography([
            f(p.ex.0),
            f(p.ey.0),
            f(p.origin.0),
            f(p.ex.1),
            f(p.ey.1),
            f(p.origin.1),
            0.0,
            0.0,
        ])
    }

    /// The least-squares fit to `points` (from, to), once more without any point
    /// that lies more than `tolerance` away from the first fit.
    pub fn fit(points: &[(Point, Point)], tolerance: f32) -> Option<Homography> {
        let first = Self::solve(points)?;
        let kept: Vec<_> = points
            .iter()
            .copied()
            .filter(|&((u, v), (x, y))| {
                let (px, py) = first.map(u, v);
                (px - x).hypot(py - y) < tolerance
            })
            .collect();
        if kept.len() == points.len() {
            return Some(first);
        }
        Self::solve(&kept)
    }

    /// The affine map through three pairs of points (from, to); `None` if the first
    /// three lie on a line.
    pub fn through_three(points: &[(Point, Point)]) -> Option<Homography> {
        let [(p0, q0), (p1, q1), (p2, q2)] = points.get(..3)?.try_into().ok()?;
        let f = |v: f32| f64::from(v);
        let (d1, d2) = (
            (f(p1.0 - p0.0), f(p1.1 - p0.1)),
            (f(p2.0 - p0.0), f(p2.1 - p0.1)),
        );
        let (e1, e2) = (
            (f(q1.0 - q0.0), f(q1.1 - q0.1)),
            (f(q2.0 - q0.0), f(q2.1 - q0.1)),
        );
        let det = d1.0 * d2.1 - d2.0 * d1.1;
        if det.abs() < 1e-9 {
            return None;
        }
        // A = [e1 e2]·[d1 d2]⁻¹
        let inv = [[d2.1 / det, -d2.0 / det], [-d1.1 / det, d1.0 / det]];
        let a = e1.0 * inv[0][0] + e2.0 * inv[1][0];
        let b = e1.0 * inv[0][1] + e2.0 * inv[1][1];
        let d = e1.1 * inv[0][0] + e2.1 * inv[1][0];
        let e = e1.1 * inv[0][1] + e2.1 * inv[1][1];
        let c = f(q0.0) - a * f(p0.0) - b * f(p0.1);
        let g = f(q0.1) - d * f(p0.0) - e * f(p0.1);
        Some(Homography([a, b, c, d, e, g, 0.0, 0.0]))
    }

    /// Solves the eight unknowns by least squares over `points` (at least four),
    /// in coordinates moved and scaled to about 1 for a well-conditioned system.
    fn solve(points: &[(Point, Point)]) -> Option<Homography> {
        if points.len() < 4 {
            return None;
        }
        let (ou, ov, s) = extent(points.iter().map(|q| q.0));
        let (ox, oy, scale) = extent(points.iter().map(|q| q.1));
        let mut ata = [[0f64; 8]; 8];
        let mut atb = [0f64; 8];
        for &((u, v), (x, y)) in points {
            let (u, v) = ((f64::from(u) - ou) / s, (f64::from(v) - ov) / s);
            let (x, y) = ((f64::from(x) - ox) / scale, (f64::from(y) - oy) / scale);
            let rows = [
                ([u, v, 1.0, 0.0, 0.0, 0.0, -u * x, -v * x], x),
                ([0.0, 0.0, 0.0, u, v, 1.0, -u * y, -v * y], y),
            ];
            for (row, rhs) in rows {
                for i in 0..8 {
                    for j in 0..8 {
                        ata[i][j] += row[i] * row[j];
                    }
                    atb[i] += row[i] * rhs;
                }
            }
        }
        let [a, b, c, d, e, f, g, h] = gauss(ata, atb)?;
        // Back from the moved and scaled coordinates: x = ox + scale·x',
        // u' = (u - ou) / s; then the constant of the denominator made 1 again.
        let row = |a: f64, b: f64, c: f64, o: f64| {
            let (a, b) = ((o * g + scale * a) / s, (o * h + scale * b) / s);
            (a, b, o + scale * c - a * ou - b * ov)
        };
        let (a, b, c) = row(a, b, c, ox);
        let (d, e, f) = row(d, e, f, oy);
        let (g, h) = (g / s, h / s);
        let k = 1.0 - g * ou - h * ov;
        if k.abs() < 1e-12 {
            return None;
        }
        Some(Homography([
            a / k,
            b / k,
            c / k,
            d / k,
            e / k,
            f / k,
            g / k,
            h / k,
        ]))
    }
}

/// The first of `points` and the largest distance along either axis from it to
/// another: to move and scale them to about 1.
fn extent(points: impl Iterator<Item = Point> + Clone) -> (f64, f64, f64) {
    let Some((ox, oy)) = points.clone().next() else {
        return (0.0, 0.0, 1.0);
    };
    let (ox, oy) = (f64::from(ox), f64::from(oy));
    let scale = points
        .map(|(x, y)| (f64::from(x) - ox).abs().max((f64::from(y) - oy).abs()))
        .fold(1e-3, f64::max);
    (ox, oy, scale)
}

/// `a`·x = `b` by Gaussian elimination with partial pivoting; `None` if singular.
fn gauss(mut a: [[f64; 8]; 8], mut b: [f64; 8]) -> Option<[f64; 8]> {
    for col in 0..8 {
        let pivot = (col..8).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() < 1e-12 {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        let pivot_row = a[col];
        for row in col + 1..8 {
            let f = a[row][col] / pivot_row[col];
            for (v, p) in a[row].iter_mut().zip(pivot_row).skip(col) {
                *v -= f * p;
            }
            b[row] -= f * b[col];
        }
    }
    let mut x = [0f64; 8];
    for row in (0..8).rev() {
        let rest: f64 = (row + 1..8).map(|k| a[row][k] * x[k]).sum();
        x[row] = (b[row] - rest) / a[row][row];
    }
    Some(x)
}

/// Each of `n`×`n` modules' mean grey about its centre (a square of half its size, by bilinear
/// samples), row by row.
fn module_values(image: &GrayImage, grid: &Homography, n: usize) -> Vec<f32> {
    let mut values = Vec::with_capacity(n * n);
    for row in 0..n {
        for col in 0..n {
            let mut sum = 0.0;
            for dv in [0.3, 0.5, 0.7] {
                for du in [0.3, 0.5, 0.7] {
                    let (x, y) = grid.map(col as f32 + du, row as f32 + dv);
                    sum += bilinear(image, x, y);
                }
            }
            values.push(sum / 9.0);
        }
    }
    values
}

/// The grey that best splits `values` into two classes (Otsu's method).
fn otsu(values: &[f32]) -> f32 {
    let mut histogram = [0u32; 256];
    for v in values {
        histogram[v.clamp(0.0, 255.0) as usize] += 1;
    }
    let total = values.len() as f64;
    let sum_all: f64 = histogram
        .iter()
        .enumerate()
        .map(|(i, &c)| i as f64 * f64::from(c))
        .sum();
    let (mut weight_dark, mut sum_dark) = (0f64, 0f64);
    let (mut best, mut best_between) = (128.0, -1.0);
    for (i, &c) in histogram.iter().enumerate() {
        weight_dark += f64::from(c);
        sum_dark += i as f64 * f64::from(c);
        let weight_light = total - weight_dark;
        if weight_dark == 0.0 || weight_light == 0.0 {
            continue;
        }
        let mean_dark = sum_dark / weight_dark;
        let mean_light = (sum_all - sum_dark) / weight_light;
        let between = weight_dark * weight_light * (mean_dark - mean_light).powi(2);
        if between > best_between {
            best_between = between;
            best = i as f32 + 1.0;
        }
    }
    best
}

/// The text of the code of `n`×`n` modules with greys `values`, dark below
/// `threshold`.
fn decode(values: &[f32], n: usize, threshold: f32) -> Option<String> {
    let grid = rqrr::SimpleGrid::from_func(n, |x, y| values[y * n + x] < threshold);
    let decoded = std::panic::catch_unwind(|| rqrr::Grid::new(grid).decode());
    decoded.ok()?.ok().map(|(_, text)| text)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A degenerate fit can put a code far off the page or at infinity (found on a
    /// dossier's non-data pages, where it overflowed): nothing is found there and
    /// nothing panics.
    #[test]
    fn places_off_the_page_or_at_infinity_find_nothing() {
        let image = GrayImage::from_pixel(200, 100, image::Luma([0]));
        for at in [
            (f32::INFINITY, 10.0),
            (10.0, f32::NEG_INFINITY),
            (f32::NAN, f32::NAN),
            (1e30, -1e30),
            (-500.0, 50.0),
        ] {
            assert!(
                find_all(&image, at, 20.0, 4.0, &FINDER, 3).is_empty(),
                "{at:?}"
            );
            assert_eq!(bilinear(&image, at.0, at.1), 255.0, "{at:?}");
        }
        assert_eq!(bilinear(&image, 100.0, 50.0), 0.0);
    }

    #[test]
    fn a_homography_fitted_to_a_turned_grid_maps_it() {
        let (sin, cos) = 0.02f32.sin_cos();
        let truth = |u: f32, v: f32| {
            (
                100.0 + 5.0 * (u * cos - v * sin),
                50.0 + 5.0 * (u * sin + v * cos),
            )
        };
        let points: Vec<_> = [
            (3.5, 3.5),
            (113.5, 3.5),
            (3.5, 113.5),
            (110.5, 110.5),
            (58.5, 32.5),
        ]
        .into_iter()
        .map(|(u, v)| ((u, v), truth(u, v)))
        .collect();
        let h = Homography::fit(&points, 1.0).unwrap();
        for (u, v) in [(0.0, 0.0), (117.0, 117.0), (60.0, 20.0)] {
            let (a, b) = (h.map(u, v), truth(u, v));
            assert!(
                (a.0 - b.0).abs() < 0.01 && (a.1 - b.1).abs() < 0.01,
                "{a:?} {b:?}"
            );
        }
    }

    /// A page seen at a slant: a true perspective, in page pixels far from 0, is
    /// fitted from a dozen points and one that is far off (left out).
    #[test]
    fn a_homography_fits_a_slanted_page_and_leaves_out_a_stray_point() {
        let truth = Homography([0.97, 0.02, 40.0, -0.01, 0.95, 60.0, 1e-5, -2e-5]);
        let mut points: Vec<(Point, Point)> = (0..12)
            .map(|i| {
                let p = (
                    400.0 + (i % 3) as f32 * 600.0,
                    700.0 + (i / 3) as f32 * 700.0,
                );
                (p, truth.map(p.0, p.1))
            })
            .collect();
        points[4].1.0 += 30.0;
        let h = Homography::fit(&points, 5.0).unwrap();
        for (u, v) in [(0.0, 0.0), (2480.0, 3508.0), (1000.0, 1500.0)] {
            let (a, b) = (h.map(u, v), truth.map(u, v));
            assert!(
                (a.0 - b.0).abs() < 0.05 && (a.1 - b.1).abs() < 0.05,
                "{a:?} {b:?}"
            );
        }
    }

    #[test]
    fn an_affine_map_goes_through_three_points() {
        let truth = Homography([0.9, 0.1, 30.0, -0.05, 1.1, 70.0, 0.0, 0.0]);
        let points: Vec<(Point, Point)> = [(10.0, 10.0), (500.0, 20.0), (30.0, 700.0)]
            .into_iter()
            .map(|p| (p, truth.map(p.0, p.1)))
            .collect();
        let h = Homography::through_three(&points).unwrap();
        let (a, b) = (h.map(900.0, 1200.0), truth.map(900.0, 1200.0));
        assert!(
            (a.0 - b.0).abs() < 0.01 && (a.1 - b.1).abs() < 0.01,
            "{a:?} {b:?}"
        );
        let line = [points[0], points[0], points[1]];
        assert!(Homography::through_three(&line).is_none());
    }

    #[test]
    fn alignment_patterns_stand_where_the_standard_puts_them() {
        assert!(alignment_centres(21).is_empty());
        assert_eq!(alignment_centres(25), vec![(18.5, 18.5)]);
        // Version 25: rows and columns 6, 32, 58, 84, 110, less three corners.
        let v25 = alignment_centres(117);
        assert_eq!(v25.len(), 22);
        assert!(v25.contains(&(32.5, 6.5)) && v25.contains(&(110.5, 110.5)));
        assert!(!v25.contains(&(6.5, 110.5)));
        // Version 32 is the standard's exception: 6, 34, 60, 86, 112, 138.
        assert!(alignment_centres(145).contains(&(34.5, 60.5)));
        // Version 16: 6, 26, 50, 74.
        assert!(alignment_centres(81).contains(&(26.5, 50.5)));
    }

    #[test]
    fn otsu_splits_two_greys() {
        let values: Vec<f32> = (0..100)
            .map(|i| if i % 3 == 0 { 40.0 } else { 200.0 })
            .collect();
        let t = otsu(&values);
        assert!(t > 40.0 && t <= 200.0, "{t}");
    }
}
