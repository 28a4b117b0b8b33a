//! The index at the end of the dossier (Stichwortverzeichnis): every entry, system,
//! vendor, document, tag and kind of entry, alphabetically, with the pages where they
//! are printed — so that a client looking for "WLAN" or "Drucker" years later finds it
//! without knowing how the provider grouped things.
//!
//! Two columns per page, filled top to bottom; a term whose pages do not fit on its
//! line continues, indented, on the next.

use std::collections::{BTreeMap, BTreeSet};

use super::at_a_glance::FREQUENT_TAGS;
use super::{Refs, Section, Start};
use crate::dossier::blocks::{BODY, Ctx};
use crate::dossier::fonts::Face;
use crate::dossier::layout::{BLACK, Flow, Item, MM, RULE, Row, Style, measure, wrap_words};
use crate::dossier::templates::Texts;
use crate::model::Client;

const TERM: Style = Style::new(Face::Sans, 8.5, BLACK);
const LETTER: Style = Style::new(Face::Bold, 10.0, BLACK);
const GUTTER: f32 = 8.0 * MM;

/// Terms and the printed pages they appear on. Terms that read the same (an entry
/// and the system it logs into, both "NAS") share one line.
#[derive(Default)]
pub struct Index {
    terms: BTreeMap<String, (String, BTreeSet<usize>)>,
}

