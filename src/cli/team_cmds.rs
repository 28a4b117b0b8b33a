//! `team add`, `team remove`, `team list`.

use handover::workflows::team;

use super::CliError;
use super::args::TeamAction;
use super::context::Paths;
use super::signers_cmds::read_key_arg;
use super::term::{Out, safe};

pub fn team(action: TeamAction, paths: &Paths, out: &mut Out) -> Result<(), CliError> {
    match action {
        TeamAction::Add {
            name,
            recipient,
            signing_key,
            json,
        } => {
            let key = read_key_arg(&signing_key)?;
            let mut h = paths.open()?;
            let bar = bar("re-encrypting");
            let n = team::add(&mut h, &name, &recipient, &key, &|done, total| {
                set(&bar, done, total)
            })?;
            finish(bar);
            if json {
                let member = team::list(&h).into_iter().find(|m| m.signer.name == name);
                return out.json(&serde_json::json!({
                    "name": name,
                    "fingerprint": member.as_ref().map(|m| m.fingerprint.clone()),
                    "recipient": member.and_then(|m| m.signer.recipient),
                    "vaults": n,
                }));
            }
            out.line(&format!(
                "{} is a team member: their signing key is trusted and {n} vault(s) are encrypted to them. Run `handover sync` to share it.",
                safe(&name, false)
            ))
        }
        TeamAction::Remove {
            name,
            out: dir,
            lang,
            json,
        } => {
            let mut h = paths.open()?;
            let bar = bar("re-encrypting");
            let removed = team::remove(&mut h, &name, &dir, lang.language(), &|done, total| {
                set(&bar, done, total)
            })?;
            finish(bar);
            if json {
                return out.json(&serde_json::json!({
                    "name": name,
                    "vaults": removed.clients,
                    "rotation_lists": removed.lists.iter().map(|f| f.display().to_string()).collect::<Vec<_>>(),
                }));
            }
            out.line(&format!(
                "{} is no longer a member; {} vault(s) re-encrypted without them. They still know what they could read: {} rotation list(s) in {}. Run `handover sync` to share it.",
                safe(&name, false),
                removed.clients,
                removed.lists.len(),
                dir.display()
            ))
        }
        TeamAction::List { json } => list(paths, json, out),
    }
}

fn list(paths: &Paths, json: bool, out: &mut Out) -> Result<(), CliError> {
    let h = paths.open()?;
    let members = team::list(&h);
    if json {
        let v: Vec<serde_json::Value> = members
            .iter()
            .map(|m| {
                serde_json::json!({
                    "name": m.signer.name,
                    "fingerprint": m.fingerprint,
                    "recipient": m.signer.recipient,
                    "since": m.signer.added.to_rfc3339(),
                    "you": m.you,
                })
            })
            .collect();
        return out.json(&v);
    }
    for m in members {
        out.line(&format!(
            "{}{}  {}  {}  since {}",
            safe(&m.signer.name, false),
            if m.you { " (you)" } else { "" },
            m.fingerprint,
            m.signer.recipient.as_deref().unwrap_or("(no recipient)"),
            m.signer.added.format("%Y-%m-%d")
        ))?;
    }
    Ok(())
}

fn bar(what: &'static str) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(0).with_style(
        indicatif::ProgressStyle::with_template("{msg} {wide_bar} {pos}/{len} vaults ({eta})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.set_message(what);
    Some(bar)
}

fn set(bar: &Option<indicatif::ProgressBar>, done: usize, total: usize) {
    if let Some(bar) = bar {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    }
}

fn finish(bar: Option<indicatif::ProgressBar>) {
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
}
