//! The running header and footer of every page.

use super::blocks::{Ctx, SMALL, rule};
use super::fonts::Face;
use super::layout::{Item, MM, RED, RULE, Style, measure, wrap_words};
use super::templates::fill;

/// The header and footer, laid out once: only the page number differs from page to
/// page (a dossier has hundreds).
pub struct Frame {
    /// The items every page has, in the order they are drawn.
    fixed: Vec<Item>,
}

impl Frame {
    /// The grey lines under the running header and above the footer, the client's
    /// name, the confidentiality mark, and the date and fingerprint.
    pub fn new(ctx: &Ctx<'_>, client_name: &str) -> Frame {
        let t = ctx.texts;
        let fonts = ctx.fonts;
        let geo = ctx.geo;
        let mut items = Vec::new();
        let style = SMALL;
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
        right_text(ctx, &mut items, geo.header_y, &t.confidential, conf);
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
        Frame { fixed: items }
    }

    /// The header and footer of page `page` of `pages`.
    pub fn page(&self, ctx: &Ctx<'_>, page: usize, pages: usize) -> Vec<Item> {
        let mut items = Vec::with_capacity(self.fixed.len() + 1);
        items.extend(self.fixed.iter().cloned());
        let page_text = fill(
            &ctx.texts.page_of,
            &[("page", &page.to_string()), ("pages", &pages.to_string())],
        );
        right_text(ctx, &mut items, ctx.geo.footer_y, &page_text, SMALL);
        items
    }
}

/// `text` ending at the right margin.
fn right_text(ctx: &Ctx<'_>, items: &mut Vec<Item>, y: f32, text: &str, style: Style) {
    let w = measure(ctx.fonts, style.face, style.size, text);
    super::layout::push_runs(items, ctx.fonts, ctx.geo.right - w, y, style, text);
}
