//! Markdown documents (CommonMark, parsed by pulldown-cmark) as the dossier prints them.

use pulldown_cmark::{Event, Options as MdOptions, Parser, Tag, TagEnd};

use super::blocks::{BODY, Ctx, LABEL, rule};
use super::fonts::Face;
use super::layout::{
    BLACK, Flow, Item, LIGHT, MM, RULE, Row, Span, Style, measure, wrap_chars, wrap_rich,
};
use super::table::{PAD, table};

const CODE: Style = Style::new(Face::Mono, 8.5, BLACK);

/// Lists nest visibly up to this depth; deeper items are indented no further, so that
/// a hostile document cannot push text off the page.
const MAX_INDENT_LEVELS: usize = 6;

/// Renders a Markdown document: headings, paragraphs, bullet and numbered lists,
/// tables, code blocks in the mono face, block quotes; strong text in the bold face,
/// emphasis slanted, inline code in the mono face, strikethrough struck; links as
/// their text followed by the address, raw HTML as the text it is.
pub fn markdown(ctx: &Ctx<'_>, flow: &mut Flow, source: &str) {
    markdown_beside(ctx, flow, source, 0.0, None);
}

/// Markdown set from `indent` on, with `label` beside its first line (a decision's
/// "Why" in the label column, its reasons in the value column).
pub fn markdown_beside(
    ctx: &Ctx<'_>,
    flow: &mut Flow,
    source: &str,
    indent: f32,
    label: Option<&str>,
) {
    let mut md = Markdown {
        base_indent: indent,
        label: label.map(str::to_owned),
        ..Markdown::default()
    };
    let parser = Parser::new_ext(
        source,
        MdOptions::ENABLE_TABLES | MdOptions::ENABLE_STRIKETHROUGH,
    );
    for event in parser {
        md.event(ctx, flow, event);
    }
    md.flush(ctx, flow);
}

#[derive(Default)]
struct Markdown {
    /// The paragraph (or heading, or table cell) being collected, in styled pieces.
    spans: Vec<Span>,
    strong: usize,
    emphasis: usize,
    strike: usize,
    /// Open lists: the next number of a numbered one, `None` for bullets.
    lists: Vec<Option<u64>>,
    /// The prefix of the list item whose first paragraph is being collected.
    item: Option<String>,
    heading: Option<u8>,
    code: Option<String>,
    links: Vec<String>,
    table: Option<Vec<Vec<String>>>,
    quote: usize,
    /// Where the document's left edge is (0 for a document of its own; the value
    /// column for a decision's reasons).
    base_indent: f32,
    /// A label printed beside the first line placed (a decision's "Why").
    label: Option<String>,
}

impl Markdown {
    fn indent(&self) -> f32 {
        self.base_indent
            + (self.lists.len().min(MAX_INDENT_LEVELS) as f32) * 5.0 * MM
            + self.quote.min(3) as f32 * 4.0 * MM
    }

    /// The collected text without its styles (for headings and table cells).
    fn take_text(&mut self) -> String {
        self.spans.drain(..).map(|s| s.text).collect()
    }

    fn push(&mut self, text: &str, code: bool) {
        let mut style = BODY;
        if code {
            style.face = Face::Mono;
            style.size = CODE.size;
        } else if self.strong > 0 {
            style.face = Face::Bold;
        }
        style.oblique = self.emphasis > 0;
        self.spans.push(Span {
            style,
            strike: self.strike > 0,
            text: text.to_owned(),
        });
    }

    /// A label not yet printed goes on a line of its own before a block that cannot
    /// carry it (a table, a code block, a heading).
    fn label_alone(&mut self, ctx: &Ctx<'_>, flow: &mut Flow) {
        if let Some(label) = self.label.take() {
            let mut row = Row::new(BODY.leading());
            row.text(ctx.fonts, 0.0, BODY.size, LABEL, &label);
            flow.row(row);
        }
    }

