//! Tables whose header repeats on every page they run onto, and whose cells may be any
//! length.

use super::blocks::{Ctx, rule};
use super::fonts::Face;
use super::layout::{BLACK, Flow, Item, LIGHT, MM, RULE, Row, Style, wrap_words};

const CELL: Style = Style::new(Face::Sans, 8.0, BLACK);
const CELL_HEAD: Style = Style::new(Face::Bold, 8.0, BLACK);

pub const PAD: f32 = 1.5 * MM;

/// A table: `columns` are (title, share of the body width); every row has one cell per
/// column. A row that does not fit on the page moves to the next, under a repeated
/// header; a row taller than a page is split between its lines.
pub fn table(ctx: &Ctx<'_>, flow: &mut Flow, columns: &[(&str, f32)], rows: &[Vec<String>]) {
    table_marking(ctx, flow, columns, rows, &mut |_, _| {});
}

/// A [`table`] that calls `before_row(i, flow)` just before row `i` is placed, so that
/// an anchor made there lands on the row's page.
pub fn table_marking(
    ctx: &Ctx<'_>,
    flow: &mut Flow,
    columns: &[(&str, f32)],
    rows: &[Vec<String>],
    before_row: &mut dyn FnMut(usize, &mut Flow),
) {
    let total: f32 = columns.iter().map(|(_, w)| w).sum();
    let widths: Vec<f32> = columns
        .iter()
        .map(|(_, w)| w / total * ctx.geo.body_width())
        .collect();
    let header = || {
        let titles: Vec<String> = columns.iter().map(|(t, _)| (*t).to_owned()).collect();
        let mut bands = bands(ctx, CELL_HEAD, &widths, &titles);
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
        let mut bands = bands(ctx, CELL, &widths, row);
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

/// One row of cells as bands: band `i` holds line `i` of every cell.
fn bands(ctx: &Ctx<'_>, style: Style, widths: &[f32], cells: &[String]) -> Vec<Row> {
    let lines: Vec<Vec<String>> = widths
        .iter()
        .zip(
            cells
                .iter()
                .map(String::as_str)
                .chain(std::iter::repeat("")),
        )
        .map(|(w, cell)| wrap_words(ctx.fonts, style, cell, w - 2.0 * PAD))
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
                    band.text(ctx.fonts, x + PAD, top + style.size, style, line);
                }
                x += w;
            }
            band
        })
        .collect()
}
