//! The entry commands: `add`, `edit`, `show`, `list`, `remove`, `move`, `totp` and
//! `rotate`, and how the shared entry options become a patch.

use handover::error::Error;
use handover::model::names::command;
use handover::model::{Charset, ClientId, Entry, Field, Kind, SSID_FIELD, Secret, is_ssid_field};
use handover::workflows::Handover;
use handover::workflows::entries::{self, EntryPatch};
use handover::workflows::rotate::{self, Rotation};

use super::CliError;
use super::args::{
    AddArgs, EditArgs, EntryArgs, ListArgs, MoveArgs, RemoveArgs, RotateArgs, ShowArgs, TotpArgs,
};
use super::context::{Paths, client_id, today};
use super::show;
use super::term::{self, Out, safe, shell_word};

pub fn add(a: AddArgs, paths: &Paths) -> Result<(), CliError> {
    let AddArgs {
        client,
        path,
        entry,
        no_password,
    } = a;
    let id = client_id(&client)?;
    let h = paths.open()?;
    // Fail on a missing client before asking for any secret; the update reuses it.
    h.peek(&id, |_| Ok::<(), handover::Error>(()))?;
    let ask_password = !no_password
        && !entry.password_stdin
        && entry.generate.is_none()
        && term::stdin_is_terminal();
    let ask = if ask_password { Ask::Once } else { Ask::No };
    let patch = entry_patch(entry, ask, None)?;
    let added = entries::add(&h, &id, &path, patch)?;
    eprintln!(
        "Added {} to client {}.",
        safe(&added.path, false),
        id.as_str()
    );
    Ok(())
}

pub fn edit(a: EditArgs, paths: &Paths) -> Result<(), CliError> {
    let EditArgs {
        client,
        path,
        prefix,
        entry,
        password,
        clear,
        remove_field,
        remove_tag,
    } = a;
    let id = client_id(&client)?;
    let h = paths.open()?;
    let Some(path) = path else {
        let only_kind =
            !password && clear.is_empty() && remove_field.is_empty() && remove_tag.is_empty();
        return edit_kind_under(&h, &id, prefix.as_deref().unwrap_or(""), entry, only_kind);
    };
    // The update reuses the client read here.
    let mut patch = h.peek(&id, |client| -> Result<EntryPatch, CliError> {
        let existing = &client.entries[client.entry_named(&path)?];
        // Refuse before asking for any secret; `entries::edit` refuses too.
        for spec in &entry.field {
            let name = spec.split_once('=').map_or(spec.as_str(), |(n, _)| n);
            if !remove_field.iter().any(|r| r == name)
                && existing.fields.iter().any(|f| f.secret && f.name == name)
            {
                return Err(entries::secret_field_via_argv(&path, name).into());
            }
        }
        let ask = if password { Ask::Confirmed } else { Ask::No };
        entry_patch(entry, ask, Some(existing))
    })?;
    patch.clear = clear;
    patch.remove_fields = remove_field;
    patch.remove_tags = remove_tag;
    let changed = entries::edit(&h, &id, &path, patch)?;
    if changed.is_empty() {
        eprintln!("Nothing changed.");
    } else {
        eprintln!("Changed {}: {}.", safe(&path, false), changed.join(", "));
    }
    Ok(())
}

