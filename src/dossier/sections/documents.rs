//! The Markdown documents: the first-hour plan first, then procedures and overviews.

use super::{Refs, Section, Start};
use crate::dossier::templates::Texts;
use crate::model::{Client, Document, DocumentKind};

/// The Markdown documents: the first-hour plan first, then procedures and overviews.
pub fn section<'a>(t: &Texts, client: &'a Client, refs: &'a Refs) -> Section<'a> {
    let docs = sorted_documents(client);
    let titles = titles_of(t, &docs);
    let mut s = Section::new(&t.docs_title, Start::NewPageIfLow, {
        let titles = titles.clone();
        move |ctx, flow, number, subsection| {
            for (i, (d, title)) in docs.iter().zip(&titles).enumerate() {
                ctx.heading(flow, &format!("{number}.{} {title}", i + 1), 2, None);
                subsection(flow);
                refs.items.borrow_mut().insert(d.id, flow.anchor());
                crate::dossier::markdown::markdown(
                    ctx,
                    flow,
                    without_title(&d.body, d.display_title()),
                );
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
            crate::dossier::blocks::with_kind(d.display_title(), kind)
        })
        .collect()
}

/// Documents in the order a successor reads them: the first-hour plan first, then
/// procedures, overviews, notes; by path within a kind.
pub fn sorted_documents(client: &Client) -> Vec<&Document> {
    let rank = |k: DocumentKind| match k {
        DocumentKind::FirstHourPlan => 0,
        DocumentKind::Procedure => 1,
        DocumentKind::Overview => 2,
        DocumentKind::Note => 3,
    };
    let mut docs: Vec<&Document> = client.documents.iter().collect();
    docs.sort_by(|a, b| (rank(a.kind), &a.path).cmp(&(rank(b.kind), &b.path)));
    docs
}
