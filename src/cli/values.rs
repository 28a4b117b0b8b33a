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
