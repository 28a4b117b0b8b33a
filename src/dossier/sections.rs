//! The dossier as an ordered list of sections, one builder each. [`front_matter`] lays
//! out the cover and the instructions (before the table of contents); [`body`] lists
//! the numbered sections after it, in the order the reader meets them. A section is a
//! title and a function that writes its content into the flow; numbering, headings,
//! page breaks and the page numbers the contents print are done once, in `lay_out`.

use chrono::NaiveDate;

use super::content::{self, BODY, Ctx, Value, check_item};
use super::layout::Flow;
use super::templates::{Logo, Texts, fill};
use super::{Gap, HISTORY_SHOWN, Options, SMALL_BOLD};
use crate::model::{Client, Entry, Event, EventKind};

/// Writes a section's content. `number` is the section's own number ("5"), for
/// numbering its subsections; `subsection` is called with each subsection heading's
/// title after it is placed, so that the contents can point to its page.
pub type Build<'a> = Box<dyn Fn(&Ctx<'_>, &mut Flow, &str, &mut dyn FnMut(&mut Flow)) + 'a>;

/// One numbered section of the body.
pub struct Section<'a> {
    pub title: String,
    /// The titles of its subsections (numbered `n.1`, `n.2`, … in the contents).
    pub subsections: Vec<String>,
    /// Starts on a page of its own.
    pub new_page: bool,
    pub build: Build<'a>,
}

/// Page 1: the cover; then the instructions for the client and a successor.
pub fn front_matter(ctx: &Ctx<'_>, flow: &mut Flow, client: &Client, logo: Option<&Logo>) {
    let t = ctx.texts;
    flow.mark(&format!("1 {}", t.title));
    content::cover(ctx, flow, client, logo);
    flow.new_page();
    let howto = format!("2 {}", t.howto_title);
    ctx.heading(flow, &howto, 1, Some(&howto));
    for paragraph in &t.howto {
        let mut rows = ctx.para(paragraph, BODY, 0.0);
        if let Some(last) = rows.last_mut() {
            last.height += 5.0;
        }
        flow.block(rows);
    }
}

/// The numbered sections after the table of contents, in reading order.
pub fn body<'a>(
    t: &Texts,
    client: &'a Client,
    options: &'a Options,
    gaps: &'a [Gap],
    today: NaiveDate,
) -> Vec<Section<'a>> {
    let mut sections = vec![
        profile(t, client),
        entries(t, client),
        checklist(t, client, today),
        appendix(t, client, gaps),
        history(t, client),
    ];
    if let Some(key) = &options.client_key {
        sections.push(key_sheet(t, key));
    }
    sections
}

fn section<'a>(
    title: &str,
    new_page: bool,
    build: impl Fn(&Ctx<'_>, &mut Flow, &str, &mut dyn FnMut(&mut Flow)) + 'a,
) -> Section<'a> {
    Section {
        title: title.to_owned(),
        subsections: Vec::new(),
        new_page,
        build: Box::new(build),
    }
}

/// The client's profile and contacts.
fn profile<'a>(t: &Texts, client: &'a Client) -> Section<'a> {
    section(&t.profile_title, false, move |ctx, flow, _, _| {
        content::profile(ctx, flow, client);
    })
}

/// Every entry, grouped by the first part of its path.
fn entries<'a>(t: &Texts, client: &'a Client) -> Section<'a> {
    let groups = group_entries(t, client);
    let mut s = section(
        &t.entries_title,
        true,
        move |ctx, flow, number, subsection| {
            let t = ctx.texts;
            if client.entries.is_empty() {
                flow.block(ctx.para(&t.no_entries, BODY, 0.0));
            }
            for (i, (name, entries)) in groups.iter().enumerate() {
                ctx.heading(flow, &format!("{number}.{} {name}", i + 1), 2, None);
                subsection(flow);
                for entry in entries {
                    let continued = format!("{} {}", entry.display_title(), t.continued);
                    flow.block_continued(content::entry_rows(ctx, entry), || {
                        ctx.para(&continued, SMALL_BOLD, 0.0)
                            .into_iter()
                            .next()
                            .unwrap_or_default()
                    });
                }
            }
        },
    );
    s.subsections = group_entries(t, client)
        .into_iter()
        .map(|(g, _)| g)
        .collect();
    s
}

/// Entries grouped by the first segment of their path, groups and entries sorted;
/// top-level entries (no group) first, under a neutral heading. Each group is shown
/// with the client's title for it, or a default one.
fn group_entries<'a>(t: &Texts, client: &'a Client) -> Vec<(String, Vec<&'a Entry>)> {
    let mut groups: Vec<(String, Vec<&Entry>)> = Vec::new();
    for entry in client.sorted_entries() {
        let group = match entry.path.split_once('/') {
            Some((g, _)) => g.to_owned(),
            None => String::new(),
        };
        match groups.last_mut() {
            Some((g, list)) if *g == group => list.push(entry),
            _ => groups.push((group, vec![entry])),
        }
    }
    groups.sort_by(|a, b| (!a.0.is_empty(), &a.0).cmp(&(!b.0.is_empty(), &b.0)));
    for (g, _) in &mut groups {
        *g = if g.is_empty() {
            t.ungrouped_title.clone()
        } else {
            client
                .group_titles
                .get(g.as_str())
                .cloned()
                .unwrap_or_else(|| crate::model::default_group_title(g))
        };
    }
    groups
}