impl Index {
    pub fn add(&mut self, term: &str, page: usize) {
        let mut joined = String::with_capacity(term.len());
        for word in term.split_whitespace() {
            if !joined.is_empty() {
                joined.push(' ');
            }
            joined.push_str(word);
        }
        let term = joined;
        if term.is_empty() {
            return;
        }
        let key = sort_key(&term);
        self.terms
            .entry(key)
            .or_insert_with(|| (term, BTreeSet::new()))
            .1
            .insert(page);
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Lays the index out in two columns from where the flow stands. Consumed: each
    /// term is let go as its lines are made (at 50,000 entries the terms and their
    /// lines together were a dossier's peak memory).
    pub fn lay_out(self, ctx: &Ctx<'_>, flow: &mut Flow) {
        let column = (ctx.geo.body_width() - GUTTER) / 2.0;
        let lines = self.lines(ctx, column);
        let mut rest = &lines[..];
        while !rest.is_empty() {
            let fits = (flow.remaining() / TERM.leading()).floor().max(0.0) as usize;
            if fits < 3 && !flow.at_page_top() {
                flow.new_page();
                continue;
            }
            let fits = fits.max(1);
            let (left, after) = rest.split_at(column_len(rest, fits));
            let (right, after) = after.split_at(column_len(after, fits));
            rest = after;
            // One row per page: the left column first, then the right, so that text
            // extraction reads each column top to bottom.
            let mut row = Row::new(TERM.leading() * left.len() as f32);
            for (x, lines) in [(0.0, left), (column + GUTTER, right)] {
                for (i, line) in lines.iter().enumerate() {
                    let baseline = TERM.leading() * i as f32 + TERM.size;
                    line.place(ctx, &mut row, x, baseline, column);
                }
            }
            flow.row(row);
            if !rest.is_empty() {
                flow.new_page();
            }
        }
    }

    /// Every printed line: a letter heading where the initial changes, each term with
    /// its pages after a dotted leader, and continuation lines for long page lists.
    fn lines(self, ctx: &Ctx<'_>, column: f32) -> Vec<Line> {
        let mut lines = Vec::new();
        let mut letter = None;
        for (key, (term, pages)) in self.terms {
            let initial = initial(&key);
            drop(key);
            if letter != Some(initial) {
                if letter.is_some() {
                    lines.push(Line::Blank);
                }
                lines.push(Line::Letter(initial.to_string()));
                letter = Some(initial);
            }
            let pages = pages
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            let pages_w = measure(ctx.fonts, TERM.face, TERM.size, &pages);
            let term_room = column - 2.0 * MM;
            // The term, wrapped; the pages follow on its last line when they fit, or
            // on lines of their own, indented, when they do not.
            let term_lines = wrap_words(ctx.fonts, TERM, &term, term_room);
            drop(term);
            let last = term_lines.len().saturating_sub(1);
            let last_w = term_lines
                .last()
                .map_or(0.0, |l| measure(ctx.fonts, TERM.face, TERM.size, l));
            let together = last_w + 4.0 * MM + pages_w <= column;
            for (i, l) in term_lines.into_iter().enumerate() {
                lines.push(Line::Term {
                    text: l,
                    indent: if i == 0 { 0.0 } else { 3.0 * MM },
                    pages: (i == last && together).then(|| pages.clone()),
                });
            }
            if !together {
                for l in wrap_words(ctx.fonts, TERM, &pages, column - 6.0 * MM) {
                    lines.push(Line::Term {
                        text: String::new(),
                        indent: 0.0,
                        pages: Some(l),
                    });
                }
            }
        }
        lines
    }
}

/// How many of `lines` go into a column with room for `fits`: a letter heading (or a
/// blank before one) never ends a column; it moves to the next with its first term.
fn column_len(lines: &[Line], fits: usize) -> usize {
    let mut n = fits.min(lines.len());
    if n == lines.len() {
        return n;
    }
    while n > 1 && matches!(lines[n - 1], Line::Letter(_) | Line::Blank) {
        n -= 1;
    }
    n
}

enum Line {
    Letter(String),
    Term {
        text: String,
        indent: f32,
        pages: Option<String>,
    },
    Blank,
}

impl Line {
    /// Sets the line with its baseline `baseline` below the row's top.
    fn place(&self, ctx: &Ctx<'_>, row: &mut Row, x: f32, baseline: f32, column: f32) {
        match self {
            Line::Letter(l) => row.text(ctx.fonts, x, baseline, LETTER, l),
            Line::Term {
                text,
                indent,
                pages,
            } => {
                row.text(ctx.fonts, x + indent, baseline, TERM, text);
                if let Some(pages) = pages {
                    let pages_w = measure(ctx.fonts, TERM.face, TERM.size, pages);
                    let text_w = measure(ctx.fonts, TERM.face, TERM.size, text);
                    let start = x + indent + text_w + 1.5 * MM;
                    let end = x + column - pages_w - 1.5 * MM;
                    if end > start && !text.is_empty() {
                        row.items.push(Item::Line {
                            points: vec![(start, -baseline), (end, -baseline)],
                            width: 0.3,
                            color: RULE,
                        });
                    }
                    row.text(ctx.fonts, x + column - pages_w, baseline, TERM, pages);
                }
            }
            Line::Blank => {}
        }
    }
}

/// Orders terms as a German reader expects: case does not matter (a tag "drucker" and
/// the kind "Drucker" are one term), ä sorts with a, ß with ss; spellings that differ
/// beyond case (Straße, Strasse) stay apart.
fn sort_key(term: &str) -> String {
    if term.is_ascii() {
        // Nothing to fold: the lower-cased term, twice (most paths and titles).
        let lower = term.to_ascii_lowercase();
        let mut key = String::with_capacity(2 * lower.len() + 1);
        key.push_str(&lower);
        key.push('\u{0}');
        key.push_str(&lower);
        return key;
    }
    // Lower-cased once, character by character (ASCII ones without the Unicode
    // tables); folded from that.
    let mut lower = String::with_capacity(term.len() + 8);
    for c in term.chars() {
        if c.is_ascii() {
            lower.push(c.to_ascii_lowercase());
        } else {
            lower.extend(c.to_lowercase());
        }
    }
    let mut key = String::with_capacity(2 * lower.len() + 8);
    for c in lower.chars() {
        match c {
            'ä' | 'à' | 'á' | 'â' | 'å' => key.push('a'),
            'ö' | 'ò' | 'ó' | 'ô' => key.push('o'),
            'ü' | 'ù' | 'ú' | 'û' => key.push('u'),
            'é' | 'è' | 'ê' | 'ë' => key.push('e'),
            'ß' => key.push_str("ss"),
            c => key.push(c),
        }
    }
    key.push('\u{0}');
    key.push_str(&lower);
    key
}

/// The letter a term is filed under: its first letter, folded; digits and signs under
/// "#".
fn initial(key: &str) -> char {
    match key.chars().next() {
        Some(c) if c.is_alphabetic() => c.to_uppercase().next().unwrap_or(c),
        _ => '#',
    }
}

/// The index: entries, systems, networks, vendors, documents, decisions, tags and
/// kinds, each with the pages where they are printed. Only the emergency sheet comes
/// after it, so every page it names is known when it is laid out.
pub fn section<'a>(t: &Texts, client: &'a Client, refs: &'a Refs) -> Section<'a> {
    Section::new(
        &t.index_title,
        Start::NewPageIfLow,
        move |ctx, flow, _, _| {
            let t = ctx.texts;
            let page = |anchor: Option<usize>| {
                anchor.map(|a| flow.anchor_page(a) + refs.page_offset.get())
            };
            let mut index = Index::default();
            let entries = refs.entries.borrow();
            let items = refs.items.borrow();
            add_entries(&mut index, t, client, &|id| page(entries.get(&id).copied()));
            let named = (client.systems.iter().map(|s| (s.id, s.name.as_str())))
                .chain(client.networks.iter().map(|n| (n.id, n.name.as_str())))
                .chain(client.vendors.iter().map(|v| (v.id, v.name.as_str())))
                .chain(client.documents.iter().map(|d| (d.id, d.display_title())))
                .chain(client.decisions.iter().map(|d| (d.id, d.title.as_str())));
            for (id, name) in named {
                if let Some(p) = page(items.get(&id).copied()) {
                    index.add(name, p);
                }
            }
            for s in client
                .systems
                .iter()
                .filter(|s| s.category.as_str() != "other")
            {
                if let Some(p) = page(items.get(&s.id).copied()) {
                    index.add(
                        t.categories
                            .get(s.category.as_str())
                            .map_or(s.category.as_str(), String::as_str),
                        p,
                    );
                }
            }
            if index.is_empty() {
                flow.block(ctx.para(&t.nothing, BODY, 0.0));
            }
            index.lay_out(ctx, flow);
        },
    )
}

/// Each printed entry under its title, its kind (but "other") and its less frequent
/// tags; `page` is where an entry is printed, `None` if it is not.
fn add_entries(
    index: &mut Index,
    t: &Texts,
    client: &Client,
    page: &dyn Fn(uuid::Uuid) -> Option<usize>,
) {
    for e in &client.entries {
        let Some(p) = page(e.id) else {
            continue;
        };
        index.add(e.display_title(), p);
        // "Other" is no word anyone looks up.
        if e.kind.as_str() != "other" {
            index.add(
                t.kinds
                    .get(e.kind.as_str())
                    .map_or(e.kind.as_str(), String::as_str),
                p,
            );
        }
        for tag in &e.tags {
            if !FREQUENT_TAGS.contains(&tag.as_str()) {
                index.add(tag, p);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_keys_are_the_folded_keys() {
        for term in [
            "gruppe-00/eintrag-00001",
            "Zugang API",
            "",
            "A_b~C 9",
            "\u{7f}x",
        ] {
            let mut slow = String::new();
            for c in term.chars().flat_map(char::to_lowercase) {
                slow.push(c);
            }
            let slow = format!("{slow}\u{0}{slow}");
            assert_eq!(sort_key(term), slow, "{term:?}");
        }
    }

    #[test]
    fn german_order_and_merging() {
        let mut index = Index::default();
        for (t, p) in [
            ("Zugang", 9),
            ("Übergabe", 3),
            ("Drucker", 7),
            ("drucker", 8),
            ("Straße", 4),
            ("Strasse", 5),
            ("Ubuntu", 6),
            ("Drucker", 12),
            ("  Drucker  ", 12),
            ("365 Admin", 2),
            ("", 1),
        ] {
            index.add(t, p);
        }
        let terms: Vec<(&str, Vec<usize>)> = index
            .terms
            .values()
            .map(|(t, p)| (t.as_str(), p.iter().copied().collect()))
            .collect();
        assert_eq!(
            terms,
            [
                ("365 Admin", vec![2]),
                ("Drucker", vec![7, 8, 12]),
                ("Strasse", vec![5]),
                ("Straße", vec![4]),
                ("Übergabe", vec![3]),
                ("Ubuntu", vec![6]),
                ("Zugang", vec![9]),
            ]
        );
        assert_eq!(initial(&sort_key("Übergabe")), 'U');
        assert_eq!(initial(&sort_key("365 Admin")), '#');
    }
}
