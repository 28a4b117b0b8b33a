//! Acknowledging a warning of `check` (`check --ack`), and taking it back (`--unack`).

use chrono::{NaiveDate, Utc};

use crate::error::{Error, Result};
use crate::model::{Acknowledgement, ClientId, EventKind};
use crate::workflows::check::{self, CheckOptions, Code, Severity};
use crate::workflows::{Handover, history};

/// The longest reason kept with an acknowledgement.
pub const MAX_WHY_CHARS: usize = 500;

/// Acknowledges the warning `code` about `target` (an entry path, system or vendor
/// name; `None` for the client as a whole) with the reason `why`. The warning must be
/// one `check` reports now, so that a typo does not acknowledge nothing.
pub fn acknowledge(
    h: &Handover,
    id: &ClientId,
    code: &str,
    target: Option<&str>,
    why: &str,
    options: &CheckOptions,
    today: NaiveDate,
) -> Result<()> {
    let code = parse_code(code)?;
    let why = why.trim();
    if why.is_empty() || why.chars().count() > MAX_WHY_CHARS || why.chars().any(char::is_control) {
        return Err(Error::Invalid(format!(
            "--why needs the reason, one line of 1 to {MAX_WHY_CHARS} characters; nothing was changed"
        )));
    }
    h.update(id, |client| {
        let (findings, acked) = check::check_with_acks(client, options, today);
        let about = |f: &check::Finding| f.code == code && check::target(f) == target;
        if acked.iter().any(|(f, _)| about(f)) {
            return Err(Error::Invalid(format!(
                "{} is already acknowledged; `--unack {}` takes it back; nothing was changed",
                describe(code, target),
                code.as_str()
            )));
        }
        let Some(finding) = findings.iter().find(|f| about(f)) else {
            return Err(Error::Invalid(format!(
                "`check` reports no {} now; acknowledge a warning it lists (code and path as it prints them); nothing was changed",
                describe(code, target).trim_start_matches("the ")
            )));
        };
        if finding.severity == Severity::Blocking {
            return Err(Error::Invalid(format!(
                "{} is blocking: a successor would be stuck, so it cannot be acknowledged, only fixed; nothing was changed",
                describe(code, target)
            )));
        }
        client.acknowledged.push(Acknowledgement {
            code: code.as_str().to_owned(),
            target: target.map(str::to_owned),
            why: why.to_owned(),
            at: Utc::now(),
        });
        client.record(
            history::event(EventKind::ClientChanged)
                .with_fields(&["acknowledged"])
                .with_detail(format!("acknowledged {}: {why}", describe(code, target))),
        );
        Ok(())
    })
}

/// Takes back the acknowledgement of `code` about `target`.
pub fn unacknowledge(h: &Handover, id: &ClientId, code: &str, target: Option<&str>) -> Result<()> {
    let code = parse_code(code)?;
    h.update(id, |client| {
        let before = client.acknowledged.len();
        client
            .acknowledged
            .retain(|a| !(a.code == code.as_str() && a.target.as_deref() == target));
        if client.acknowledged.len() == before {
            return Err(Error::Invalid(format!(
                "{} is not acknowledged; nothing was changed",
                describe(code, target)
            )));
        }
        client.record(
            history::event(EventKind::ClientChanged)
                .with_fields(&["acknowledged"])
                .with_detail(format!(
                    "took back the acknowledgement of {}",
                    describe(code, target)
                )),
        );
        Ok(())
    })
}

fn parse_code(code: &str) -> Result<Code> {
    Code::ALL
        .into_iter()
        .find(|c| c.as_str() == code)
        .ok_or_else(|| {
            let all: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
            Error::Invalid(format!(
                "{code:?} is not a finding code of `check`; use one of: {}",
                all.join(", ")
            ))
        })
}

fn describe(code: Code, target: Option<&str>) -> String {
    match target {
        Some(t) => format!("the warning {} for {t:?}", code.as_str()),
        None => format!("the warning {} about the client", code.as_str()),
    }
}
