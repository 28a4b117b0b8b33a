//! Every entry with all its fields, grouped by the first part of its path.

use uuid::Uuid;

use super::{Refs, Section, Start};

/// The header repeated on each page an entry runs onto.
const SMALL_BOLD: Style = Style::new(Face::Bold, 8.5, GREY);
use crate::dossier::blocks::{BODY, Ctx, LABEL, LABEL_W, SMALL, Value, rule};
use crate::dossier::fonts::Face;
use crate::dossier::layout::{BLACK, Flow, GREY, MM, RULE, Row, Style, measure, wrap_words};
use crate::dossier::templates::{Texts, fill};
use crate::model::{Client, Entry};
use zeroize::Zeroizing;

/// Every entry, grouped by the first part of its path, each with the system and vendor
/// it belongs to (and their pages) and where its physical second factor is kept.
pub fn section<'a>(t: &Texts, client: &'a Client, refs: &'a Refs) -> Section<'a> {
    let groups = group_entries(t, client);
    let mut s = Section::new(
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
                    let mut rows = entry_rows(ctx, entry);
                    let links = links(ctx, flow, client, refs, entry);
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

/// The system and vendor `entry` belongs to (with their pages) and where its
/// physical second factor is kept.
fn links(ctx: &Ctx<'_>, flow: &Flow, client: &Client, refs: &Refs, entry: &Entry) -> Vec<Row> {
    let t = ctx.texts;
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
            Some(p) => crate::dossier::blocks::with_aside(
                name,
                &fill(&t.page_ref, &[("page", &p.to_string())]),
            ),
            None => name.clone(),
        };
        links.extend(ctx.field(label, Value::Plain(&text)));
    }
    if let Some(location) = &entry.location {
        links.extend(ctx.field(&t.entry_location, Value::Plain(location)));
    }
    links
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

/// An entry as lists name it: its title and, in brackets, its path.
pub fn entry_line(e: &Entry) -> String {
    crate::dossier::blocks::with_aside(e.display_title(), e.path.as_str())
}

/// A one-time-password secret: the secret, the URI and a QR code an authenticator app
/// reads; a bare secret gets the URI made for it from `title`.
fn totp_rows(ctx: &Ctx<'_>, rows: &mut Vec<Row>, uri: &str, title: &str) {
    let t = ctx.texts;
    match totp_secret(uri) {
        Some(secret) if uri.trim_start().starts_with("otpauth://") => {
            rows.extend(ctx.field(&t.totp_secret, Value::Secret(&secret)));
            rows.extend(ctx.field(&t.totp_uri, Value::Secret(uri)));
            if let Some(row) = ctx.qr(uri.trim(), &t.totp_qr) {
                rows.push(row);
            }
        }
        Some(secret) => {
            rows.extend(ctx.field(&t.totp_secret, Value::Secret(&secret)));
            // A bare secret: the QR code carries the URI an authenticator app needs.
            let uri = crate::totp::uri(&secret, title);
            if !uri.expose().starts_with("otpauth://") {
                rows.extend(ctx.para(&t.totp_unreadable, SMALL, LABEL_W));
            } else if let Some(row) = ctx.qr(uri.expose(), &t.totp_qr) {
                rows.push(row);
            }
        }
        None => {
            rows.extend(ctx.field(&t.totp_uri, Value::Secret(uri)));
            rows.extend(ctx.para(&t.totp_unreadable, SMALL, LABEL_W));
        }
    }
}

/// The secret part of an otpauth URI (or the value itself, if it is a bare secret).
pub fn totp_secret(value: &str) -> Option<Zeroizing<String>> {
    let value = value.trim();
    if let Some(rest) = value.strip_prefix("otpauth://") {
        let query = rest.split_once('?')?.1;
        query
            .split('&')
            .find_map(|kv| kv.strip_prefix("secret="))
            .map(|s| Zeroizing::new(s.to_owned()))
    } else {
        Some(Zeroizing::new(value.to_owned()))
    }
}

/// The entry as a block of rows: a header, then every field it has.
pub fn entry_rows(ctx: &Ctx<'_>, entry: &Entry) -> Vec<Row> {
    let t = ctx.texts;
    let title = entry.display_title();
    let mut rows = title_rows(ctx, entry);
    rows.extend(ctx.field(&t.path, Value::Code(&entry.path)));
    let opt = |rows: &mut Vec<Row>, label: &str, value: &Option<String>| {
        if let Some(v) = value.as_deref().filter(|v| !v.is_empty()) {
            rows.extend(ctx.field(label, Value::Code(v)));
        }
    };
    opt(&mut rows, &t.url, &entry.url);
    opt(&mut rows, &t.host, &entry.host);
    if let Some(port) = entry.port {
        rows.extend(ctx.field(&t.port, Value::Plain(&port.to_string())));
    }
    if let Some(u) = entry.username.as_deref() {
        // A user name is copied and typed like a secret: same exact, boxed rendering.
        rows.extend(ctx.field(&t.username, Value::Secret(u)));
    }
    if let Some(p) = &entry.password {
        let label = t
            .secret_labels
            .get(entry.kind.as_str())
            .unwrap_or(&t.password);
        rows.extend(ctx.field(label, Value::Secret(p.expose())));
    }
    if let Some(totp) = &entry.totp {
        totp_rows(ctx, &mut rows, totp.expose(), title);
    }
    if !entry.recovery_codes.is_empty() {
        let codes: Vec<&str> = entry.recovery_codes.iter().map(|c| c.expose()).collect();
        let joined = Zeroizing::new(codes.join("\n"));
        rows.extend(ctx.field(&t.recovery_codes, Value::Secret(&joined)));
    }
    for field in &entry.fields {
        let value = field.value.expose();
        let v = if field.secret {
            Value::Secret(value)
        } else if value.contains('\n') {
            Value::Code(value)
        } else {
            Value::Plain(value)
        };
        rows.extend(ctx.field(&field.name, v));
    }
    if let Some(n) = entry.notes.as_deref().filter(|n| !n.is_empty()) {
        rows.extend(ctx.field(&t.notes, Value::Plain(n)));
    }
    if let Some(owner) = entry.owner {
        let label = t
            .owners
            .get(owner.as_str())
            .map(String::as_str)
            .unwrap_or(owner.as_str());
        rows.extend(ctx.field(&t.owner, Value::Plain(label)));
    }
    let knows = if entry.provider_knows { &t.yes } else { &t.no };
    rows.extend(ctx.field(&t.provider_knows, Value::Plain(knows)));
    if let Some(d) = entry.expires {
        rows.extend(ctx.field(&t.expires, Value::Plain(&ctx.fmt_date(d))));
    }
    if let Some(d) = entry.rotated {
        rows.extend(ctx.field(&t.rotated, Value::Plain(&ctx.fmt_date(d))));
    }
    if !entry.tags.is_empty() {
        rows.extend(ctx.field(&t.tags, Value::Plain(&entry.tags.join(", "))));
    }
    let mut end = Row::new(9.0);
    end.items
        .push(rule(0.0, -4.0, ctx.geo.body_width(), RULE, 0.4));
    rows.push(end);
    rows
}

/// The entry's title, wrapped, with its kind at the right of the first line.
fn title_rows(ctx: &Ctx<'_>, entry: &Entry) -> Vec<Row> {
    let t = ctx.texts;
    let fonts = ctx.fonts;
    let mut rows = Vec::new();
    let title_style = Style::new(Face::Bold, 11.0, BLACK);
    let kind = t
        .kinds
        .get(entry.kind.as_str())
        .map(String::as_str)
        .unwrap_or(entry.kind.as_str());
    let kind_w = measure(fonts, LABEL.face, LABEL.size, kind);
    let title_lines = wrap_words(
        fonts,
        title_style,
        entry.display_title(),
        ctx.geo.body_width() - kind_w - 6.0 * MM,
    );
    for (i, line) in title_lines.iter().enumerate() {
        let mut row = Row::new(title_style.leading());
        row.text(fonts, 0.0, title_style.size, title_style, line);
        if i == 0 {
            row.text(
                fonts,
                ctx.geo.body_width() - kind_w,
                title_style.size,
                LABEL,
                kind,
            );
        }
        rows.push(row);
    }
    rows
}
