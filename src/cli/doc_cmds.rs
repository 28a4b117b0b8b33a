//! `handover doc add|edit|list|show|remove`: the client's documents (Markdown pages),
//! from a file, stdin or `$EDITOR`.

use handover::model::{Client, ClientId, Document, DocumentKind};
use handover::workflows::Handover;
use handover::workflows::knowledge::{self, DocumentPatch};
use serde::Serialize;

use super::CliError;
use super::args::{BodyArgs, DocCommand};
use super::context::client_id;
use super::editor;
use super::kind::{self, KnowledgeKind};
use super::term::{self, Out, safe};

fn body(b: &BodyArgs) -> Result<Option<String>, CliError> {
    if b.stdin {
        let bytes = editor::read_stdin("document")?;
        return String::from_utf8(bytes).map(Some).map_err(|_| {
            handover::Error::Invalid(
                "the document on stdin is not UTF-8 text; nothing was changed".into(),
            )
            .into()
        });
    }
    b.file
        .as_deref()
        .map(|f| editor::read_text(f, "document"))
        .transpose()
}

/// What `doc list --json` shows: everything but the body.
#[derive(Serialize)]
struct DocumentSummary<'a> {
    id: uuid::Uuid,
    path: &'a str,
    title: &'a str,
    kind: handover::model::DocumentKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    created: Option<chrono::DateTime<chrono::Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    updated: Option<chrono::DateTime<chrono::Utc>>,
}

pub(super) struct Documents;

impl KnowledgeKind for Documents {
    const WHAT: &'static str = "document";
    type Record = Document;

    fn find<'a>(client: &'a Client, path: &str) -> handover::Result<&'a Document> {
        client.document_named(path)
    }

    fn sorted(client: &Client) -> Vec<&Document> {
        let mut docs: Vec<&Document> = client.documents.iter().collect();
        docs.sort_by(|a, b| a.path.cmp(&b.path));
        docs
    }

    fn list_line(d: &Document, _today: chrono::NaiveDate) -> String {
        format!(
            "{:<36} {:<16} {}",
            safe(&d.path, false),
            d.kind.as_str(),
            safe(d.display_title(), false)
        )
    }

    fn list_json(out: &mut Out, docs: &[&Document]) -> Result<(), CliError> {
        let rows: Vec<DocumentSummary> = docs
            .iter()
            .map(|d| DocumentSummary {
                id: d.id,
                path: &d.path,
                title: &d.title,
                kind: d.kind,
                created: d.created,
                updated: d.updated,
            })
            .collect();
        out.json(&rows)
    }

    fn show(out: &mut Out, _: &Client, d: &Document) -> Result<(), CliError> {
        out.line(&safe(&d.body, true))
    }

    fn remove(h: &Handover, id: &ClientId, path: &str) -> handover::Result<()> {
        knowledge::remove_document(h, id, path)
    }
}

fn add(
    h: &Handover,
    client: &str,
    path: &str,
    kind: DocumentKind,
    title: Option<String>,
    source: &BodyArgs,
) -> Result<(), CliError> {
    let id = client_id(client)?;
    let text = match body(source)? {
        Some(text) => text,
        None => body_from_editor()?,
    };
    let patch = DocumentPatch {
        title,
        body: Some(text),
        ..DocumentPatch::default()
    };
    knowledge::add_document(h, &id, path, kind, patch)?;
    kind::added::<Documents>(path, &id);
    Ok(())
}

/// `doc add` without --file or --stdin: on a terminal, the person writes the document
/// in `$EDITOR`; in a script there is nobody to type, so it says what to give instead.
fn body_from_editor() -> Result<String, CliError> {
    if !term::stdin_is_terminal() {
        return Err(CliError::Usage(
            "no document text: give the document's Markdown with --file FILE or --stdin, \
             or run `doc add` on a terminal to write it in $EDITOR; nothing was added"
                .into(),
        ));
    }
    let text = editor::edit("", "document")?;
    // As git does with an empty commit message: quitting without writing aborts.
    if text.trim().is_empty() {
        return Err(CliError::Failed(
            "the document is empty (nothing was written in the editor); nothing was added".into(),
        ));
    }
    Ok(text)
}

fn edit(
    h: &Handover,
    id: &ClientId,
    path: &str,
    mut patch: DocumentPatch,
    use_editor: bool,
) -> Result<(), CliError> {
    let nothing_else = patch.title.is_none() && patch.kind.is_none() && patch.path.is_none();
    if use_editor || (patch.body.is_none() && nothing_else) {
        let c = h.load(id)?;
        let d = kind::found::<Documents>(&c, path)?;
        patch.body = Some(editor::edit(&d.body, "document")?);
    }
    let changed = knowledge::edit_document(h, id, path, patch)?;
    kind::report_change::<Documents>(path, &changed);
    Ok(())
}

pub fn doc(cmd: DocCommand, h: &Handover, out: &mut Out) -> Result<(), CliError> {
    match cmd {
        DocCommand::Add {
            client,
            path,
            kind,
            title,
            body: source,
        } => add(h, &client, &path, kind, title, &source),
        DocCommand::Edit {
            client,
            path,
            kind,
            title,
            move_to,
            body: source,
            editor: use_editor,
        } => {
            let id = client_id(&client)?;
            let patch = DocumentPatch {
                title,
                kind,
                path: move_to,
                body: body(&source)?,
            };
            edit(h, &id, &path, patch, use_editor)
        }
        DocCommand::List { client, json } => kind::list::<Documents>(h, &client, json, out),
        DocCommand::Show { client, path, json } => {
            kind::show::<Documents>(h, &client, &path, json, out)
        }
        DocCommand::Remove { client, path } => kind::remove::<Documents>(h, &client, &path),
    }
}