    fn event(&mut self, ctx: &Ctx<'_>, flow: &mut Flow, event: Event<'_>) {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                self.flush(ctx, flow);
                self.heading = Some(level as u8);
            }
            Event::End(TagEnd::Heading(_)) => {
                let level = self.heading.take().unwrap_or(3);
                self.label_alone(ctx, flow);
                let text = self.take_text();
                ctx.heading(flow, text.trim(), if level <= 2 { 3 } else { 4 }, None);
            }
            Event::Start(Tag::Paragraph) => {}
            Event::End(TagEnd::Paragraph) => self.flush(ctx, flow),
            Event::Start(Tag::List(start)) => {
                self.flush(ctx, flow);
                self.lists.push(start);
            }
            Event::End(TagEnd::List(_)) => {
                self.flush(ctx, flow);
                self.lists.pop();
            }
            Event::Start(Tag::Item) => {
                self.flush(ctx, flow);
                let prefix = match self.lists.last_mut() {
                    Some(Some(n)) => {
                        let p = format!("{n}.");
                        *n += 1;
                        p
                    }
                    _ => "•".to_owned(),
                };
                self.item = Some(prefix);
            }
            Event::End(TagEnd::Item) => self.flush(ctx, flow),
            Event::Start(Tag::BlockQuote(_)) => {
                self.flush(ctx, flow);
                self.quote += 1;
            }
            Event::End(TagEnd::BlockQuote(_)) => {
                self.flush(ctx, flow);
                self.quote = self.quote.saturating_sub(1);
            }
            Event::Start(Tag::CodeBlock(_)) => {
                self.flush(ctx, flow);
                self.code = Some(String::new());
            }
            Event::End(TagEnd::CodeBlock) => {
                self.label_alone(ctx, flow);
                if let Some(code) = self.code.take() {
                    code_block(ctx, flow, code.trim_end_matches('\n'), self.indent());
                }
            }
            Event::Start(Tag::Table(_)) => {
                self.flush(ctx, flow);
                self.table = Some(Vec::new());
            }
            Event::Start(Tag::TableHead) | Event::Start(Tag::TableRow) => {
                if let Some(t) = &mut self.table {
                    t.push(Vec::new());
                }
            }
            Event::End(TagEnd::TableCell) => {
                let cell = self.take_text();
                if let Some(row) = self.table.as_mut().and_then(|t| t.last_mut()) {
                    row.push(cell.trim().to_owned());
                }
            }
            Event::End(TagEnd::Table) => {
                self.label_alone(ctx, flow);
                if let Some(mut rows) = self.table.take()
                    && !rows.is_empty()
                {
                    let head = rows.remove(0);
                    let cols: Vec<&str> = head.iter().map(String::as_str).collect();
                    if !cols.is_empty() {
                        table(ctx, flow, &cols, &rows);
                    }
                }
            }
            Event::Start(Tag::Link { dest_url, .. }) => self.links.push(dest_url.into_string()),
            Event::End(TagEnd::Link) => {
                if let Some(url) = self.links.pop()
                    && !url.is_empty()
                    && !self
                        .spans
                        .last()
                        .is_some_and(|s| s.text.ends_with(url.as_str()))
                {
                    let (strong, emphasis) = (self.strong, self.emphasis);
                    (self.strong, self.emphasis) = (0, 0);
                    self.push(&format!(" ({url})"), false);
                    (self.strong, self.emphasis) = (strong, emphasis);
                }
            }
            Event::Start(Tag::Strong) => self.strong += 1,
            Event::End(TagEnd::Strong) => self.strong = self.strong.saturating_sub(1),
            Event::Start(Tag::Emphasis) => self.emphasis += 1,
            Event::End(TagEnd::Emphasis) => self.emphasis = self.emphasis.saturating_sub(1),
            Event::Start(Tag::Strikethrough) => self.strike += 1,
            Event::End(TagEnd::Strikethrough) => self.strike = self.strike.saturating_sub(1),
            Event::Code(t) => match &mut self.code {
                Some(code) => code.push_str(&t),
                None => self.push(&t, true),
            },
            Event::Text(t) | Event::Html(t) | Event::InlineHtml(t) => match &mut self.code {
                Some(code) => code.push_str(&t),
                None => self.push(&t, false),
            },
            Event::SoftBreak => self.push(" ", false),
            Event::HardBreak => self.push("\n", false),
            Event::Rule => {
                self.flush(ctx, flow);
                let mut row = Row::new(6.0);
                row.items
                    .push(rule(0.0, -3.0, ctx.geo.body_width(), RULE, 0.5));
                flow.row(row);
            }
            Event::TaskListMarker(done) => self.push(if done { "[x] " } else { "[ ] " }, false),
            _ => {}
        }
    }

    /// Places the collected text as a paragraph (or list item), in its styles.
    fn flush(&mut self, ctx: &Ctx<'_>, flow: &mut Flow) {
        let spans = trim_spans(std::mem::take(&mut self.spans));
        let item = self.item.take();
        if spans.is_empty() && item.is_none() {
            return;
        }
        let indent = self.indent();
        let width = ctx.geo.body_width() - indent;
        let label = self.label.take();
        let mut rows = Vec::new();
        for (i, line) in wrap_rich(ctx.fonts, &spans, width).iter().enumerate() {
            let mut row = Row::new(BODY.leading());
            if i == 0 {
                if let Some(prefix) = &item {
                    let w = measure(ctx.fonts, BODY.face, BODY.size, prefix);
                    row.text(ctx.fonts, indent - w - 1.5 * MM, BODY.size, BODY, prefix);
                }
                if let Some(label) = &label {
                    row.text(ctx.fonts, 0.0, BODY.size, LABEL, label);
                }
            }
            let mut x = indent;
            for piece in line {
                let w = measure(ctx.fonts, piece.style.face, piece.style.size, &piece.text);
                row.text(ctx.fonts, x, BODY.size, piece.style, &piece.text);
                if piece.strike {
                    let y = -BODY.size + piece.style.size * 0.3;
                    row.items.push(Item::Line {
                        points: vec![(x, y), (x + w, y)],
                        width: 0.5,
                        color: piece.style.color,
                    });
                }
                x += w;
            }
            rows.push(row);
        }
        if let Some(last) = rows.last_mut() {
            last.height += 2.0;
        }
        flow.block(rows);
    }
}

