//! Helpers shared by the end-to-end tests: a temporary store and a way to run the
//! real binary against it.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub struct Env {
    pub dir: tempfile::TempDir,
}

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_handover"))
}

impl Env {
    /// A fresh directory with an initialised store and identity.
    pub fn new() -> Env {
        let env = Env::bare();
        env.ok(&["init"]);
        env
    }

    /// A fresh directory, nothing initialised.
    pub fn bare() -> Env {
        Env {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn store(&self) -> PathBuf {
        self.dir.path().join("store")
    }

    pub fn identity(&self) -> PathBuf {
        self.dir.path().join("identity.txt")
    }

    pub fn vault(&self, id: &str) -> PathBuf {
        self.store().join("clients").join(format!("{id}.age"))
    }

    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(bin());
        c.args(args)
            .env("HANDOVER_STORE", self.store())
            .env("HANDOVER_IDENTITY", self.identity())
            .env_remove("XDG_DATA_HOME")
            .env_remove("XDG_CONFIG_HOME")
            .env("HOME", self.dir.path())
            .stdin(Stdio::null());
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().expect("run handover")
    }

    pub fn run_stdin(&self, args: &[&str], stdin: &[u8]) -> Output {
        let mut child = self
            .cmd(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn handover");
        let written = child.stdin.take().expect("stdin").write_all(stdin);
        // A command that refuses its input may exit before reading it; the write then
        // fails with a broken pipe, and the exit status is what the test checks.
        if let Err(e) = written {
            assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "write stdin: {e}");
        }
        child.wait_with_output().expect("wait")
    }

    /// Runs and asserts success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert_success(&out, args);
        String::from_utf8(out.stdout).expect("utf-8 stdout")
    }

    pub fn ok_stdin(&self, args: &[&str], stdin: &[u8]) -> String {
        let out = self.run_stdin(args, stdin);
        assert_success(&out, args);
        String::from_utf8(out.stdout).expect("utf-8 stdout")
    }

    /// Runs, asserts exit code `code`, returns stderr.
    pub fn fails(&self, args: &[&str], code: i32) -> String {
        let out = self.run(args);
        assert_eq!(
            out.status.code(),
            Some(code),
            "{args:?} should exit {code}; stdout: {} stderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stderr).expect("utf-8 stderr")
    }

    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        serde_json::from_str(&self.ok(args)).expect("json output")
    }

    pub fn new_client(&self, id: &str) {
        self.ok(&["client", "new", id, "--name", "Müller & Söhne GmbH"]);
    }

    /// A client with a contact person and the entries of `entries_json` (a JSON array).
    pub fn client_with(&self, id: &str, entries_json: &str) {
        self.new_client(id);
        self.ok(&[
            "client",
            "edit",
            id,
            "--add-contact",
            "Jutta Müller",
            "--role",
            "Geschäftsführerin",
            "--phone",
            "0761 555",
        ]);
        let file = self.dir.path().join(format!("{id}-entries.json"));
        std::fs::write(&file, entries_json).expect("write entries");
        self.ok(&[
            "import",
            id,
            "--format",
            "json",
            file.to_str().expect("utf-8 path"),
        ]);
    }
}

pub fn assert_success(out: &Output, args: &[&str]) {
    assert!(
        out.status.success(),
        "{args:?} failed ({:?}); stdout: {} stderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

pub fn file_bytes(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("read {}: {e}", p.display()))
}

impl Env {
    /// The provider's signing key file, beside the identity.
    pub fn signing_key(&self) -> PathBuf {
        self.identity().with_extension("signing-key")
    }

    /// The provider's signing-key fingerprint (`SHA256:…`), from `handover signers`.
    pub fn signing_fingerprint(&self) -> String {
        let out = self.ok(&["signers"]);
        let line = out
            .lines()
            .find(|l| l.contains("(you)"))
            .expect("own signer listed");
        line.split_whitespace()
            .find(|w| w.starts_with("SHA256:"))
            .expect("fingerprint")
            .to_owned()
    }

    /// Signs `file` with the provider's signing key using the stock `ssh-keygen`,
    /// replacing `file.sig`.
    pub fn sign_with_ssh_keygen(&self, file: &Path) {
        let sig = PathBuf::from(format!("{}.sig", file.display()));
        let _ = std::fs::remove_file(&sig);
        let out = Command::new("ssh-keygen")
            .args(["-q", "-Y", "sign", "-n", "handover", "-f"])
            .arg(self.signing_key())
            .arg(file)
            .stdin(Stdio::null())
            .output()
            .expect("run ssh-keygen");
        assert!(
            out.status.success(),
            "ssh-keygen -Y sign failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// The text of a PDF, as poppler's `pdftotext` reads it.
pub fn pdf_text(pdf: &Path) -> String {
    require_tool("pdftotext");
    let out = Command::new("pdftotext")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("run pdftotext");
    assert!(
        out.status.success(),
        "pdftotext failed on {}",
        pdf.display()
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Whether a Debian tool is installed; CI installs them all, so tests that need one
/// fail loudly there, while a developer without it gets a clear panic message.
pub fn require_tool(name: &str) {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    assert!(
        found,
        "this test needs `{name}`: run `bash .ci/run` or install it with apt-get"
    );
}