/// `edit CLIENT --prefix FOLDER --kind KIND`: lists every entry it changed.
/// `only_kind`: no option outside `entry` was given.
fn edit_kind_under(
    h: &Handover,
    id: &ClientId,
    prefix: &str,
    entry: EntryArgs,
    only_kind: bool,
) -> Result<(), CliError> {
    let Some(kind) = entry.kind else {
        return Err(CliError::Usage("--prefix needs --kind KIND".into()));
    };
    let just_kind = EntryArgs {
        kind: entry.kind,
        ..EntryArgs::default()
    };
    // Compared as a whole, so that an option added to EntryArgs later is refused
    // here too rather than silently ignored.
    if !only_kind || format!("{entry:?}") != format!("{just_kind:?}") {
        return Err(CliError::Usage(
            "--prefix changes only the kind of many entries: give --kind alone, and edit other values entry by entry".into(),
        ));
    }
    let report = entries::set_kind_under(h, id, prefix, kind)?;
    for (path, old) in &report.changed {
        eprintln!("  {} {old} \u{2192} {kind}", safe(path, false));
    }
    let n = report.changed.len();
    eprintln!(
        "Changed the kind of {n} {} under {}/ to {kind} ({} already {kind}).",
        if n == 1 { "entry" } else { "entries" },
        safe(prefix.trim_end_matches('/'), false),
        report.unchanged.len(),
    );
    Ok(())
}

pub fn show(a: ShowArgs, paths: &Paths, out: &mut Out) -> Result<(), CliError> {
    let ShowArgs {
        client,
        path,
        reveal,
        history,
        json,
    } = a;
    let id = client_id(&client)?;
    let entry = paths.open()?.load_entry(&id, &path)?;
    show::entry(&entry, reveal, history, json, out)
}

pub fn list(a: ListArgs, paths: &Paths, out: &mut Out) -> Result<(), CliError> {
    let ListArgs { client, json } = a;
    let id = client_id(&client)?;
    let c = paths.open()?.load(&id)?;
    show::entry_list(&c, json, out)
}

pub fn remove(a: RemoveArgs, paths: &Paths) -> Result<(), CliError> {
    let RemoveArgs { client, path } = a;
    let id = client_id(&client)?;
    entries::remove(&paths.open()?, &id, &path)?;
    eprintln!(
        "Removed {} from client {}.",
        safe(&path, false),
        id.as_str()
    );
    Ok(())
}

/// `handover move`.
pub fn rename(a: MoveArgs, paths: &Paths) -> Result<(), CliError> {
    let MoveArgs { client, from, to } = a;
    let id = client_id(&client)?;
    entries::rename(&paths.open()?, &id, &from, &to)?;
    eprintln!("Moved {} to {}.", safe(&from, false), safe(&to, false));
    Ok(())
}

pub fn totp(a: TotpArgs, paths: &Paths, out: &mut Out) -> Result<(), CliError> {
    let TotpArgs { client, path } = a;
    let id = client_id(&client)?;
    let entry = paths.open()?.load_entry(&id, &path)?;
    let totp = entry.totp.as_ref().ok_or_else(|| {
        Error::Invalid(format!(
            "entry {:?} has no TOTP secret; add one with {}",
            entry.path,
            command(&["edit", id.as_str(), &entry.path, "--totp"])
        ))
    })?;
    let now = chrono::Utc::now().timestamp().max(0) as u64;
    let (code, remaining) = handover::totp::code_at(totp, now)?;
    out.line(&code)?;
    eprintln!("(valid for {remaining} more seconds)");
    Ok(())
}

