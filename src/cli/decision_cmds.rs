//! `handover decision add|edit|list|show|remove`: the client's decision log.

use handover::model::{Decision, DecisionStatus};
use handover::workflows::Handover;
use handover::workflows::knowledge::{self, DecisionPatch};

use super::CliError;
use super::args::{DecisionArgs, DecisionCommand};
use super::context::{client_id, date_option};
use super::editor;
use super::knowledge_cmds::{no_such, report_change, row};
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

pub fn decision(cmd: DecisionCommand, h: &Handover, out: &mut Out) -> Result<(), CliError> {
    match cmd {
        DecisionCommand::Add {
            client,
            title,
            date: when,
            text,
            supersedes,
        } => {
            let id = client_id(&client)?;
            let when = date_option(Some(&when), "date")?.unwrap_or_default();
            let patch = decision_patch(text)?;
            knowledge::add_decision(h, &id, &title, when, patch, supersedes.as_deref())?;
            eprintln!(
                "Recorded decision {} for client {}.",
                safe(&title, false),
                id
            );
            Ok(())
        }
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
            patch.date = date_option(when.as_deref(), "date")?;
            patch.superseded_by = superseded_by;
            patch.current = current;
            patch.clear = clear;
            if let Some(field) = edit_field {
                let c = h.load(&id)?;
                let d = c
                    .decisions
                    .iter()
                    .find(|d| d.title == title || d.title.to_lowercase() == title.to_lowercase())
                    .ok_or_else(|| no_such(&c, "decision", &title))?;
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
                        patch.clear.push(field.clone());
                    } else {
                        *slot = Some(edited);
                    }
                }
            }
            let changed = knowledge::edit_decision(h, &id, &title, patch)?;
            report_change("decision", &title, &changed);
            Ok(())
        }
        DecisionCommand::List { client, json } => {
            let c = h.load(&client_id(&client)?)?;
            let mut decisions: Vec<&Decision> = c.decisions.iter().collect();
            decisions.sort_by(|a, b| (a.date, &a.title).cmp(&(b.date, &b.title)));
            if json {
                return out.json(&decisions);
            }
            for d in decisions {
                let status = match d.status {
                    DecisionStatus::Current => "",
                    DecisionStatus::Superseded => "  (superseded)",
                };
                out.line(&format!("{}  {}{status}", d.date, safe(&d.title, false)))?;
            }
            Ok(())
        }
        DecisionCommand::Show {
            client,
            title,
            json,
        } => {
            let c = h.load(&client_id(&client)?)?;
            let d = c
                .decisions
                .iter()
                .find(|d| d.title == title || d.title.to_lowercase() == title.to_lowercase())
                .ok_or_else(|| no_such(&c, "decision", &title))?;
            if json {
                return out.json(d);
            }
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
        DecisionCommand::Remove { client, title } => {
            let id = client_id(&client)?;
            knowledge::remove_decision(h, &id, &title)?;
            eprintln!(
                "Removed decision {} from client {}.",
                safe(&title, false),
                id
            );
            Ok(())
        }
    }
}
