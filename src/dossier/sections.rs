//! The dossier as an ordered list of sections, one builder each. [`front_matter`] lays
//! out the cover and the instructions (before the table of contents); [`body`] lists
//! the numbered sections after it, in the order the reader meets them. A section is a
//! title and a function that writes its content into the flow; numbering, headings,
//! page breaks and the page numbers the contents print are done once, in `lay_out`.

use chrono::NaiveDate;

use uuid::Uuid;

use super::content::{self, BODY, Ctx, Value, check_item};
use super::fonts::Face;
use super::layout::{BLACK, Flow, Row, Style};
use super::templates::{Logo, Texts, fill};
use super::{Gap, HISTORY_SHOWN, Options, SMALL_BOLD, knowledge};
use crate::model::{Client, Entry, Event, EventKind, Kind};

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
    content::cover(ctx, flow, client, logo);
    flow.new_page();
    let glance = format!("2 {}", t.glance_title);
    ctx.heading(flow, &glance, 1, Some(&glance));
    at_a_glance(ctx, flow, client, entry_page);
    flow.new_page();
    let howto = format!("3 {}", t.howto_title);
    ctx.heading(flow, &howto, 1, Some(&howto));
    for paragraph in &t.howto {
        let mut rows = ctx.para(paragraph, BODY, 0.0);
        if let Some(last) = rows.last_mut() {
            last.height += 5.0;
        }
        flow.block(rows);
    }
}

/// Whom to call, the Wi-Fi with a join code, what is needed often, where the bundle and
/// the client's key are kept, and what to do if the provider is gone. Entries are
/// referred to by page (888 until the pages are known: the same width, so the layout
/// does not change when the real numbers come in).
fn at_a_glance(ctx: &Ctx<'_>, flow: &mut Flow, client: &Client, entry_page: EntryPage<'_>) {
    let t = ctx.texts;
    let page = |e: &Entry| entry_page(e.id).unwrap_or(888);
    flow.block(ctx.para(&t.glance_intro, BODY, 0.0));

    ctx.heading(flow, &t.glance_call, 2, None);
    let b = ctx.branding;
    if let Some(name) = &b.provider_name {
        let mut rows = ctx.field(&t.provider, Value::Plain(name));
        if let Some(contact) = &b.provider_contact {
            rows.extend(ctx.field("", Value::Plain(contact)));
        }
        flow.block(rows);
    }
    for c in &client.contacts {
        flow.block(ctx.field(&c.name, Value::Plain(&content::contact_line(c))));
    }
    // Vendors with a hotline, critical ones (those a critical system depends on) first.
    let mut vendors: Vec<&crate::model::Vendor> = client
        .vendors
        .iter()
        .filter(|v| v.hotline.is_some())
        .collect();
    let critical = |v: &crate::model::Vendor| {
        client
            .systems
            .iter()
            .any(|s| s.vendor == Some(v.id) && s.criticality == crate::model::Criticality::Critical)
    };
    vendors.sort_by_key(|v| (!critical(v), v.name.clone()));
    for v in vendors {
        let mut details: Vec<String> = Vec::new();
        if let Some(p) = &v.provides {
            details.push(p.clone());
        }
        if let Some(h) = &v.hotline {
            details.push(format!("{} {h}", t.ven_hotline));
        }
        if let Some(n) = &v.customer_number {
            details.push(format!("{} {n}", t.ven_customer_number));
        }
        flow.block(ctx.field(&v.name, Value::Plain(&details.join(" · "))));
    }

    let wifi: Vec<&Entry> = client
        .sorted_entries()
        .into_iter()
        .filter(|e| e.kind == Kind::Wifi)
        .collect();
    if !wifi.is_empty() {
        ctx.heading(flow, &t.glance_wifi, 2, None);
    }
    for e in wifi {
        let (ssid, password) = wifi_credentials(e);
        let credentials = || {
            let mut rows = ctx.para(e.display_title(), ENTRY_TITLE, 0.0);
            if let Some(ssid) = ssid {
                rows.extend(ctx.field(&t.glance_ssid, Value::Secret(ssid)));
            }
            if let Some(p) = password {
                let label = t.secret_labels.get("wifi").unwrap_or(&t.password);
                rows.extend(ctx.field(label, Value::Secret(p)));
            }
            rows
        };
        let details = fill(&t.page_ref, &[("page", &page(e).to_string())]);
        // The join code beside the name and password, so that the page holds more
        // than two networks; one under the other when a long value needs the room.
        let beside = ssid.and_then(|ssid| {
            let mut left = credentials();
            left.extend(ctx.field(&t.glance_details, Value::Plain(&details)));
            left.extend(ctx.para(&t.glance_wifi_qr, content::SMALL, 0.0));
            ctx.beside_qr(left, &wifi_join_uri(ssid, password))
        });
        let rows = match beside {
            Some(row) => vec![row, Row::new(2.0 * crate::dossier::layout::MM)],
            None => {
                let mut rows = credentials();
                if let Some(ssid) = ssid
                    && let Some(qr) = ctx.qr(&wifi_join_uri(ssid, password), &t.glance_wifi_qr)
                {
                    rows.push(qr);
                }
                rows.extend(ctx.field(&t.glance_details, Value::Plain(&details)));
                rows
            }
        };
        flow.block(rows);
    }

    let frequent: Vec<&Entry> = client
        .sorted_entries()
        .into_iter()
        .filter(|e| {
            e.tags
                .iter()
                .any(|tag| FREQUENT_TAGS.iter().any(|f| tag.eq_ignore_ascii_case(f)))
        })
        .collect();
    if !frequent.is_empty() {
        ctx.heading(flow, &t.glance_frequent, 2, None);
    }
    for e in frequent {
        flow.block(content::toc_line(
            ctx,
            e.display_title(),
            page(e),
            0.0,
            false,
        ));
    }

    if client.bundle_location.is_some() || client.client_key_location.is_some() {
        ctx.heading(flow, &t.glance_where, 2, None);
        for (label, place) in [
            (&t.glance_bundle, &client.bundle_location),
            (&t.glance_key, &client.client_key_location),
        ] {
            if let Some(place) = place {
                flow.block(ctx.field(label, Value::Plain(place)));
            }
        }
    }

    ctx.heading(flow, &t.glance_gone_title, 2, None);
    for (i, paragraph) in t.glance_gone.iter().enumerate() {
        flow.block(ctx.para(&format!("{}. {paragraph}", i + 1), BODY, 0.0));
    }
}

