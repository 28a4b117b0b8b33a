//! Everything that touches the terminal: prompts, safe printing of names that came
//! from outside, and output that tolerates a closed pipe.

use std::io::{self, IsTerminal, Write};

use handover::model::Secret;
use handover::model::limits::MAX_SECRET_BYTES;
use handover::model::names;
use handover::prompt::Prompter;
use zeroize::Zeroizing;

use super::CliError;

/// Asks on the controlling terminal without echo. rpassword reads /dev/tty, so this
/// works even when stdin carries `--password-stdin` data.
pub fn prompt_secret(prompt: &str, what: &str) -> Result<Secret, CliError> {
    match rpassword::prompt_password(prompt) {
        Ok(value) => Ok(Secret::from(Zeroizing::new(value))),
        Err(_) => Err(CliError::Usage(format!(
            "cannot ask for {what}: there is no terminal to prompt on; use --password-stdin for a password, or `handover import --format json` for entries with several secrets"
        ))),
    }
}

/// The refusal of an empty secret typed at a prompt or given on stdin: storing one
/// would show `********` as if something were there.
pub fn refuse_empty(secret: Secret, what: &str) -> Result<Secret, CliError> {
    if secret.is_empty() {
        return Err(CliError::Lib(handover::Error::Invalid(format!(
            "{what} is empty, and an empty secret is not stored; nothing was changed (to remove a secret, use `handover edit` with --clear)"
        ))));
    }
    Ok(secret)
}

/// Asks for a new secret that must not be empty, twice; both answers must match.
pub fn prompt_new_nonempty(prompt: &str, what: &str) -> Result<Secret, CliError> {
    let first = refuse_empty(prompt_secret(prompt, what)?, what)?;
    confirm_secret(&first, what)?;
    Ok(first)
}

/// Asks twice and insists both answers match.
pub fn prompt_new_secret(prompt: &str, what: &str) -> Result<Secret, CliError> {
    let first = prompt_secret(prompt, what)?;
    confirm_secret(&first, what)?;
    Ok(first)
}

/// Asks for `first` again and insists the answers match.
pub fn confirm_secret(first: &Secret, what: &str) -> Result<(), CliError> {
    let second = prompt_secret("Repeat to confirm: ", what)?;
    if *first != second {
        return Err(CliError::Usage(format!(
            "the two answers for {what} differ (a typo?); nothing was changed, run the command again"
        )));
    }
    Ok(())
}

/// Reads all of stdin as a secret for `flag`, removing exactly one trailing newline
/// (`\n` or `\r\n`), so that `printf 'pw\n' | handover add …` stores `pw`. At most
/// [`MAX_SECRET_BYTES`] are taken (docs/FORMAT.md, "Limits"); more is refused without
/// reading on, so endless input (`< /dev/zero`) ends at once.
pub fn read_stdin_secret(flag: &str) -> Result<Secret, CliError> {
    let secret = read_secret(&mut io::stdin().lock(), flag)?;
    refuse_empty(secret, &format!("{flag}: stdin"))
}

/// [`read_stdin_secret`] from any reader. The buffer is allocated once at its final
/// size and never grows, so no copy of the secret is left in freed memory.
pub fn read_secret(input: &mut dyn io::Read, flag: &str) -> Result<Secret, CliError> {
    // Room for the largest secret, its line end, and one byte more to tell that the
    // input is longer.
    let mut buf = Zeroizing::new(vec![0u8; MAX_SECRET_BYTES + 3]);
    let mut len = 0;
    while len < buf.len() {
        match input.read(&mut buf[len..]) {
            Ok(0) => break,
            Ok(n) => len += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                return Err(CliError::Usage(format!(
                    "{flag}: cannot read the secret from stdin: {e}"
                )));
            }
        }
    }
    buf.truncate(len);
    if buf.ends_with(b"\r\n") {
        buf.truncate(len - 2);
    } else if buf.ends_with(b"\n") {
        buf.truncate(len - 1);
    }
    if buf.len() > MAX_SECRET_BYTES {
        return Err(CliError::Lib(handover::Error::Invalid(format!(
            "{flag}: stdin holds more than {MAX_SECRET_BYTES} bytes (64 KiB), the most a secret may have; nothing was changed"
        ))));
    }
    let text = std::str::from_utf8(&buf)
        .map_err(|_| CliError::Usage(format!("{flag}: the secret on stdin is not UTF-8 text")))?;
    Ok(Secret::from(text))
}

pub fn stdin_is_terminal() -> bool {
    io::stdin().is_terminal()
}

/// Asks a yes/no question on the terminal (plain echo); `false` without a terminal.
pub fn confirm(question: &str) -> bool {
    if !io::stdin().is_terminal() {
        return false;
    }
    eprint!("{question} [y/N] ");
    let _ = io::stderr().flush();
    let mut answer = String::new();
    io::stdin().read_line(&mut answer).is_ok()
        && matches!(answer.trim(), "y" | "Y" | "yes" | "j" | "ja")
}

pub struct TerminalPrompter;

impl Prompter for TerminalPrompter {
    fn passphrase(&self, prompt: &str) -> Option<Secret> {
        rpassword::prompt_password(prompt)
            .ok()
            .map(|p| Secret::from(Zeroizing::new(p)))
    }
}