pub fn rotate(a: RotateArgs, paths: &Paths, out: &mut Out) -> Result<(), CliError> {
    let RotateArgs {
        client,
        path,
        password_stdin,
        generate,
        charset,
        mark,
        json,
    } = a;
    let (h, id, path) = (&paths.open()?, &client_id(&client)?, path.as_str());
    // Fail on a missing client or entry before asking for any secret; the update
    // reuses the client read here.
    let (had_password, path) = h.peek(id, |client| {
        let e = &client.entries[client.entry_named(path)?];
        Ok::<_, handover::Error>((e.password.is_some(), e.path.clone()))
    })?;
    let path = path.as_str();
    let rotation = if mark {
        Rotation::Marked
    } else {
        let password = password(password_stdin, generate, charset, Ask::Confirmed)?;
        Rotation::NewPassword(password.unwrap_or_default(), charset)
    };
    let day = today()?;
    rotate::rotate(h, id, path, rotation, day)?;
    if json {
        let how = match (mark, generate.is_some()) {
            (true, _) => "marked",
            (false, true) => "generated",
            (false, false) => "new-password",
        };
        return out.json(&RotateReport {
            client: id.as_str(),
            path,
            rotated: day,
            how,
            charset: charset.map(|c| c.as_str()),
            previous_kept: had_password && !mark,
        });
    }
    let (client, entry) = (shell_word(id.as_str()), shell_word(path));
    if mark {
        eprintln!(
            "Recorded that {} was rotated elsewhere; you are no longer marked as knowing it.",
            safe(path, false)
        );
        return Ok(());
    }
    if generate.is_some() {
        eprintln!(
            "Rotated {}: a new password is set (see it with `handover show {client} {entry} --reveal`); change it on the system itself too.",
            safe(path, false),
        );
    } else {
        eprintln!("Rotated {}.", safe(path, false));
    }
    if had_password {
        eprintln!(
            "The previous password is kept: `handover show {client} {entry} --history --reveal` shows it; if the change on the system fails, put it back with `handover rotate {client} {entry} --password-stdin`."
        );
    }
    Ok(())
}

/// What `rotate --json` prints: what was recorded, never the password.
#[derive(serde::Serialize)]
struct RotateReport<'a> {
    client: &'a str,
    path: &'a str,
    rotated: chrono::NaiveDate,
    /// `new-password` (typed or from stdin), `generated` or `marked`.
    how: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    charset: Option<&'static str>,
    /// Whether the replaced password is kept (`show --history --reveal`).
    previous_kept: bool,
}

/// Whether to ask for a password on the terminal.
enum Ask {
    No,
    /// Once, then a second time to confirm unless the answer was empty (no password,
    /// for `add`).
    Once,
    /// Twice, both must match (for changing a password).
    Confirmed,
}

/// Builds a patch from the shared entry options, asking for secrets as needed, the
/// password first. `existing` is the entry being edited (`None` for `add`).
fn entry_patch(a: EntryArgs, ask: Ask, existing: Option<&Entry>) -> Result<EntryPatch, CliError> {
    let mut patch = EntryPatch {
        title: a.title,
        kind: a.kind,
        url: a.url,
        host: a.host,
        port: a.port,
        username: a.username,
        notes: a.note,
        add_tags: a.tag,
        location: a.location,
        owner: a.owner.as_deref().map(str::parse).transpose()?,
        provider_knows: a.provider_knows,
        expires: a.expires,
        rotated: a.rotated,
        ..EntryPatch::default()
    };
    let secret_names: Vec<&String> = a
        .secret_field
        .iter()
        .chain(a.secret_field_stdin.as_ref())
        .collect();
    plain_fields(&mut patch, a.field, &secret_names)?;
    if let Some(ssid) = a.ssid {
        ssid_field(&mut patch, ssid, existing)?;
    }
    if let Some(name) = a.secret_field_stdin {
        let value = term::read_stdin_secret("--secret-field-stdin")?;
        patch.set_fields.push(Field {
            name,
            value,
            secret: true,
        });
    }
    patch.password = password(a.password_stdin, a.generate, a.charset, ask)?;
    patch.charset = a.charset;
    ask_secrets(&mut patch, a.totp, a.recovery_codes, a.secret_field)?;
    Ok(patch)
}

/// The secrets asked for on the terminal: `--totp`, `--recovery-codes`,
/// `--secret-field NAME`.
fn ask_secrets(
    patch: &mut EntryPatch,
    totp: bool,
    recovery_codes: bool,
    secret_fields: Vec<String>,
) -> Result<(), CliError> {
    if totp {
        let what = "the TOTP secret";
        let seed = term::prompt_secret("TOTP secret (otpauth:// URI or base32): ", what)?;
        patch.totp = Some(term::refuse_empty(seed, what)?);
    }
    if recovery_codes {
        let codes = term::prompt_secret("Recovery codes (comma-separated): ", "recovery codes")?;
        patch.recovery_codes = Some(
            codes
                .expose()
                .split(',')
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(Secret::from)
                .collect(),
        );
    }
    for name in secret_fields {
        let what = format!("field {name:?}");
        let value = term::prompt_secret(&format!("{}: ", safe(&name, false)), &what)?;
        let value = term::refuse_empty(value, &what)?;
        patch.set_fields.push(Field {
            name,
            value,
            secret: true,
        });
    }
    Ok(())
}