/// Tags that put an entry on the first pages.
pub const FREQUENT_TAGS: [&str; 3] = ["frequent", "häufig", "haeufig"];

const ENTRY_TITLE: Style = Style::new(Face::Bold, 10.0, BLACK);

/// A Wi-Fi entry's network name (its SSID field, as `check` requires it) and password
/// (else its secret field).
fn wifi_credentials(e: &Entry) -> (Option<&str>, Option<&str>) {
    let password = e
        .password
        .as_ref()
        .map(|p| p.expose())
        .or_else(|| e.fields.iter().find(|f| f.secret).map(|f| f.value.expose()))
        .filter(|p| !p.is_empty());
    (e.ssid(), password)
}

/// The Wi-Fi join code phones read from a QR code (`WIFI:T:WPA;S:…;P:…;;`), with `\`,
/// `;`, `,`, `:` and `"` escaped by a backslash as the format requires.
pub fn wifi_join_uri(ssid: &str, password: Option<&str>) -> String {
    fn esc(s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        for c in s.chars() {
            if matches!(c, '\\' | ';' | ',' | ':' | '"') {
                out.push('\\');
            }
            out.push(c);
        }
        out
    }
    match password {
        Some(p) => format!("WIFI:T:WPA;S:{};P:{};;", esc(ssid), esc(p)),
        None => format!("WIFI:T:nopass;S:{};;", esc(ssid)),
    }
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
    let mut sections = vec![profile(t, client)];
    if !client.systems.is_empty() || !client.networks.is_empty() {
        sections.push(infrastructure(t, client, refs));
    }
    if !client.vendors.is_empty() {
        sections.push(vendors(t, client, today, refs));
    }
    sections.extend([entries(t, client, refs), checklist(t, client, today, refs)]);
    if !client.documents.is_empty() {
        sections.push(documents(t, client, refs));
    }
    if !client.decisions.is_empty() {
        sections.push(decisions(t, client, refs));
    }
    sections.extend([appendix(t, client, gaps), history(t, client)]);
    // The index before the emergency sheet: that sheet is the last page, to be taken
    // out and kept apart.
    sections.push(index(t, client, refs));
    if let Some(key) = &options.client_key {
        sections.push(key_sheet(t, client, key));
    }
    sections
}

