//! `handover doc add|edit|list|show|remove`: the client's documents (Markdown pages),
//! from a file, stdin or `$EDITOR`.

use handover::model::Document;
use handover::workflows::Handover;
use handover::workflows::knowledge::{self, DocumentPatch};
use serde::Serialize;

use super::CliError;
use super::args::{BodyArgs, DocCommand};
use super::context::client_id;
use super::editor;
use super::knowledge_cmds::{no_such, parsed, report_change};
use super::term::{Out, safe};

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

pub fn doc(cmd: DocCommand, h: &Handover, out: &mut Out) -> Result<(), CliError> {
    match cmd {
        DocCommand::Add {
            client,
            path,
            kind,
            title,
            body: source,
        } => {
            let id = client_id(&client)?;
            let kind = kind.parse()?;
            let Some(text) = body(&source)? else {
                return Err(CliError::Usage(
                    "give the document's Markdown with --file FILE or --stdin".into(),
                ));
            };
            let patch = DocumentPatch {
                title,
                body: Some(text),
                ..DocumentPatch::default()
            };
            knowledge::add_document(h, &id, &path, kind, patch)?;
            eprintln!("Added document {} to client {}.", safe(&path, false), id);
            Ok(())
        }
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
            let mut patch = DocumentPatch {
                title,
                kind: parsed(kind)?,
                path: move_to,
                body: body(&source)?,
            };
            let nothing_else =
                patch.title.is_none() && patch.kind.is_none() && patch.path.is_none();
            if use_editor || (patch.body.is_none() && nothing_else) {
                let c = h.load(&id)?;
                let d = c.document(&path).ok_or_else(|| no_such(&c, "doc", &path))?;
                patch.body = Some(editor::edit(&d.body, "document")?);
            }
            let changed = knowledge::edit_document(h, &id, &path, patch)?;
            report_change("document", &path, &changed);
            Ok(())
        }
        DocCommand::List { client, json } => {
            let c = h.load(&client_id(&client)?)?;
            let mut docs: Vec<&Document> = c.documents.iter().collect();
            docs.sort_by(|a, b| a.path.cmp(&b.path));
            if json {
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
                return out.json(&rows);
            }
            for d in docs {
                out.line(&format!(
                    "{:<36} {:<16} {}",
                    safe(&d.path, false),
                    d.kind.as_str(),
                    safe(d.display_title(), false)
                ))?;
            }
            Ok(())
        }
        DocCommand::Show { client, path, json } => {
            let c = h.load(&client_id(&client)?)?;
            let d = c.document(&path).ok_or_else(|| no_such(&c, "doc", &path))?;
            if json {
                return out.json(d);
            }
            out.line(&safe(&d.body, true))
        }
        DocCommand::Remove { client, path } => {
            let id = client_id(&client)?;
            knowledge::remove_document(h, &id, &path)?;
            eprintln!(
                "Removed document {} from client {}.",
                safe(&path, false),
                id
            );
            Ok(())
        }
    }
}
