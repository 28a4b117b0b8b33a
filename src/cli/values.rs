//! Value parsers: arguments that become the library's types while clap parses them,
//! so that a bad value is a usage error before a store is opened or a passphrase is
//! asked for, and the commands get typed values.

use std::ffi::OsStr;

use chrono::NaiveDate;
use clap::builder::TypedValueParser;
use clap::error::ErrorKind;
use clap::{Arg, Command};
use handover::formats;

/// A date option (`--expires`, `--term-end`, `--date`, …) in either form a person may
/// type, `2026-12-31` or `31.12.2026`: the one parser for every date on the command
/// line, and the one imported spreadsheets use.
#[derive(Clone, Copy, Debug)]
pub struct DateParser;

impl TypedValueParser for DateParser {
    type Value = NaiveDate;

    fn parse_ref(
        &self,
        cmd: &Command,
        arg: Option<&Arg>,
        value: &OsStr,
    ) -> Result<NaiveDate, clap::Error> {
        let text = value.to_string_lossy();
        formats::parse_date(&text).ok_or_else(|| {
            // The sentence names the option as the user typed it, as before clap
            // parsed dates, rather than clap's "invalid value … for …".
            let flag = arg
                .and_then(Arg::get_long)
                .map_or_else(String::new, |long| format!("--{long} "));
            clap::Error::raw(
                ErrorKind::ValueValidation,
                format!(
                    "{flag}{:?} is not a date; use {}; nothing was changed\n",
                    &*text,
                    formats::DATE_FORMS
                ),
            )
            .with_cmd(cmd)
        })
    }
}

/// `--format` of `import` or `export`: one of the library's formats or `bundle`
/// (which both take). An unknown name is refused with the closest known one, if one
/// is close, and for a PDF with the command that writes one.
#[derive(Clone, Copy, Debug)]
pub struct FormatParser {
    command: &'static str,
    known: &'static [&'static str],
}

impl FormatParser {
    pub const IMPORT: FormatParser = FormatParser {
        command: "import",
        known: formats::IMPORT_FORMATS,
    };
    pub const EXPORT: FormatParser = FormatParser {
        command: "export",
        known: formats::EXPORT_FORMATS,
    };

    fn all(self) -> impl Iterator<Item = &'static str> {
        self.known.iter().copied().chain(["bundle"])
    }
}

impl TypedValueParser for FormatParser {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &Command,
        _: Option<&Arg>,
        value: &OsStr,
    ) -> Result<String, clap::Error> {
        let text = value.to_string_lossy();
        if self.all().any(|f| f == text) {
            return Ok(text.into_owned());
        }
        let message = unknown_format(self.command, &text, self.known);
        Err(clap::Error::raw(ErrorKind::InvalidValue, format!("{message}\n")).with_cmd(cmd))
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(self.all().map(clap::builder::PossibleValue::new)))
    }
}

/// The refusal of an unknown `--format` of `import` or `export` (`known` does not list
/// `bundle`, which both take): the closest known name, if one is close, and for a PDF
/// the command that writes one.
fn unknown_format(command: &str, format: &str, known: &[&str]) -> String {
    let all: Vec<&str> = known.iter().copied().chain(["bundle"]).collect();
    let mut message = format!("unknown {command} format {format:?}");
    let wanted = format.trim().to_lowercase();
    if command == "export" && (wanted == "pdf" || wanted == "dossier") {
        message
            .push_str("; the printable PDF is the dossier: `handover dossier CLIENT -o FILE.pdf`");
    } else if let Some(close) = closest(&wanted, &all) {
        message.push_str(&format!("; did you mean --format {close}?"));
    }
    message.push_str(&format!("; the {command} formats are: {}", all.join(", ")));
    message
}

/// The candidate most similar to `input`, if any is similar enough to be a likely typo.
/// The measure (Jaro) and threshold are those of clap's own "did you mean", so that a
/// mistyped `--format` value is caught like a mistyped option name.
fn closest<'a>(input: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::jaro(input, c), *c))
        .filter(|(score, _)| *score > 0.7)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_format_names() {
        let export: Vec<&str> = FormatParser::EXPORT.all().collect();
        let import: Vec<&str> = FormatParser::IMPORT.all().collect();
        assert_eq!(closest("keepas-xml", &export), Some("keepass-xml"));
        assert_eq!(closest("keepassxc-xml", &export), Some("keepass-xml"));
        assert_eq!(closest("keepasxc-csv", &import), Some("keepassxc-csv"));
        assert_eq!(closest("1password", &import), Some("1password-csv"));
        assert_eq!(closest("jsn", &import), Some("json"));
        assert_eq!(closest("bundel", &import), Some("bundle"));
        // Nothing close: no guess.
        assert_eq!(closest("pdf", &export), None);
        assert_eq!(closest("lastpass", &import), None);
    }

    #[test]
    fn unknown_format_messages() {
        let m = unknown_format("export", "PDF", formats::EXPORT_FORMATS);
        assert!(m.contains("`handover dossier CLIENT -o FILE.pdf`"), "{m}");
        assert!(!m.contains("did you mean"), "{m}");
        let m = unknown_format("import", "KeePas-XML", formats::IMPORT_FORMATS);
        assert!(m.contains("did you mean --format keepass-xml?"), "{m}");
        assert!(m.ends_with("1password-csv, csv, kdbx, bundle"), "{m}");
    }
}

/// A library type with a fixed list of names (entry kinds, system categories, …).
pub trait Named: Copy + Send + Sync + 'static {
    fn all() -> &'static [Self];
    fn name(self) -> &'static str;
}

macro_rules! named {
    ($($t:ty),+) => {
        $(impl Named for $t {
            fn all() -> &'static [Self] {
                <$t>::ALL
            }
            fn name(self) -> &'static str {
                self.as_str()
            }
        })+
    };
}

impl Named for handover::model::Kind {
    fn all() -> &'static [Self] {
        &Self::ALL
    }
    fn name(self) -> &'static str {
        self.as_str()
    }
}

named!(
    handover::model::Category,
    handover::model::Criticality,
    handover::model::DocumentKind,
    handover::model::Charset
);

/// One of a [`Named`] type's names, parsed into that type by clap, which lists them
/// in the help and suggests the closest for a mistyped one.
#[derive(Clone, Copy, Debug)]
pub struct OneOf<T>(std::marker::PhantomData<T>);

impl<T> OneOf<T> {
    pub const fn new() -> Self {
        OneOf(std::marker::PhantomData)
    }
}

impl<T: Named> TypedValueParser for OneOf<T> {
    type Value = T;

    fn parse_ref(&self, cmd: &Command, arg: Option<&Arg>, value: &OsStr) -> Result<T, clap::Error> {
        let names = clap::builder::PossibleValuesParser::new(T::all().iter().map(|t| t.name()));
        let name = names.parse_ref(cmd, arg, value)?;
        T::all()
            .iter()
            .copied()
            .find(|t| t.name() == name)
            .ok_or_else(|| clap::Error::new(ErrorKind::InvalidValue).with_cmd(cmd))
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(
            T::all()
                .iter()
                .map(|t| clap::builder::PossibleValue::new(t.name())),
        ))
    }
}

/// One of a list of names from the library (the values `--clear` takes).
pub fn one_of(names: &'static [&'static str]) -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(names.iter().copied())
}
