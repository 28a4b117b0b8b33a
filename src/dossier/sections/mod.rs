//! The dossier as an ordered list of sections, one file each (builder and renderer). [`front_matter`] lays
//! out the cover and the instructions (before the table of contents); [`body`] lists
//! the numbered sections after it, in the order the reader meets them. A section is a
//! title and a function that writes its content into the flow; numbering, headings,
//! page breaks and the page numbers the contents print are done once, in `lay_out`.

mod appendix;
mod at_a_glance;
mod checklist;
mod cover;
pub mod data_pages;
mod decisions;
mod documents;
mod entries;
mod history;
mod index;
mod infrastructure;
mod instructions;
mod key_sheet;
mod profile;
mod vendors;
mod verification;

use chrono::NaiveDate;
use uuid::Uuid;

use super::blocks::Ctx;
use super::layout::Flow;
use super::templates::{Logo, Texts};
use super::{Gap, Options};
use crate::model::Client;

/// Writes a section's content. `number` is the section's own number ("5"), for
/// numbering its subsections; `subsection` is called with each subsection heading's
/// title after it is placed, so that the contents can point to its page.
pub type Build<'a> = Box<dyn Fn(&Ctx<'_>, &mut Flow, &str, &mut dyn FnMut(&mut Flow)) + 'a>;

/// One numbered section of the body.
pub struct Section<'a> {
    pub title: String,
    /// The titles of its subsections (numbered `n.1`, `n.2`, … in the contents).
    pub subsections: Vec<String>,
    /// Where it starts.
    pub start: Start,
    pub build: Build<'a>,
}

/// Where a section starts.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Start {
    /// Right after the previous one.
    Flowing,
    /// On a new page when less than a good part of this one is left: no half-empty
    /// pages, and no section that begins in the last lines of a page.
    NewPageIfLow,
    /// Always on a page of its own (the entries, the checklist a successor works
    /// through, the emergency sheet that is taken out).
    NewPage,
}

/// How many numbered parts come before the body: cover, at a glance, instructions,
/// contents.
pub const FRONT_PARTS: usize = 4;

/// The page on which an entry is printed, once known.
pub type EntryPage<'a> = &'a dyn Fn(Uuid) -> Option<usize>;

/// Page 1: the cover; then what a client needs most, at a glance; then the
/// instructions for the client and a successor.
pub fn front_matter(
    ctx: &Ctx<'_>,
    flow: &mut Flow,
    client: &Client,
    logo: Option<&Logo>,
    entry_page: EntryPage<'_>,
) {
    let t = ctx.texts;
    flow.mark(&format!("1 {}", t.title));
    cover::cover(ctx, flow, client, logo);
    flow.new_page();
    let glance = format!("2 {}", t.glance_title);
    ctx.heading(flow, &glance, 1, Some(&glance));
    let glance_page = flow.pages.len();
    at_a_glance::at_a_glance(ctx, flow, client, entry_page);
    // "At a glance" is a page of its own; when it runs over, the instructions follow
    // its end on the same page, which would otherwise stand almost empty.
    if flow.pages.len() == glance_page || flow.remaining() < ctx.geo.body_height() * 0.4 {
        flow.new_page();
    }
    instructions::instructions(ctx, flow);
}

/// The contents' lines for the front matter, from its bookmarks: at a glance (with
/// what to do if the provider is gone, a line of its own) and the instructions, each
/// with its printed page. The cover is page 1 and needs no line.
pub fn front_contents(t: &Texts, marks: &[(String, usize)]) -> Vec<(String, u8, usize)> {
    marks
        .iter()
        .skip(1)
        .map(|(title, page)| {
            let level = if *title == t.glance_gone_title { 2 } else { 1 };
            (title.clone(), level, page + 1)
        })
        .collect()
}

/// The numbered sections after the table of contents, in reading order.
pub fn body<'a>(
    t: &Texts,
    client: &'a Client,
    options: &'a Options,
    gaps: &'a [Gap],
    today: NaiveDate,
    refs: &'a Refs,
) -> Vec<Section<'a>> {
    let mut sections = vec![profile::section(t, client)];
    if !client.systems.is_empty() || !client.networks.is_empty() {
        sections.push(infrastructure::section(t, client, refs));
    }
    if !client.vendors.is_empty() {
        sections.push(vendors::section(t, client, today, refs));
    }
    sections.extend([
        entries::section(t, client, refs),
        checklist::section(t, client, today, refs),
    ]);
    if !client.documents.is_empty() {
        sections.push(documents::section(t, client, refs));
    }
    if !client.decisions.is_empty() {
        sections.push(decisions::section(t, client, refs));
    }
    sections.extend([
        appendix::section(t, client, gaps, today),
        history::section(t, client),
    ]);
    if let Some(check) = &options.stock_check {
        sections.push(verification::section(t, client, check));
    }
    // The index before the emergency sheet: that sheet is the last page, to be taken
    // out and kept apart.
    sections.push(index::section(t, client, refs));
    if let Some(key) = &options.client_key {
        sections.push(key_sheet::section(t, client, key));
    }
    sections
}

impl<'a> Section<'a> {
    fn new(
        title: &str,
        start: Start,
        build: impl Fn(&Ctx<'_>, &mut Flow, &str, &mut dyn FnMut(&mut Flow)) + 'a,
    ) -> Section<'a> {
        Section {
            title: title.to_owned(),
            subsections: Vec::new(),
            start,
            build: Box::new(build),
        }
    }
}

/// Where each entry starts: an anchor in the body flow, by entry id.
pub type EntryAnchors = std::cell::RefCell<std::collections::HashMap<Uuid, usize>>;

/// What sections record for cross-references while the body is laid out: where each
/// entry, and each system and vendor, starts; and the printed number of the body's
/// first page (known once the contents are laid out, before the body is).
#[derive(Default)]
pub struct Refs {
    pub entries: EntryAnchors,
    pub items: EntryAnchors,
    pub page_offset: std::cell::Cell<usize>,
    /// The printed page of each entry as the previous layout pass found it (empty in
    /// the first pass), for references to entries that come later in the body.
    pub known_entry_pages: std::collections::HashMap<Uuid, usize>,
    /// Set when a section printed such a forward reference: the body must be laid out
    /// again until the pages stand still.
    pub forward_used: std::cell::Cell<bool>,
}

impl Refs {
    /// Records that the system, network, vendor, document or decision `id` is printed
    /// where the next row lands.
    pub fn anchor_item(&self, id: Uuid, flow: &mut Flow) {
        self.items.borrow_mut().insert(id, flow.anchor_next());
    }

    /// The printed page of a later entry, as far as known (888 in the first pass: the
    /// width of a real page number, so the layout hardly changes when it comes in).
    pub fn forward_entry_page(&self, id: Uuid) -> usize {
        self.forward_used.set(true);
        self.known_entry_pages.get(&id).copied().unwrap_or(888)
    }
}
