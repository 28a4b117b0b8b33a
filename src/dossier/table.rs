//! Tables whose header repeats on every page they run onto, and whose cells may be any
//! length.

use super::blocks::{Ctx, rule};
use super::breaks::{CellLine, Hyphenation, min_width, natural_width, wrap_cell};
use super::fonts::{Face, Fonts};
use super::layout::{BLACK, Flow, Item, LIGHT, MM, RULE, Row, Style};

const CELL: Style = Style::new(Face::Sans, 8.0, BLACK);
const CELL_HEAD: Style = Style::new(Face::Bold, 8.0, BLACK);

pub const PAD: f32 = 1.5 * MM;

/// A table: `columns` are the column titles; every row has one cell per column. Column
/// widths come from the content (see [`widths`]). A row that does not fit on the page
/// moves to the next, under a repeated header; a row taller than a page is split
/// between its lines.
pub fn table(ctx: &Ctx<'_>, flow: &mut Flow, columns: &[&str], rows: &[Vec<String>]) {
    table_marking(ctx, flow, columns, rows, &mut |_, _| {});
}

/// A [`table`] that calls `before_row(i, flow)` just before row `i` is placed, so that
/// an anchor made there lands on the row's page.
pub fn table_marking(
    ctx: &Ctx<'_>,
    flow: &mut Flow,
    columns: &[&str],
    rows: &[Vec<String>],
    before_row: &mut dyn FnMut(usize, &mut Flow),
) {
    let hyph = Hyphenation::for_language(&ctx.texts.language);
    let widths = widths(ctx.fonts, columns, rows, ctx.geo.body_width());
    let header = || {
        let titles: Vec<String> = columns.iter().map(|t| (*t).to_owned()).collect();
        let mut bands = bands(ctx, CELL_HEAD, hyph, &widths, &titles);
        for band in &mut bands {
            band.items.insert(
                0,
                Item::Rect {
                    x: 0.0,
                    y: -band.height,
                    w: ctx.geo.body_width(),
                    h: band.height,
                    fill: Some(LIGHT),
                    stroke: None,
                },
            );
        }
        bands
    };
    let place_header = |flow: &mut Flow| {
        for band in header() {
            flow.row(band);
        }
    };
    let header_h: f32 = header().iter().map(|b| b.height).sum();
    flow.keep(header_h + 3.0 * CELL.leading());
    place_header(flow);
    for (i, row) in rows.iter().enumerate() {
        before_row(i, flow);
        let mut bands = bands(ctx, CELL, hyph, &widths, row);
        if let Some(last) = bands.last_mut() {
            let h = last.height;
            last.items
                .push(rule(0.0, -h, ctx.geo.body_width(), RULE, 0.4));
        }
        let height: f32 = bands.iter().map(|b| b.height).sum();
        if height > flow.remaining() && height + header_h <= flow.geo.body_height() {
            flow.new_page();
            place_header(flow);
        }
        for band in bands {
            if band.height > flow.remaining() + 0.01 {
                flow.new_page();
                place_header(flow);
            }
            flow.row(band);
        }
    }
    flow.space(3.0 * MM);
}

/// A word of prose counts towards its column's least width up to this; past it, it
/// is hyphenated rather than widen the column.
const PROSE_CAP: f32 = 12.0 * MM;

/// Column widths from the content, summing to `total`. Each column gets at least its
/// widest unbreakable token (header words included), so that no address is broken;
/// when those do not fit side by side, the widest are capped (their tokens are then
/// printed smaller). The room left is shared by need. An empty column is as narrow
/// as its title.
fn widths(fonts: &Fonts, columns: &[&str], rows: &[Vec<String>], total: f32) -> Vec<f32> {
    let pad = 2.0 * PAD;
    let n = columns.len();
    let mut least = vec![0.0_f32; n];
    let mut natural = vec![0.0_f32; n];
    for (i, title) in columns.iter().enumerate() {
        least[i] = min_width(fonts, CELL_HEAD, title, f32::MAX);
        natural[i] = least[i];
    }
    for row in rows {
        for (i, cell) in row.iter().take(n).enumerate() {
            least[i] = least[i].max(min_width(fonts, CELL, cell, PROSE_CAP));
            natural[i] = natural[i].max(natural_width(fonts, CELL, cell));
        }
    }
    let least: Vec<f32> = cap(least.iter().map(|w| w + pad).collect(), total);
    let natural: Vec<f32> = natural
        .iter()
        .zip(&least)
        .map(|(w, l)| (w + pad).max(*l))
        .collect();
    let sum_natural: f32 = natural.iter().sum();
    if sum_natural <= total {
        // Everything fits on one line: the room left in proportion.
        return natural
            .iter()
            .map(|w| w + (total - sum_natural) * w / sum_natural)
            .collect();
    }
    share(&least, &natural, total)
}

