//! `handover decision add|edit|list|show|remove`: the client's decision log.

use chrono::NaiveDate;
use handover::model::{Client, ClientId, Decision, DecisionStatus};
use handover::workflows::Handover;
use handover::workflows::knowledge::{self, DecisionPatch};

use super::CliError;
use super::args::{DecisionArgs, DecisionCommand};
use super::context::client_id;
use super::editor;
use super::kind::{self, KnowledgeKind};
use super::knowledge_cmds::row;
use super::term::{Out, safe};

fn decision_patch(a: DecisionArgs) -> Result<DecisionPatch, CliError> {
    if a.why_file.as_deref().is_some_and(|f| f.as_os_str() == "-")
        && a.alternatives_file
            .as_deref()
            .is_some_and(|f| f.as_os_str() == "-")
    {
        return Err(CliError::Usage(
            "only one of --why-file and --alternatives-file can read stdin (-)".into(),
        ));
    }
    let why = match (a.why, a.why_file) {
        (Some(t), _) => Some(t),
        (None, Some(f)) => Some(editor::read_text(&f, "reasons")?),
        (None, None) => None,
    };
    let alternatives = match (a.alternatives, a.alternatives_file) {
        (Some(t), _) => Some(t),
        (None, Some(f)) => Some(editor::read_text(&f, "alternatives")?),
        (None, None) => None,
    };
    Ok(DecisionPatch {
        decision: a.decision,
        why,
        alternatives,
        decided_by: a.decided_by,
        ..DecisionPatch::default()
    })
}

pub(super) struct Decisions;

impl KnowledgeKind for Decisions {
    const WHAT: &'static str = "decision";
    type Record = Decision;

    fn find<'a>(client: &'a Client, title: &str) -> handover::Result<&'a Decision> {
        client.decision_named(title)
    }

    fn sorted(client: &Client) -> Vec<&Decision> {
        let mut decisions: Vec<&Decision> = client.decisions.iter().collect();
        decisions.sort_by(|a, b| (a.date, &a.title).cmp(&(b.date, &b.title)));
        decisions
    }

    fn list_line(d: &Decision, _today: chrono::NaiveDate) -> String {
        let status = match d.status {
            DecisionStatus::Current => "",
            DecisionStatus::Superseded => "  (superseded)",
        };
        format!("{}  {}{status}", d.date, safe(&d.title, false))
    }

    fn show(out: &mut Out, c: &Client, d: &Decision) -> Result<(), CliError> {
        row(out, "Title:", Some(&d.title))?;
        row(out, "Date:", Some(&d.date.to_string()))?;
        row(out, "Status:", Some(d.status.as_str()))?;
        let successor = d
            .superseded_by
            .and_then(|s| c.decisions.iter().find(|x| x.id == s))
            .map(|x| x.title.as_str());
        row(out, "Superseded by:", successor)?;
        row(out, "Decided by:", d.decided_by.as_deref())?;
        row(out, "Decision:", d.decision.as_deref())?;
        for (label, text) in [("Why:", &d.why), ("Alternatives:", &d.alternatives)] {
            if let Some(text) = text {
                out.line(label)?;
                out.line(&safe(text, true))?;
            }
        }
        Ok(())
    }

    fn remove(h: &Handover, id: &ClientId, title: &str) -> handover::Result<()> {
        knowledge::remove_decision(h, id, title)
    }
}

/// `--editor why|alternatives|decision`: that text of the decision, edited in
/// `$EDITOR`, goes into the patch (an emptied text clears it).
fn edit_in_editor(
    h: &Handover,
    id: &ClientId,
    title: &str,
    field: String,
    patch: &mut DecisionPatch,
) -> Result<(), CliError> {
    let c = h.load(id)?;
    let d = kind::found::<Decisions>(&c, title)?;
    let (slot, current_text) = match field.as_str() {
        "why" => (&mut patch.why, &d.why),
        "alternatives" => (&mut patch.alternatives, &d.alternatives),
        "decision" => (&mut patch.decision, &d.decision),
        other => {
            return Err(CliError::Usage(format!(
                "--editor {other:?}: use why, alternatives or decision"
            )));
        }
    };
    if slot.is_some() {
        return Err(CliError::Usage(format!(
            "the {field} is given twice (as an option and with --editor {field})"
        )));
    }
    let edited = editor::edit(current_text.as_deref().unwrap_or(""), &field)?;
    if current_text.as_deref() != Some(edited.as_str()) {
        if edited.trim().is_empty() {
            patch.clear.push(field);
        } else {
            *slot = Some(edited);
        }
    }
    Ok(())
}

fn add(
    h: &Handover,
    client: &str,
    title: &str,
    when: NaiveDate,
    text: DecisionArgs,
    supersedes: Option<&str>,
) -> Result<(), CliError> {
    let id = client_id(client)?;
    let patch = decision_patch(text)?;
    knowledge::add_decision(h, &id, title, when, patch, supersedes)?;
    eprintln!(
        "Recorded decision {} for client {}.",
        safe(title, false),
        id
    );
    Ok(())
}

pub fn decision(cmd: DecisionCommand, h: &Handover, out: &mut Out) -> Result<(), CliError> {
    match cmd {
        DecisionCommand::Add {
            client,
            title,
            date: when,
            text,
            supersedes,
        } => add(h, &client, &title, when, text, supersedes.as_deref()),
        DecisionCommand::Edit {
            client,
            title,
            new_title,
            date: when,
            text,
            superseded_by,
            current,
            editor: edit_field,
            clear,
        } => {
            let id = client_id(&client)?;
            let mut patch = decision_patch(text)?;
            patch.title = new_title;
            patch.date = when;
            patch.superseded_by = superseded_by;
            patch.current = current;
            patch.clear = clear;
            if let Some(field) = edit_field {
                edit_in_editor(h, &id, &title, field, &mut patch)?;
            }
            let changed = knowledge::edit_decision(h, &id, &title, patch)?;
            kind::report_change::<Decisions>(&title, &changed);
            Ok(())
        }
        DecisionCommand::List { client, json } => kind::list::<Decisions>(h, &client, json, out),
        DecisionCommand::Show {
            client,
            title,
            json,
        } => kind::show::<Decisions>(h, &client, &title, json, out),
        DecisionCommand::Remove { client, title } => kind::remove::<Decisions>(h, &client, &title),
    }
}
