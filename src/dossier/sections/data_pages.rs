//! Data pages: the client's signed bundle as QR codes at the end of the dossier (see
//! `crate::paper`), with what they are and the stock-tool recipe on the first; and
//! the self-test that reads them back before anything is written.

use crate::dossier::blocks::{BODY, Ctx, SMALL, Value};
use crate::dossier::fonts::Face;
use crate::dossier::layout::{Flow, Item, MM, Row, Style, push_runs, wrap_words};
use crate::dossier::templates::fill;
use crate::dossier::{DataPages, qr};
use crate::error::{Error, Result};
use crate::paper::layout::{CODE_MODULES, Grid, HEADING_MM, MODULE_MM, TOP_MM};
use crate::paper::{self, Code, Printing, raster, scan};

/// The resolution of the self-test's pages: the lowest the README asks a scan to have.
const SELF_TEST_DPI: f32 = 200.0;

/// The data pages of `data`, each a page of items, ready for the running header and
/// footer.
pub fn pages(ctx: &Ctx<'_>, data: &DataPages) -> Result<Vec<Vec<Item>>> {
    let (w, h) = (ctx.geo.width / MM, ctx.geo.height / MM);
    let grid = Grid::for_page(w, h);
    let printing_id = paper::printing_id_of(&data.bundle, &data.signature);
    let intro = intro(ctx, data, &printing_id)?;
    let text_bottom = (ctx.geo.height - ctx.geo.bottom - intro.remaining()) / MM;
    let first_rows = (0..grid.rows)
        .filter(|r| grid.cell(r * grid.cols).1 >= text_bottom + 3.0)
        .count();
    let printing = Printing::new(
        &data.bundle,
        &data.signature,
        grid.per_page(),
        first_rows * grid.cols,
    )
    .map_err(Error::Invalid)?;
    let count = printing.header.page_count();
    let mut pages: Vec<Vec<Item>> = Vec::with_capacity(count);
    let mut first = intro.pages.into_iter().next().unwrap_or_default();
    for (n, codes) in paper::pages(
        printing.codes.len(),
        grid.per_page(),
        printing.header.first_page,
    )
    .into_iter()
    .enumerate()
    {
        let mut items = if n == 0 {
            std::mem::take(&mut first)
        } else {
            Vec::new()
        };
        items.extend(heading(ctx, &printing, n + 1, count));
        let skip = if n == 0 {
            grid.per_page() - printing.header.first_page
        } else {
            0
        };
        for (cell, code) in printing.codes[codes].iter().enumerate() {
            items.extend(draw_code(ctx, code, grid.cell(cell + skip))?);
        }
        pages.push(items);
    }
    self_test(ctx, &printing, &grid, data)?;
    Ok(pages)
}

/// The first data page's text: what the pages are, and how to restore from them with
/// handover and with stock tools. Must fit one page, below the heading.
fn intro(ctx: &Ctx<'_>, data: &DataPages, printing_id: &str) -> Result<Flow> {
    let t = ctx.texts;
    let sha256 = paper::sha256_of(&data.bundle, &data.signature);
    let mut flow = Flow::new(ctx.geo);
    // Below the heading every data page carries.
    flow.row(Row::new(HEADING_MM * MM));
    ctx.heading(&mut flow, &t.data_title, 1, None);
    for paragraph in &t.data_intro {
        para(ctx, &mut flow, paragraph);
    }
    flow.block(ctx.field("SHA-256", Value::Code(&sha256)));
    flow.row(Row::new(3.0));
    para(ctx, &mut flow, &t.data_restore);
    command(
        ctx,
        &mut flow,
        "handover restore scan-*.png -o bundle.age\nhandover takeover bundle.age --client-key client-key.txt",
    );
    para(ctx, &mut flow, &t.data_stock);
    command(ctx, &mut flow, &recipe(data, printing_id));
    if flow.pages.len() > 1 {
        return Err(Error::Invalid(
            "the data pages' introduction does not fit one page; shorten the template's data_intro, data_restore or data_stock texts".into(),
        ));
    }
    Ok(flow)
}

/// The stock-tool recipe, exactly as a test runs it: every data code's chunk, in
/// order, base32-decoded, is the bundle followed by its signature.
pub fn recipe(data: &DataPages, printing_id: &str) -> String {
    let (b, s) = (data.bundle.len(), data.signature.len());
    format!(
        "zbarimg --raw -q -Sdisable -Sqrcode.enable scan-*.png \\\n | grep '^HO1:D:{printing_id}:' | sort -u | cut -d: -f7 \\\n | tr -d '\\n' | base32 -d > payload.bin\nhead -c {b} payload.bin > bundle.age\ntail -c +{} payload.bin | head -c {s} > bundle.age.sig\nssh-keygen -Y check-novalidate -n handover-bundle \\\n -s bundle.age.sig < bundle.age\nage -d -i client-key.txt bundle.age | gunzip | jq .",
        b + 1
    )
}

fn para(ctx: &Ctx<'_>, flow: &mut Flow, text: &str) {
    let mut rows = ctx.para(text, BODY, 0.0);
    if let Some(last) = rows.last_mut() {
        last.height += 3.0;
    }
    flow.block(rows);
}

fn command(ctx: &Ctx<'_>, flow: &mut Flow, command: &str) {
    let mut rows = ctx.field("$", Value::Code(command));
    rows.push(Row::new(3.0));
    flow.block(rows);
}