fn section<'a>(
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

/// The client's profile and contacts.
fn profile<'a>(t: &Texts, client: &'a Client) -> Section<'a> {
    section(&t.profile_title, Start::Flowing, move |ctx, flow, _, _| {
        content::profile(ctx, flow, client);
    })
}

/// The index: entries, systems, networks, vendors, documents, decisions, tags and
/// kinds, each with the pages where they are printed. Only the emergency sheet comes
/// after it, so every page it names is known when it is laid out.
fn index<'a>(t: &Texts, client: &'a Client, refs: &'a Refs) -> Section<'a> {
    section(
        &t.index_title,
        Start::NewPageIfLow,
        move |ctx, flow, _, _| {
            let t = ctx.texts;
            let page = |anchor: Option<usize>| {
                anchor.map(|a| flow.anchor_page(a) + refs.page_offset.get())
            };
            let mut index = super::index::Index::default();
            let entries = refs.entries.borrow();
            let items = refs.items.borrow();
            for e in &client.entries {
                let Some(p) = page(entries.get(&e.id).copied()) else {
                    continue;
                };
                index.add(e.display_title(), p);
                index.add(
                    t.kinds
                        .get(e.kind.as_str())
                        .map_or(e.kind.as_str(), String::as_str),
                    p,
                );
                for tag in &e.tags {
                    if !FREQUENT_TAGS.contains(&tag.as_str()) {
                        index.add(tag, p);
                    }
                }
            }
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
            for s in &client.systems {
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

/// The client's systems by site (a table per site, with backup and logins below) and
/// its networks. Each system's place is recorded in `refs`, for the entries that log
/// into it.
fn infrastructure<'a>(t: &Texts, client: &'a Client, refs: &'a Refs) -> Section<'a> {
    let sites = knowledge::sites(client);
    let mut s = section(
        &t.infra_title,
        Start::NewPageIfLow,
        move |ctx, flow, _, _| {
            knowledge::infrastructure(
                ctx,
                flow,
                client,
                &sites,
                &mut |id, flow| refs.anchor_item(id, flow),
                &|id| refs.forward_entry_page(id),
            );
        },
    );
    s.subsections = Vec::new();
    s
}

/// Vendors and their contracts.
fn vendors<'a>(t: &Texts, client: &'a Client, today: NaiveDate, refs: &'a Refs) -> Section<'a> {
    section(
        &t.vendors_title,
        Start::NewPageIfLow,
        move |ctx, flow, _, _| {
            knowledge::vendors(ctx, flow, client, today, &mut |id, flow| {
                refs.anchor_item(id, flow)
            });
        },
    )
}

/// The Markdown documents: the first-hour plan first, then procedures and overviews.
fn documents<'a>(t: &Texts, client: &'a Client, refs: &'a Refs) -> Section<'a> {
    let docs = knowledge::sorted_documents(client);
    let titles = titles_of(t, &docs);
    let mut s = section(&t.docs_title, Start::NewPageIfLow, {
        let titles = titles.clone();
        move |ctx, flow, number, subsection| {
            for (i, (d, title)) in docs.iter().zip(&titles).enumerate() {
                ctx.heading(flow, &format!("{number}.{} {title}", i + 1), 2, None);
                subsection(flow);
                refs.items.borrow_mut().insert(d.id, flow.anchor());
                knowledge::markdown(ctx, flow, without_title(&d.body, d.display_title()));
            }
        }
    });
    s.subsections = titles;
    s
}

/// A document's body without a first heading that only repeats its title (the
/// section heading above already says it).
fn without_title<'b>(body: &'b str, title: &str) -> &'b str {
    let trimmed = body.trim_start();
    let (first, rest) = trimmed.split_once('\n').unwrap_or((trimmed, ""));
    match first.trim_end().strip_prefix("# ") {
        Some(heading) if heading.trim() == title.trim() => rest,
        _ => body,
    }
}

fn titles_of(t: &Texts, docs: &[&crate::model::Document]) -> Vec<String> {
    docs.iter()
        .map(|d| {
            let kind = t
                .doc_kinds
                .get(d.kind.as_str())
                .map_or(d.kind.as_str(), String::as_str);
            format!("{} ({kind})", d.display_title())
        })
        .collect()
}

/// The decision log, newest first; superseded decisions are marked.
fn decisions<'a>(t: &Texts, client: &'a Client, refs: &'a Refs) -> Section<'a> {
    section(
        &t.decisions_title,
        Start::NewPageIfLow,
        move |ctx, flow, _, _| {
            let mut list: Vec<&crate::model::Decision> = client.decisions.iter().collect();
            list.sort_by(|a, b| (b.date, &a.title).cmp(&(a.date, &b.title)));
            for d in list {
                refs.anchor_item(d.id, flow);
                knowledge::decision(ctx, flow, client, d);
            }
        },
    )
}

/// Every entry, grouped by the first part of its path, each with the system and vendor
/// it belongs to (and their pages) and where its physical second factor is kept.
fn entries<'a>(t: &Texts, client: &'a Client, refs: &'a Refs) -> Section<'a> {
    let groups = group_entries(t, client);
    let mut s = section(
        &t.entries_title,
        Start::NewPage,
        move |ctx, flow, number, subsection| {
            let t = ctx.texts;
            if client.entries.is_empty() {
                flow.block(ctx.para(&t.no_entries, BODY, 0.0));
            }
            for (i, (name, entries)) in groups.iter().enumerate() {
                ctx.heading(flow, &format!("{number}.{} {name}", i + 1), 2, None);
                subsection(flow);
                for entry in entries {
                    refs.entries
                        .borrow_mut()
                        .insert(entry.id, flow.anchor_next());
                    let continued = format!("{} {}", entry.display_title(), t.continued);
                    let mut rows = content::entry_rows(ctx, entry);
                    let page_of = |id: Uuid| {
                        refs.items
                            .borrow()
                            .get(&id)
                            .map(|a| flow.anchor_page(*a) + refs.page_offset.get())
                    };
                    let mut links = Vec::new();
                    for (label, name, id) in client
                        .systems_of(entry.id)
                        .into_iter()
                        .map(|s| (&t.entry_system, &s.name, s.id))
                        .chain(
                            client
                                .vendors_of(entry.id)
                                .into_iter()
                                .map(|v| (&t.entry_vendor, &v.name, v.id)),
                        )
                    {
                        let text = match page_of(id) {
                            Some(p) => format!(
                                "{name} ({})",
                                fill(&t.page_ref, &[("page", &p.to_string())])
                            ),
                            None => name.clone(),
                        };
                        links.extend(ctx.field(label, Value::Plain(&text)));
                    }
                    if let Some(location) = &entry.location {
                        links.extend(ctx.field(&t.entry_location, Value::Plain(location)));
                    }
                    // Before the closing rule of the entry.
                    let at = rows.len().saturating_sub(1);
                    rows.splice(at..at, links);
                    flow.block_continued(rows, || {
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

/// What a successor must do, in the order a takeover needs it: the first hour (remove
/// the old provider's access; domain, identity provider, firewall and remote access,
/// mail), the first day, the first week; then what to transfer and what to renew. Each
/// item names the page of its entry. `page_offset` turns a body page index into the
/// printed page number (known once the contents are laid out, before the body is).
fn checklist<'a>(t: &Texts, client: &'a Client, today: NaiveDate, refs: &'a Refs) -> Section<'a> {
    section(
        &t.checklist_title,
        Start::NewPage,
        move |ctx, flow, _, _| {
            let t = ctx.texts;
            let page = |flow: &Flow, e: &Entry| {
                refs.entries
                    .borrow()
                    .get(&e.id)
                    .map(|a| flow.anchor_page(*a) + refs.page_offset.get())
            };
            let checklist = content::checklist(client, today);
            flow.block(ctx.para(&fill(&t.checklist_intro, &[("date", &ctx.date)]), BODY, 0.0));
            ctx.heading(flow, &t.rotate_title, 3, None);
            for (priority, title) in [(1, &t.plan_hour), (2, &t.plan_day), (3, &t.plan_week)] {
                let items: Vec<&&Entry> = checklist
                    .rotate
                    .iter()
                    .zip(&checklist.rotate_priority)
                    .filter(|(_, p)| **p == priority)
                    .map(|(e, _)| e)
                    .collect();
                if items.is_empty() && priority != 1 {
                    continue;
                }
                ctx.heading(flow, title, 4, None);
                if priority == 1 {
                    flow.block(check_item(ctx, &t.plan_remove_access));
                }
                for e in items {
                    let p = page(flow, e);
                    flow.block(content::check_item_at(ctx, &entry_line(e), p));
                }
            }
            ctx.heading(flow, &t.transfer_title, 3, None);
            if checklist.transfer.is_empty() {
                flow.block(ctx.para(&t.nothing, BODY, 0.0));
            }
            for e in &checklist.transfer {
                let p = page(flow, e);
                flow.block(content::check_item_at(ctx, &entry_line(e), p));
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
                let p = page(flow, e);
                flow.block(content::check_item_at(
                    ctx,
                    &format!("{} — {when}", entry_line(e)),
                    p,
                ));
            }
        },
    )
}

/// What `handover check` found missing, in the dossier's language.
fn appendix<'a>(t: &Texts, client: &'a Client, gaps: &'a [Gap]) -> Section<'a> {
    section(&t.appendix_title, Start::Flowing, move |ctx, flow, _, _| {
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
    section(&t.history_title, Start::Flowing, move |ctx, flow, _, _| {
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
                let names: Vec<&str> = event
                    .fields
                    .iter()
                    .map(|f| t.field_names.get(f).map_or(f.as_str(), String::as_str))
                    .collect();
                text.push_str(&format!(" ({})", names.join(", ")));
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
fn key_sheet<'a>(t: &Texts, client: &'a Client, key: &'a super::ClientKey) -> Section<'a> {
    section(&t.key_title, Start::NewPage, move |ctx, flow, _, _| {
        let t = ctx.texts;
        for paragraph in &t.key_intro {
            let mut rows = ctx.para(paragraph, BODY, 0.0);
            if let Some(last) = rows.last_mut() {
                last.height += 4.0;
            }
            flow.block(rows);
        }
        // The exact command, in the mono face, with the bundle's name as offboarding
        // writes it; a line of its own so that it is never broken mid-command.
        let command = format!(
            "age -d -i key.txt {}-bundle.age > {}.json",
            client.id.as_str(),
            client.id.as_str()
        );
        flow.block(ctx.field("$", Value::Code(&command)));
        if let Some(place) = &client.bundle_location {
            flow.block(ctx.field(&t.key_bundle_at, Value::Plain(place)));
        }
        let mut rows = ctx.para(&t.key_after, BODY, 0.0);
        if let Some(last) = rows.last_mut() {
            last.height += 4.0;
        }
        flow.block(rows);
        flow.block(ctx.field(&t.key_recipient, Value::Code(&key.recipient)));
        flow.block(ctx.field(&t.key_secret, Value::Secret(&key.secret)));
        if let Some(row) = ctx.qr(&key.secret, &t.key_qr) {
            flow.row(row);
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wifi_join_uri_escapes_what_the_format_reserves() {
        assert_eq!(
            wifi_join_uri("Büro", Some("geheim")),
            "WIFI:T:WPA;S:Büro;P:geheim;;"
        );
        assert_eq!(
            wifi_join_uri(r#"a;b,c:d"e\f"#, Some(";")),
            r#"WIFI:T:WPA;S:a\;b\,c\:d\"e\\f;P:\;;;"#
        );
        assert_eq!(wifi_join_uri("Gast", None), "WIFI:T:nopass;S:Gast;;");
    }
}