/// `least` with the widest lowered to a common cap so that they sum to `total` at
/// most.
fn cap(mut least: Vec<f32>, total: f32) -> Vec<f32> {
    if least.iter().sum::<f32>() <= total {
        return least;
    }
    let mut sorted = least.clone();
    sorted.sort_by(f32::total_cmp);
    // The cap: the largest c with sum(min(w, c)) <= total.
    let mut below = 0.0;
    let mut c = total / least.len() as f32;
    for (k, w) in sorted.iter().enumerate() {
        let rest = (sorted.len() - k) as f32;
        let candidate = (total - below) / rest;
        if candidate <= *w {
            c = candidate;
            break;
        }
        below += w;
    }
    for w in &mut least {
        *w = w.min(c);
    }
    least
}

/// Widths between `least` and `natural` summing to `total` (more than `least` sums
/// to, less than `natural` does): the room is shared in proportion to what each
/// column needs to set its longest cell on one line.
fn share(least: &[f32], natural: &[f32], total: f32) -> Vec<f32> {
    let room = total - least.iter().sum::<f32>();
    let need: f32 = natural.iter().zip(least).map(|(n, l)| n - l).sum();
    let scale = if need > 0.0 { room / need } else { 0.0 };
    least
        .iter()
        .zip(natural)
        .map(|(l, n)| l + (n - l) * scale)
        .collect()
}

/// One row of cells as bands: band `i` holds line `i` of every cell.
fn bands(
    ctx: &Ctx<'_>,
    style: Style,
    hyph: Hyphenation,
    widths: &[f32],
    cells: &[String],
) -> Vec<Row> {
    let lines: Vec<Vec<CellLine>> = widths
        .iter()
        .zip(
            cells
                .iter()
                .map(String::as_str)
                .chain(std::iter::repeat("")),
        )
        .map(|(w, cell)| wrap_cell(ctx.fonts, style, hyph, cell, w - 2.0 * PAD))
        .collect();
    let n = lines.iter().map(Vec::len).max().unwrap_or(0).max(1);
    (0..n)
        .map(|i| {
            let last = i + 1 == n;
            let mut band = Row::new(
                style.leading() + if i == 0 { PAD } else { 0.0 } + if last { PAD } else { 0.0 },
            );
            let top = if i == 0 { PAD } else { 0.0 };
            let mut x = 0.0;
            for (w, cell) in widths.iter().zip(&lines) {
                if let Some(line) = cell.get(i) {
                    let style = Style {
                        size: line.size,
                        ..style
                    };
                    band.text(ctx.fonts, x + PAD, top + CELL.size, style, &line.text);
                }
                x += w;
            }
            band
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dossier::layout::measure;

    #[test]
    fn widths_fit_tokens_and_share_the_rest() {
        let fonts = Fonts::get();
        let ip = "192.168.178.200";
        let rows = vec![vec![
            "Büro".to_owned(),
            String::new(),
            ip.to_owned(),
            "Nur Internet, kein Zugriff auf das Büro-LAN (Firewall-Regel 12) ".repeat(4),
        ]];
        let total = 480.0;
        let w = widths(fonts, &["Name", "VLAN", "Gateway", "Notes"], &rows, total);
        assert!((w.iter().sum::<f32>() - total).abs() < 0.1, "{w:?}");
        assert!(w[2] >= measure(fonts, CELL.face, CELL.size, ip) + 2.0 * PAD);
        // The empty column is as narrow as its title; the notes take the rest.
        let vlan = measure(fonts, CELL_HEAD.face, CELL_HEAD.size, "VLAN") + 2.0 * PAD;
        assert!((w[1] - vlan).abs() < 0.1, "{w:?}");
        assert!(w[3] > total / 2.0, "{w:?}");
        // Tokens too wide to sit side by side: capped, still summing to the total.
        let wide = vec![vec!["a@".repeat(60); 4]];
        let w = widths(fonts, &["A", "B", "C", "D"], &wide, total);
        assert!((w.iter().sum::<f32>() - total).abs() < 0.1, "{w:?}");
        assert!(w.iter().all(|x| (x - total / 4.0).abs() < 0.1), "{w:?}");
    }
}