fn entry_line(e: &Entry) -> String {
    format!("{} ({})", e.display_title(), e.path)
}

/// What a successor must do: change, transfer, renew.
fn checklist<'a>(t: &Texts, client: &'a Client, today: NaiveDate) -> Section<'a> {
    section(&t.checklist_title, true, move |ctx, flow, _, _| {
        let t = ctx.texts;
        let checklist = content::checklist(client, today);
        flow.block(ctx.para(&fill(&t.checklist_intro, &[("date", &ctx.date)]), BODY, 0.0));
        for (title, items) in [
            (&t.rotate_title, &checklist.rotate),
            (&t.transfer_title, &checklist.transfer),
        ] {
            ctx.heading(flow, title, 3, None);
            if items.is_empty() {
                flow.block(ctx.para(&t.nothing, BODY, 0.0));
            }
            for e in items {
                flow.block(check_item(ctx, &entry_line(e)));
            }
        }
        ctx.heading(flow, &t.expiry_title, 3, None);
        if checklist.expiring.is_empty() {
            flow.block(ctx.para(&t.nothing, BODY, 0.0));
        }
        for (e, date) in &checklist.expiring {
            let when = if *date < today {
                &t.expired
            } else {
                &t.expiring
            };
            let when = fill(when, &[("date", &ctx.fmt_date(*date))]);
            flow.block(check_item(ctx, &format!("{} — {when}", entry_line(e))));
        }
    })
}

/// What `handover check` found missing, in the dossier's language.
fn appendix<'a>(t: &Texts, client: &'a Client, gaps: &'a [Gap]) -> Section<'a> {
    section(&t.appendix_title, false, move |ctx, flow, _, _| {
        let t = ctx.texts;
        if gaps.is_empty() {
            flow.block(ctx.para(&t.appendix_nothing, BODY, 0.0));
        } else {
            flow.block(ctx.para(&t.appendix_intro, BODY, 0.0));
        }
        for (blocking, title) in [(true, &t.appendix_blocking), (false, &t.appendix_warnings)] {
            let mut items = gaps.iter().filter(|g| g.blocking == blocking).peekable();
            if items.peek().is_none() {
                continue;
            }
            ctx.heading(flow, title, 3, None);
            for gap in items {
                flow.block(check_item(ctx, &gap_text(t, client, gap)));
            }
        }
    })
}

fn gap_text(t: &Texts, client: &Client, gap: &Gap) -> String {
    let sentence = t
        .findings
        .get(&gap.code)
        .map(String::as_str)
        .unwrap_or(gap.code.as_str());
    match gap.path.as_deref().and_then(|p| client.entry(p)) {
        Some(e) => format!("{}: {sentence}", entry_line(e)),
        None => match &gap.path {
            Some(p) => format!("{p}: {sentence}"),
            // A sentence of its own: capitalised.
            None => {
                let mut chars = sentence.chars();
                chars
                    .next()
                    .map(|c| c.to_uppercase().chain(chars).collect())
                    .unwrap_or_default()
            }
        },
    }
}

/// The most recent changes from the vault's history.
fn history<'a>(t: &Texts, client: &'a Client) -> Section<'a> {
    section(&t.history_title, false, move |ctx, flow, _, _| {
        let t = ctx.texts;
        // Printing a dossier is not a change to what it shows: leaving those events out
        // keeps a reprint of an unchanged vault byte-identical.
        let changes: Vec<&Event> = client
            .history
            .iter()
            .filter(|e| e.kind != EventKind::DossierExported)
            .collect();
        let shown = changes.len().min(HISTORY_SHOWN);
        if shown == 0 {
            flow.block(ctx.para(&t.history_none, BODY, 0.0));
        } else {
            flow.block(ctx.para(
                &fill(&t.history_intro, &[("count", &shown.to_string())]),
                BODY,
                0.0,
            ));
        }
        for event in changes.iter().rev().take(HISTORY_SHOWN) {
            let label = t
                .events
                .get(event.kind.as_str())
                .map(String::as_str)
                .unwrap_or(event.kind.as_str());
            let mut text = label.to_owned();
            if let Some(path) = &event.path {
                text.push_str(&format!(": {path}"));
            }
            if !event.fields.is_empty() {
                text.push_str(&format!(" ({})", event.fields.join(", ")));
            }
            if let Some(fp) = &event.fingerprint {
                text.push_str(&format!(" — {} {fp}", t.fingerprint));
            }
            let when = event.at.with_timezone(&chrono::Utc);
            flow.block(ctx.field(
                &format!(
                    "{} {}",
                    ctx.fmt_date(when.date_naive()),
                    when.format("%H:%M")
                ),
                Value::Plain(&text),
            ));
        }
    })
}

/// The client's own key, on a page of its own so that it can be taken out and kept
/// apart.
fn key_sheet<'a>(t: &Texts, key: &'a super::ClientKey) -> Section<'a> {
    section(&t.key_title, true, move |ctx, flow, _, _| {
        let t = ctx.texts;
        for paragraph in &t.key_intro {
            let mut rows = ctx.para(paragraph, BODY, 0.0);
            if let Some(last) = rows.last_mut() {
                last.height += 4.0;
            }
            flow.block(rows);
        }
        flow.block(ctx.field(&t.key_recipient, Value::Code(&key.recipient)));
        flow.block(ctx.field(&t.key_secret, Value::Secret(&key.secret)));
        if let Some(row) = ctx.qr(&key.secret, &t.key_qr) {
            flow.row(row);
        }
    })
}