/// `--field NAME=VALUE`, repeated: plain fields, refused when also given as secret.
fn plain_fields(
    patch: &mut EntryPatch,
    specs: Vec<String>,
    secret_names: &[&String],
) -> Result<(), CliError> {
    for spec in specs {
        let Some((name, value)) = spec.split_once('=') else {
            return Err(CliError::Usage(format!(
                "--field {spec:?} needs the form NAME=VALUE (use --secret-field NAME for secrets)"
            )));
        };
        if secret_names.iter().any(|s| *s == name) {
            return Err(CliError::Usage(format!(
                "field {name:?} is given both as --field (plain, its value on the command line) and as a secret field; give it only as --secret-field {name:?}; nothing was changed"
            )));
        }
        patch.set_fields.push(Field {
            name: name.to_owned(),
            value: Secret::from(value),
            secret: false,
        });
    }
    Ok(())
}

/// The new password: from stdin, generated (from `charset`, all kinds of character
/// when not given), or asked for as `ask` says.
fn password(
    stdin: bool,
    generate: Option<usize>,
    charset: Option<Charset>,
    ask: Ask,
) -> Result<Option<Secret>, CliError> {
    if stdin {
        return Ok(Some(term::read_stdin_secret("--password-stdin")?));
    }
    if let Some(len) = generate {
        let charset = charset.unwrap_or(Charset::Full);
        return Ok(Some(handover::generate::generate(len, charset)?));
    }
    match ask {
        Ask::No => Ok(None),
        Ask::Once => {
            let pw = term::prompt_secret("Password (empty for none): ", "the password")?;
            // A typo in a password nobody else knows yet would be stored silently;
            // "no password" needs no second answer.
            if pw.is_empty() {
                return Ok(None);
            }
            term::confirm_secret(&pw, "the password")?;
            Ok(Some(pw))
        }
        Ask::Confirmed => Ok(Some(term::prompt_new_nonempty(
            "New password: ",
            "the password",
        )?)),
    }
}

/// `--ssid NAME`: the plain field `SSID` (the name the importers and the dossier
/// look for), on a wifi entry only; `add --ssid` without `--kind` makes one.
fn ssid_field(
    patch: &mut EntryPatch,
    ssid: String,
    existing: Option<&Entry>,
) -> Result<(), CliError> {
    if ssid.trim().is_empty() {
        return Err(CliError::Usage(
            "--ssid needs the network's name; nothing was changed".into(),
        ));
    }
    match patch.kind.or(existing.map(|e| e.kind)) {
        None => patch.kind = Some(Kind::Wifi),
        Some(Kind::Wifi) => {}
        Some(kind) => {
            return Err(CliError::Usage(format!(
                "--ssid is for wifi entries, and this is a {kind} entry; add --kind wifi if it is a Wi-Fi network; nothing was changed"
            )));
        }
    }
    // Keep the spelling of an SSID field the entry already has (`ssid`, `Ssid`), so
    // that it is replaced rather than doubled.
    let name = existing
        .and_then(|e| e.fields.iter().find(|f| is_ssid_field(&f.name)))
        .map_or_else(|| SSID_FIELD.to_owned(), |f| f.name.clone());
    if patch.set_fields.iter().any(|f| is_ssid_field(&f.name)) {
        return Err(CliError::Usage(
            "the SSID is given both as --ssid and as --field; give it once; nothing was changed"
                .into(),
        ));
    }
    patch.set_fields.push(Field {
        name,
        value: Secret::from(ssid.as_str()),
        secret: false,
    });
    Ok(())
}