/// The heading every data page carries: its number, the printing, and that it is
/// useless without the client key.
fn heading(ctx: &Ctx<'_>, printing: &Printing, page: usize, pages: usize) -> Vec<Item> {
    let t = ctx.texts;
    let mut items = Vec::new();
    let top = ctx.geo.height - TOP_MM * MM;
    let bold = Style::new(Face::Bold, 10.0, ctx.accent);
    let title = fill(
        &t.data_page_of,
        &[("page", &page.to_string()), ("pages", &pages.to_string())],
    );
    push_runs(
        &mut items,
        ctx.fonts,
        ctx.geo.left,
        top - bold.size,
        bold,
        &title,
    );
    let line = fill(
        &t.data_printing,
        &[
            ("date", &ctx.date),
            ("fingerprint", ctx.fingerprint),
            ("printing", &printing.header.printing),
        ],
    );
    let text = format!("{line} {}", t.data_useless);
    // Two lines at most, clear of the first row of codes.
    let small = Style::new(Face::Sans, 7.5, SMALL.color);
    for (i, l) in wrap_words(ctx.fonts, small, &text, ctx.geo.body_width())
        .iter()
        .take(2)
        .enumerate()
    {
        let y = top - bold.leading() - small.size - i as f32 * small.leading();
        push_runs(&mut items, ctx.fonts, ctx.geo.left, y, small, l);
    }
    items
}

/// A code with its top-left corner at `(x, y)` mm from the page's top-left, and its
/// label under it.
fn draw_code(ctx: &Ctx<'_>, code: &Code, (x, y): (f32, f32)) -> Result<Vec<Item>> {
    let modules = encode(code)?;
    let module = MODULE_MM * MM;
    let size = modules.width as f32 * module;
    let left = x * MM;
    let bottom = ctx.geo.height - y * MM - size;
    let label = Style::new(Face::Mono, 7.5, crate::dossier::layout::BLACK);
    let mut items = vec![Item::Qr {
        x: left,
        y: bottom,
        module,
        width: modules.width,
        rows: modules.packed_rows(),
    }];
    push_runs(
        &mut items,
        ctx.fonts,
        left,
        bottom - 3.6 * MM,
        label,
        &code.label(),
    );
    Ok(items)
}

fn encode(code: &Code) -> Result<qr::Modules> {
    qr::encode(code.text().as_bytes())
        .filter(|m| m.width <= CODE_MODULES)
        .ok_or_else(|| {
            Error::Invalid(format!(
                "internal error: data code {} does not fit a version-25 QR code; please report it",
                code.label()
            ))
        })
}

/// Draws every data page as a 200-dpi scan would see it, reads it back with the
/// decoder `handover restore` uses, and refuses the dossier unless the bundle comes
/// back byte for byte (parity included).
fn self_test(ctx: &Ctx<'_>, printing: &Printing, grid: &Grid, data: &DataPages) -> Result<()> {
    let header = &printing.header;
    let mut found = paper::Found::new();
    for (n, range) in paper::pages(printing.codes.len(), header.per_page, header.first_page)
        .into_iter()
        .enumerate()
    {
        let skip = if n == 0 {
            grid.per_page() - header.first_page
        } else {
            0
        };
        let image = scanned(ctx, &printing.codes[range], grid, skip)?;
        for text in scan::decode_page(&image).texts {
            if let Some(code) = Code::parse(&text).filter(|c| &c.header == header) {
                found.insert((code.kind, code.index), code.chunk);
            }
        }
    }
    match paper::assemble(header, &found) {
        // A code rqrr misses in a clean raster (rare: about one in a few hundred)
        // is still made up by parity, as it would be from a scan.
        Ok(back) if back.bundle == data.bundle && back.signature == data.signature => Ok(()),
        _ => {
            let missing: Vec<String> = printing
                .codes
                .iter()
                .filter(|c| !found.contains_key(&(c.kind, c.index)))
                .map(Code::label)
                .collect();
            let missing = match missing.is_empty() {
                true => "none, but the bundle differs".to_owned(),
                false => missing.join(", "),
            };
            Err(Error::Invalid(format!(
                "internal error: the data pages did not read back in the self-test (unread: {missing}); no dossier was written; please report it"
            )))
        }
    }
}

/// One data page's `codes` (from grid cell `skip` on) as a scanner would deliver it.
fn scanned(ctx: &Ctx<'_>, codes: &[Code], grid: &Grid, skip: usize) -> Result<image::GrayImage> {
    let encoded = codes.iter().map(encode).collect::<Result<Vec<_>>>()?;
    let darks: Vec<_> = encoded
        .iter()
        .map(|m| move |c: usize, r: usize| m.get(c, r))
        .collect();
    let placed: Vec<raster::Placed<'_>> = encoded
        .iter()
        .zip(&darks)
        .enumerate()
        .map(|(i, (m, dark))| {
            let (x, y) = grid.cell(i + skip);
            raster::Placed {
                x,
                y,
                module: MODULE_MM,
                width: m.width,
                dark,
            }
        })
        .collect();
    let (w, h) = (ctx.geo.width / MM, ctx.geo.height / MM);
    Ok(raster::page(w, h, SELF_TEST_DPI, &placed))
}
