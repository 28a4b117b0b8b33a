//! The running header and footer of every page.

use super::blocks::{Ctx, SMALL, rule};
use super::fonts::Face;
use super::layout::{Item, MM, RED, RULE, Style, measure, wrap_words};
use super::templates::fill;

/// The grey line under the running header and the texts of header and footer.
pub fn header_footer(ctx: &Ctx<'_>, client_name: &str, page: usize, pages: usize) -> Vec<Item> {
    let t = ctx.texts;
    let fonts = ctx.fonts;
    let geo = ctx.geo;
    let mut items = Vec::new();
    let style = SMALL;
    let right_text = |items: &mut Vec<Item>, y: f32, text: &str, style: Style| {
        let w = measure(fonts, style.face, style.size, text);
        super::layout::push_runs(items, fonts, geo.right - w, y, style, text);
    };
    // The client's name may be long: it gets what the confidentiality mark leaves.
    let conf = Style::new(Face::Bold, 8.5, RED);
    let conf_w = measure(fonts, conf.face, conf.size, &t.confidential);
    let name = wrap_words(
        fonts,
        style,
        client_name,
        geo.body_width() - conf_w - 8.0 * MM,
    )
    .into_iter()
    .next()
    .unwrap_or_default();
    super::layout::push_runs(&mut items, fonts, geo.left, geo.header_y, style, &name);
    right_text(&mut items, geo.header_y, &t.confidential, conf);
    items.push(rule(
        geo.left,
        geo.header_y - 3.0,
        geo.body_width(),
        RULE,
        0.4,
    ));
    items.push(rule(
        geo.left,
        geo.footer_y + 9.0,
        geo.body_width(),
        RULE,
        0.4,
    ));
    let left = format!(
        "{} {} · {} {}",
        t.as_of, ctx.date, t.fingerprint, ctx.fingerprint
    );
    super::layout::push_runs(&mut items, fonts, geo.left, geo.footer_y, style, &left);
    let page_text = fill(
        &t.page_of,
        &[("page", &page.to_string()), ("pages", &pages.to_string())],
    );
    right_text(&mut items, geo.footer_y, &page_text, style);
    items
}