/// Escapes control characters (an imported title could carry terminal escape
/// sequences) and bidirectional-text controls (a right-to-left override makes
/// `invoice-fdp.exe` display as `invoice-exe.pdf`). `keep_newlines` keeps `\n` and
/// `\t` for multi-line values.
pub fn safe(s: &str, keep_newlines: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if (c.is_control() && !(keep_newlines && (c == '\n' || c == '\t'))) || is_bidi_control(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// `s` as one word for a POSIX shell (see [`names::shell_word`]), shown [`safe`]ly.
pub fn shell_word(s: &str) -> String {
    safe(&names::shell_word(s), false)
}

/// The Unicode bidirectional formatting characters: marks, embeddings, overrides and
/// isolates. They are invisible and reorder the text around them.
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// Standard output for results. Errors (a closed pipe) propagate as `CliError::Io`.
pub struct Out {
    inner: io::BufWriter<io::StdoutLock<'static>>,
}

impl Out {
    pub fn new() -> Self {
        Out {
            inner: io::BufWriter::new(io::stdout().lock()),
        }
    }

    pub fn line(&mut self, s: &str) -> Result<(), CliError> {
        self.inner.write_all(s.as_bytes())?;
        self.inner.write_all(b"\n")?;
        Ok(())
    }

    /// Pretty JSON, with bidirectional controls, DEL and C1 controls (which serde_json
    /// leaves raw) written as `\uXXXX` escapes: the same data for a parser, but harmless
    /// when the output lands on a terminal. (None of them is JSON whitespace, so they
    /// only occur inside strings and replacing them is always valid.) The buffer may
    /// hold revealed secrets and is wiped.
    pub fn json<T: serde::Serialize>(&mut self, value: &T) -> Result<(), CliError> {
        let mut buf = Zeroizing::new(Vec::new());
        serde_json::to_writer_pretty(&mut *buf, value)
            .map_err(|e| CliError::Io(io::Error::other(e)))?;
        let text = std::str::from_utf8(&buf).map_err(|e| CliError::Io(io::Error::other(e)))?;
        let mut rest = text;
        let unsafe_in_json = |c: char| is_bidi_control(c) || (c.is_control() && c >= '\u{7f}');
        while let Some(at) = rest.find(unsafe_in_json) {
            self.inner.write_all(&rest.as_bytes()[..at])?;
            let c = rest[at..].chars().next().unwrap_or_default();
            write!(self.inner, "\\u{:04x}", c as u32)?;
            rest = &rest[at + c.len_utf8()..];
        }
        self.inner.write_all(rest.as_bytes())?;
        self.inner.write_all(b"\n")?;
        Ok(())
    }

    pub fn flush(&mut self) -> Result<(), CliError> {
        self.inner.flush()?;
        Ok(())
    }
}

/// Progress on stderr for large imports. Shown only on a terminal and only for inputs
/// of at least [`Progress::THRESHOLD`] bytes; everywhere else it does nothing, so
/// scripts and tests see no control characters.
pub struct Progress(Option<indicatif::ProgressBar>);

impl Progress {
    pub const THRESHOLD: u64 = 8 * 1024 * 1024;

    fn shown(size: Option<u64>) -> bool {
        use std::io::IsTerminal;
        std::io::stderr().is_terminal() && size.is_none_or(|s| s >= Self::THRESHOLD)
    }

    /// A byte counter (a bar when the total is known).
    pub fn bytes(what: &'static str, total: Option<u64>) -> Progress {
        if !Self::shown(total) {
            return Progress(None);
        }
        let bar = match total {
            Some(t) => indicatif::ProgressBar::new(t).with_style(
                indicatif::ProgressStyle::with_template(
                    "{msg} {wide_bar} {binary_bytes}/{binary_total_bytes} ({eta})",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            ),
            None => indicatif::ProgressBar::new_spinner(),
        };
        bar.set_message(what);
        Progress(Some(bar))
    }

    /// A spinner for a step whose input was `size` bytes.
    pub fn spinner(size: u64, what: &'static str) -> Progress {
        if !Self::shown(Some(size)) {
            return Progress(None);
        }
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_message(what);
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        Progress(Some(bar))
    }

    pub fn set(&self, done: u64) {
        if let Some(bar) = &self.0 {
            bar.set_position(done);
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_words() {
        assert_eq!(
            shell_word("/work/target/release/handover"),
            "/work/target/release/handover"
        );
        assert_eq!(shell_word("./demo/store"), "./demo/store");
        assert_eq!(shell_word("/tmp/mein demo"), "'/tmp/mein demo'");
        assert_eq!(shell_word("/tmp/it's"), "'/tmp/it'\\''s'");
        assert_eq!(shell_word("/tmp/$HOME"), "'/tmp/$HOME'");
        assert_eq!(shell_word(""), "''");
        assert_eq!(shell_word("Drucker/Kyocera Büro"), "'Drucker/Kyocera Büro'");
    }

    #[test]
    fn escapes_controls() {
        assert_eq!(safe("a\x1b[31mb", false), "a\\u{1b}[31mb");
        assert_eq!(safe("a\nb", false), "a\\nb");
        assert_eq!(safe("a\nb\tc", true), "a\nb\tc");
        assert_eq!(safe("Müller €", false), "Müller €");
    }

    #[test]
    fn escapes_bidi_controls() {
        assert_eq!(
            safe("invoice-\u{202E}fdp.exe", false),
            "invoice-\\u{202e}fdp.exe"
        );
        for c in [
            '\u{061C}', '\u{200E}', '\u{200F}', '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}',
            '\u{202E}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}',
        ] {
            let shown = safe(&format!("a{c}b"), true);
            assert!(!shown.contains(c), "{c:?}");
            assert_eq!(shown, format!("a\\u{{{:x}}}b", c as u32));
        }
        // Right-to-left text itself is not a control.
        assert_eq!(safe("שלום عربي", false), "שלום عربي");
    }
}
