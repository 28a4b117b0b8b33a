//! The table of contents.

use super::blocks::{BODY, Ctx};
use super::fonts::Face;
use super::layout::{BLACK, Flow, Item, MM, RULE, Row, Style, measure, wrap_words};
use super::sections;

/// The contents: the front matter's parts (`front`: title, level, printed page), then
/// the body's `items` at `pages` (placeholders while those are not known).
pub fn toc(
    ctx: &Ctx<'_>,
    flow: &mut Flow,
    front: &[(String, u8, usize)],
    items: &[(String, u8)],
    pages: &[usize],
) {
    let title = format!("{} {}", sections::FRONT_PARTS, ctx.texts.toc_title);
    ctx.heading(flow, &title, 1, None);
    for (title, level, page) in front {
        let indent = if *level == 1 { 0.0 } else { 8.0 * MM };
        flow.block(toc_line(ctx, title, *page, indent, *level == 1));
    }
    for (i, (title, level)) in items.iter().enumerate() {
        let page = pages.get(i).copied().unwrap_or(888);
        let indent = if *level == 1 { 0.0 } else { 8.0 * MM };
        flow.block(toc_line(ctx, title, page, indent, *level == 1));
    }
}

/// A table-of-contents entry: the title (wrapped if long), dotted leaders and the page.
/// The title wraps at a width that does not depend on the page number, so that the
/// contents take the same room before and after the page numbers are known.
pub fn toc_line(ctx: &Ctx<'_>, title: &str, page: usize, indent: f32, bold: bool) -> Vec<Row> {
    let style = if bold {
        Style::new(Face::Bold, 10.0, BLACK)
    } else {
        BODY
    };
    let num = page.to_string();
    let num_w = measure(ctx.fonts, style.face, style.size, &num);
    let widest_num = measure(ctx.fonts, style.face, style.size, "8888");
    let max_title = ctx.geo.body_width() - indent - widest_num - 12.0 * MM;
    let lines = wrap_words(ctx.fonts, style, title, max_title);
    let last = lines.len().saturating_sub(1);
    let mut rows = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let mut row = Row::new(style.leading() + if i == last { 1.0 } else { 0.0 });
        row.text(ctx.fonts, indent, style.size, style, line);
        if i == last {
            let title_w = measure(ctx.fonts, style.face, style.size, line);
            let start = indent + title_w + 2.0 * MM;
            let end = ctx.geo.body_width() - num_w - 2.0 * MM;
            if end > start {
                row.items.push(Item::Line {
                    points: vec![(start, -style.size), (end, -style.size)],
                    width: 0.3,
                    color: RULE,
                });
            }
            row.text(
                ctx.fonts,
                ctx.geo.body_width() - num_w,
                style.size,
                style,
                &num,
            );
        }
        rows.push(row);
    }
    rows
}