/// Leading and trailing white space of a paragraph removed, across its pieces.
fn trim_spans(mut spans: Vec<Span>) -> Vec<Span> {
    while let Some(first) = spans.first_mut() {
        let trimmed = first.text.trim_start();
        if trimmed.is_empty() {
            spans.remove(0);
        } else {
            first.text = trimmed.to_owned();
            break;
        }
    }
    while let Some(last) = spans.last_mut() {
        let trimmed = last.text.trim_end();
        if trimmed.is_empty() {
            spans.pop();
        } else {
            last.text.truncate(trimmed.len());
            break;
        }
    }
    spans
}

/// Code in the mono face on a grey ground, each source line kept as a line (wrapped
/// between characters only where it is wider than the page).
fn code_block(ctx: &Ctx<'_>, flow: &mut Flow, code: &str, indent: f32) {
    let width = ctx.geo.body_width() - indent - 2.0 * PAD;
    let mut rows = Vec::new();
    for source_line in code.split('\n') {
        let pieces = wrap_chars(ctx.fonts, CODE, source_line, width);
        for piece in pieces.iter() {
            let mut row = Row::new(CODE.leading());
            row.items.push(Item::Rect {
                x: indent,
                y: -CODE.leading(),
                w: ctx.geo.body_width() - indent,
                h: CODE.leading(),
                fill: Some(LIGHT),
                stroke: None,
            });
            row.text(ctx.fonts, indent + PAD, CODE.size, CODE, piece);
            rows.push(row);
        }
    }
    if let Some(last) = rows.last_mut() {
        last.height += 3.0;
    }
    flow.block(rows);
}
