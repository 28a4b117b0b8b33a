//! `bitwarden-csv`: Bitwarden's CSV export (`folder, favorite, type, name, notes,
//! fields, reprompt, login_uri, login_username, login_password, login_totp`). Only
//! logins and secure notes are in it; custom fields are `name: value` lines, without
//! saying which were hidden, so they come in as plain fields (use `bitwarden-json` to
//! keep hidden fields secret).

use crate::error::{Error, Result};
use crate::formats::csvutil::{self, Encoding, row_error};
use crate::formats::infer::{self, Hint};
use crate::formats::naming::PathAllocator;
use crate::formats::{Imported, totp_value};
use crate::model::{Entry, Field, Kind, Secret};

pub fn import(data: &[u8], source_name: &str) -> Result<Imported> {
    let (text, _) = csvutil::decode(data, Encoding::Utf8, source_name)?;
    // Bitwarden writes every column but no line break after the last row (and quotes
    // only cells that need it), so a file cut inside the last row's final cell cannot
    // be told from a whole one; a cut anywhere else is still refused.
    let layout = csvutil::Layout {
        ends_with_break_or_quote: false,
        ..csvutil::Layout::EXPORT
    };
    let table = csvutil::read_table(&text, b',', source_name, layout)?;
    let col = |name: &str| table.column(&[name]);
    let (Some(kind), Some(name), Some(password)) =
        (col("type"), col("name"), col("login_password"))
    else {
        return Err(Error::ImportFile {
            source_name: source_name.to_owned(),
            reason: "its header is not Bitwarden's (folder, favorite, type, name, notes, fields, …, login_password, login_totp); use --format csv for other spreadsheets".into(),
        });
    };
    let (folder, favorite, notes, fields) =
        (col("folder"), col("favorite"), col("notes"), col("fields"));
    let (uri, username, totp) = (col("login_uri"), col("login_username"), col("login_totp"));
    let mut paths = PathAllocator::default();
    let mut out = Imported::default();
    for row in &table.rows {
        let title = row.get(Some(name)).unwrap_or("").to_owned();
        let hint = match row.get(Some(kind)).unwrap_or("login") {
            "login" => Hint::Generic(Kind::Login, "Bitwarden login"),
            "note" => Hint::Generic(Kind::Note, "Bitwarden secure note"),
            _ => {
                let reason = "its type is neither login nor note";
                return Err(row_error(source_name, row, reason));
            }
        };
        let mut e = Entry::new("x".into(), Kind::Login);
        e.notes = row.get(notes).map(str::to_owned);
        e.username = row.get(username).map(str::to_owned);
        e.password = row.get(Some(password)).map(Secret::from);
        e.totp = row.get(totp).map(|t| totp_value(t, &title));
        if let Some(uris) = row.get(uri) {
            push_uris(&mut e, uris);
        }
        if let Some(text) = row.get(fields) {
            push_field_lines(&mut e, text);
        }
        if row
            .get(favorite)
            .is_some_and(|v| v == "1" || v.eq_ignore_ascii_case("true"))
        {
            e.tags.push("favorite".into());
        }
        let groups: Vec<&str> = row
            .get(folder)
            .map(|f| f.split('/').collect())
            .unwrap_or_default();
        paths.place(&mut e, &groups, title, None);
        infer::apply(&mut e, hint, false, &mut out.inferred);
        out.entries.push(e);
    }
    Ok(out)
}

/// The `login_uri` cell: one URL, or several joined by commas (each with a scheme);
/// the first is the entry's URL, the others become fields `url 2`, `url 3`, ….
fn push_uris(e: &mut Entry, uris: &str) {
    let parts: Vec<&str> = uris.split(',').map(str::trim).collect();
    let list = if parts.len() > 1 && parts.iter().all(|p| p.contains("://")) {
        parts
    } else {
        vec![uris]
    };
    for (i, u) in list.into_iter().enumerate() {
        if i == 0 {
            e.url = Some(u.to_owned());
        } else {
            e.fields.push(Field {
                name: format!("url {}", i + 1),
                value: Secret::from(u),
                secret: false,
            });
        }
    }
}

/// The `fields` cell: one `name: value` per line.
fn push_field_lines(e: &mut Entry, text: &str) {
    for line in text.split('\n') {
        let line = line.trim_end_matches('\r');
        if line.is_empty() {
            continue;
        }
        let (n, v) = line.split_once(": ").unwrap_or((line, ""));
        e.fields.push(Field {
            name: if n.trim().is_empty() {
                "field".into()
            } else {
                n.to_owned()
            },
            value: Secret::from(v),
            secret: false,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_logins_and_notes() {
        let data = "folder,favorite,type,name,notes,fields,reprompt,login_uri,login_username,login_password,login_totp\n\
            Kunden/A,1,login,Portal,\"two\nlines\",\"PIN: 12\nKd: 7\",0,\"https://a.example,https://b.example\",u,\"p,\"\"q\"\"\",JBSWY3DPEHPK3PXP\n\
            ,,note,Alarm,\"1234#\",,0,,,,\n\
            Kunden/A,,login,Portal,,,0,,,,\n";
        let got = import(data.as_bytes(), "t").unwrap().entries;
        assert_eq!(got[0].path, "Kunden/A/Portal");
        assert_eq!(got[0].password.as_ref().unwrap().expose(), "p,\"q\"");
        assert_eq!(got[0].url.as_deref(), Some("https://a.example"));
        assert_eq!(got[0].fields[0].name, "url 2");
        assert_eq!(got[0].fields[1].value.expose(), "12");
        assert_eq!(got[0].notes.as_deref(), Some("two\nlines"));
        assert!(
            got[0]
                .totp
                .as_ref()
                .unwrap()
                .expose()
                .starts_with("otpauth://")
        );
        assert_eq!(got[0].tags, ["favorite"]);
        assert_eq!(got[1].kind, Kind::Note);
        assert_eq!(got[2].path, "Kunden/A/Portal (2)");
        let bad = "type,name,login_password\nlogin,a,b\ncard,c,d\n";
        let err = import(bad.as_bytes(), "t").err().unwrap().to_string();
        assert!(err.contains("record 2"), "{err}");
    }
}
