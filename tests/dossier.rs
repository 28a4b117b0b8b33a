//! End-to-end tests of the dossier: the real binary renders PDFs that poppler, qpdf and
//! zbar read back.

use crate::common;

use std::path::Path;
use std::process::Command;

use common::{Env, file_bytes, require_tool};

const SSH_KEY: &str = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\nQyNTUxOQAAACBh0l1IO0oO+/=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n-----END OPENSSH PRIVATE KEY-----";
const TOTP_URI: &str =
    "otpauth://totp/ACME:admin%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=ACME";

fn token() -> String {
    (0..300)
        .map(|i| (b"0O1lI|8B5S2Z"[i % 12]) as char)
        .collect()
}

/// The tricky client's secrets, each of which must come back out of the PDF exactly.
fn secrets() -> Vec<String> {
    vec![
        "pä$$ wört€ß|lI1O0".into(),
        "\"quoted\" 'single' ; , \\ back (paren) )(".into(),
        token(),
        SSH_KEY.into(),
        "Ünïcødé-Пароль-Ωμέγα".into(),
        "JBSWY3DPEHPK3PXP".into(),
        TOTP_URI.into(),
        "AAAA-1111".into(),
        "BBBB-2222".into(),
        // Runs of spaces and spaces at either end come out too (README).
        "  field secret  with spaces ".into(),
    ]
}

fn tricky(env: &Env) {
    env.ok(&[
        "client",
        "new",
        "tricky",
        "--name",
        "Bäckerei Groß & Söhne – Über€",
    ]);
    let entries = serde_json::json!([
        {"path": "m365/admin", "title": "Microsoft 365 Admin", "kind": "login",
         "url": "https://admin.microsoft.com", "username": "admin@bäckerei.example",
         "password": secrets()[0], "totp": TOTP_URI,
         "recovery_codes": ["AAAA-1111", "BBBB-2222"], "owner": "provider"},
        {"path": "m365/quotes", "kind": "login", "username": "q", "password": secrets()[1],
         "expires": "2000-01-01"},
        {"path": "api/token", "title": "API token", "kind": "api-key", "password": token()},
        {"path": "server/ssh", "kind": "ssh-key", "host": "srv.example", "port": 22,
         "fields": [{"name": "private key", "value": SSH_KEY, "secret": true},
                    {"name": "fingerprint", "value": "SHA256:abc", "secret": false}]},
        {"path": "unicode", "kind": "other", "password": secrets()[4],
         "fields": [{"name": "pin", "value": secrets()[9], "secret": true}]},
        {"path": "cjk/中文", "kind": "note", "notes": "Kein Geheimnis: 中文", "provider_knows": false},
        {"path": "nvr/camera", "kind": "login", "username": "admin"}
    ]);
    let file = env.dir.path().join("tricky.json");
    std::fs::write(&file, entries.to_string()).unwrap();
    env.ok(&[
        "import",
        "tricky",
        "--format",
        "json",
        file.to_str().unwrap(),
    ]);
}

fn tool(name: &str, args: &[&str]) -> std::process::Output {
    require_tool(name);
    Command::new(name).args(args).output().expect("run tool")
}

fn text(pdf: &Path, raw: bool) -> String {
    let p = pdf.to_str().unwrap();
    let args: Vec<&str> = if raw {
        vec!["-raw", p, "-"]
    } else {
        vec![p, "-"]
    };
    let out = tool("pdftotext", &args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn dossier(env: &Env, client: &str, name: &str, extra: &[&str]) -> std::path::PathBuf {
    let out = env.dir.path().join(name);
    let mut args = vec!["dossier", client, "-o", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    env.ok(&args);
    out
}

#[test]
fn every_secret_comes_back_out_of_the_pdf() {
    let env = Env::new();
    tricky(&env);
    for lang in ["de", "en"] {
        let pdf = dossier(&env, "tricky", &format!("t-{lang}.pdf"), &["--lang", lang]);
        let check = tool("qpdf", &["--check", pdf.to_str().unwrap()]);
        assert!(
            check.status.success(),
            "{}",
            String::from_utf8_lossy(&check.stdout)
        );
        // Each secret exactly (line by line: see the test below).
        let flat = text(&pdf, true).replace('\n', "");
        for secret in secrets() {
            let flat_secret = secret.replace('\n', "");
            assert!(
                flat.contains(&flat_secret),
                "{lang}: secret {secret:?} not extracted"
            );
        }
        // A character no bundled font has is printed as its code point, not dropped.
        assert!(flat.contains("[U+4E2D][U+6587]"));
        let t = text(&pdf, false);
        let expect = if lang == "de" {
            [
                "Übergabedokumentation",
                "Vertraulich",
                "Seite 1 von",
                "Übernahme-Checkliste",
            ]
        } else {
            [
                "Handover dossier",
                "Confidential",
                "Page 1 of",
                "Takeover checklist",
            ]
        };
        for e in expect {
            assert!(t.contains(e), "{lang}: {e:?} missing");
        }
        // The checklist and appendix are generated from the data.
        assert!(
            flat.contains("camera (nvr/camera)"),
            "missing-secret appendix"
        );
        assert!(t.contains("m365/quotes"));
    }
}

#[test]
fn no_glyph_within_10mm_of_any_edge_on_a4_and_letter() {
    let env = Env::new();
    tricky(&env);
    for paper in ["a4", "letter"] {
        let pdf = dossier(&env, "tricky", &format!("{paper}.pdf"), &["--paper", paper]);
        let out = tool("pdftotext", &["-bbox", pdf.to_str().unwrap(), "-"]);
        let html = String::from_utf8(out.stdout).unwrap();
        let margin = 10.0 * 72.0 / 25.4;
        let (mut width, mut height, mut words) = (0.0, 0.0, 0);
        for line in html.lines() {
            let attr = |name: &str| -> f64 {
                let key = format!("{name}=\"");
                let start = line.find(&key).unwrap() + key.len();
                let end = start + line[start..].find('"').unwrap();
                line[start..end].parse().unwrap()
            };
            if line.contains("<page ") {
                width = attr("width");
                height = attr("height");
            } else if line.contains("<word ") {
                words += 1;
                let (x0, y0, x1, y1) = (attr("xMin"), attr("yMin"), attr("xMax"), attr("yMax"));
                assert!(
                    x0 >= margin && y0 >= margin && x1 <= width - margin && y1 <= height - margin,
                    "{paper}: word outside the margin: {line}"
                );
            }
        }
        assert!(words > 200, "{paper}: only {words} words");
        let expected_width = if paper == "a4" { 595.0 } else { 612.0 };
        assert!(
            (width - expected_width).abs() < 1.0,
            "{paper}: width {width}"
        );
    }
}

#[test]
fn totp_qr_code_scans_to_the_uri() {
    let env = Env::new();
    tricky(&env);
    let pdf = dossier(&env, "tricky", "qr.pdf", &[]);
    let prefix = env.dir.path().join("page");
    let out = tool(
        "pdftoppm",
        &[
            "-png",
            "-r",
            "150",
            pdf.to_str().unwrap(),
            prefix.to_str().unwrap(),
        ],
    );
    assert!(out.status.success());
    assert!(
        out.stderr.is_empty(),
        "pdftoppm warned: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut found = Vec::new();
    for entry in std::fs::read_dir(env.dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "png") {
            let scan = tool("zbarimg", &["--quiet", "--raw", path.to_str().unwrap()]);
            if scan.status.success() {
                let text = String::from_utf8(scan.stdout).unwrap();
                // The technical page's allowed_signers line (tests/hardening_stock).
                found.extend(
                    text.lines()
                        .filter(|l| !l.contains(" namespaces="))
                        .map(str::to_owned),
                );
            }
        }
    }
    assert_eq!(found, [TOTP_URI]);
}

#[test]
fn reproducible_private_and_metadata_free_of_secrets() {
    let env = Env::new();
    tricky(&env);
    let out = env.dir.path().join("r.pdf");
    let run = |force: bool| {
        let mut c = env.cmd(&["dossier", "tricky", "-o", out.to_str().unwrap()]);
        if force {
            c.arg("--force");
        }
        c.env("SOURCE_DATE_EPOCH", "1767225600").output().unwrap()
    };
    assert!(run(false).status.success());
    let first = file_bytes(&out);
    // An existing file is kept unless --force.
    let refused = run(false);
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--force"));
    assert!(
        file_bytes(&out) == first,
        "a refused export changed the file"
    );
    assert!(run(true).status.success());
    assert_eq!(
        file_bytes(&out),
        first,
        "same vault and date gave different bytes"
    );
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    // Streams are compressed, so a secret in plain bytes could only be metadata.
    let raw = String::from_utf8_lossy(&first).into_owned();
    for secret in secrets() {
        assert!(!raw.contains(&secret), "secret in the raw PDF bytes");
    }
    let info = tool("pdfinfo", &[out.to_str().unwrap()]);
    let info = String::from_utf8_lossy(&info.stdout).into_owned();
    assert!(
        info.contains("2026"),
        "creation date from SOURCE_DATE_EPOCH: {info}"
    );
    for secret in secrets() {
        assert!(!info.contains(&secret));
    }
    assert!(text(&out, false).contains("01.01.2026"));
}

#[test]
fn verify_tells_whether_the_vault_still_matches() {
    let env = Env::new();
    tricky(&env);
    let fp_line = env.ok(&[
        "dossier",
        "tricky",
        "-o",
        env.dir.path().join("v.pdf").to_str().unwrap(),
    ]);
    let fp = fp_line
        .trim()
        .strip_prefix("Fingerprint: ")
        .unwrap()
        .to_owned();
    assert!(text(&env.dir.path().join("v.pdf"), false).contains(&fp));
    env.ok(&["verify", "tricky", &fp]);
    // Typed as a person would: lower case, spaces, O for 0.
    env.ok(&["verify", "tricky", &fp.to_lowercase().replace('-', " ")]);
    env.ok_stdin(
        &["edit", "tricky", "api/token", "--password-stdin"],
        b"new-token\n",
    );
    env.ok(&["remove", "tricky", "nvr/camera"]);
    let err = env.fails(&["verify", "tricky", &fp], 1);
    assert!(
        err.contains("2 entries changed (0 added, 1 removed, 1 modified)"),
        "{err}"
    );
    let err = env.fails(&["verify", "tricky", "7K3Q-M9XD-4TGB-WZ2H-0PNE"], 1);
    assert!(err.contains("unknown"), "{err}");
    let err = env.fails(&["verify", "tricky", "nonsense"], 1);
    assert!(err.contains("not a fingerprint"), "{err}");
}

#[test]
fn refusals_leave_nothing_behind() {
    let env = Env::new();
    tricky(&env);
    let missing_dir = env.dir.path().join("nope").join("d.pdf");
    let err = env.fails(
        &["dossier", "tricky", "-o", missing_dir.to_str().unwrap()],
        1,
    );
    assert!(err.contains("does not exist"), "{err}");
    let err = env.fails(&["dossier", "ghost", "-o", "x.pdf"], 1);
    assert!(err.contains("does not exist"), "{err}");
    let bad = env.dir.path().join("tpl");
    std::fs::create_dir(&bad).unwrap();
    std::fs::write(bad.join("branding.json"), r##"{"accent_color": "red"}"##).unwrap();
    let out = env.dir.path().join("b.pdf");
    let with_template = || {
        env.fails(
            &[
                "dossier",
                "tricky",
                "-o",
                out.to_str().unwrap(),
                "--template",
                bad.to_str().unwrap(),
            ],
            1,
        )
    };
    let err = with_template();
    assert!(err.contains("accent_color"), "{err}");
    assert!(!out.exists());
    std::fs::write(bad.join("branding.json"), r##"{"logo": "logo.png"}"##).unwrap();
    std::fs::write(bad.join("logo.png"), b"GIF89a not a png").unwrap();
    let err = with_template();
    assert!(
        err.contains("logo") && err.contains("not a readable PNG"),
        "{err}"
    );
    assert!(!out.exists());
    env.fails(&["dossier", "tricky", "-o", "x.pdf", "--lang", "fr"], 2);
}

#[test]
fn demo_writes_both_dossiers() {
    let env = Env::bare();
    let dir = env.dir.path().join("demo");
    let out = env.ok(&["demo", dir.to_str().unwrap()]);
    assert!(out.contains("dossier-de.pdf") && out.contains("dossier-en.pdf"));
    for lang in ["de", "en"] {
        let pdf = dir.join(format!("dossier-{lang}.pdf"));
        let check = tool("qpdf", &["--check", pdf.to_str().unwrap()]);
        assert!(check.status.success());
        let t = text(&pdf, false);
        assert!(t.contains("Müller & Söhne Bau"));
        assert!(
            t.contains("IT-Service Schäfer"),
            "branding from the template"
        );
        let info = tool("pdfinfo", &[pdf.to_str().unwrap()]);
        let info = String::from_utf8_lossy(&info.stdout).into_owned();
        let pages: usize = info
            .lines()
            .find_map(|l| l.strip_prefix("Pages:"))
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        assert!((6..=24).contains(&pages), "{pages} pages");
    }
    // The table of contents names the page each section starts on, and every section
    // is a bookmark.
    let pdf = dir.join("dossier-de.pdf");
    let page_text = |n: usize| {
        let out = tool(
            "pdftotext",
            &[
                "-f",
                &n.to_string(),
                "-l",
                &n.to_string(),
                "-layout",
                pdf.to_str().unwrap(),
                "-",
            ],
        );
        String::from_utf8(out.stdout).unwrap()
    };
    // The contents follow the cover, the at-a-glance pages and the instructions.
    let toc = (2..8)
        .map(page_text)
        .find(|p| p.contains("4 Inhalt"))
        .expect("the contents within the first pages");
    let mut sections = 0;
    let mut toc_entries = Vec::new();
    for line in toc.lines().skip_while(|l| !l.contains("4 Inhalt")).skip(1) {
        let line = line.trim();
        if line.starts_with("Stand ") {
            break; // the footer
        }
        let Some((title, page)) = line.rsplit_once(' ') else {
            continue;
        };
        let Ok(page) = page.parse::<usize>() else {
            continue;
        };
        let title = title.trim();
        assert!(
            page_text(page).lines().any(|l| l.trim() == title),
            "TOC says {title:?} is on page {page}"
        );
        toc_entries.push((title.to_owned(), page));
        sections += 1;
    }
    assert!(sections >= 6, "{toc}");
    let outline = tool(
        "qpdf",
        &["--json", "--json-key=outlines", pdf.to_str().unwrap()],
    );
    let outline = String::from_utf8_lossy(&outline.stdout).into_owned();
    assert_eq!(
        outline.matches("\"title\"").count(),
        // The contents list the front matter's parts too (at a glance, what to do if the
        // provider is gone, the instructions); the cover and the contents do not.
        sections + 2,
        "{outline}"
    );
    let front: Vec<&str> = toc_entries
        .iter()
        .take(3)
        .map(|(t, _)| t.as_str())
        .collect();
    assert_eq!(
        front,
        [
            "2 Auf einen Blick",
            "Wenn Ihr IT-Dienstleister plötzlich ausfällt",
            "3 So verwenden Sie diese Dokumentation"
        ]
    );
    // Each bookmark of a section opens the page the contents name.
    let outline: serde_json::Value = serde_json::from_str(&outline).unwrap();
    let marks: Vec<(String, usize)> = outline["outlines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["title"].as_str().unwrap().to_owned(),
                o["destpageposfrom1"].as_u64().unwrap() as usize,
            )
        })
        .collect();
    for entry in &toc_entries {
        assert!(marks.contains(entry), "{entry:?} not in {marks:?}");
    }
    assert_eq!(marks[0], ("1 Übergabedokumentation".to_owned(), 1));
    // Running it again reuses the store and rewrites the dossiers.
    env.ok(&["demo", dir.to_str().unwrap()]);
}

#[test]
fn emergency_sheet_prints_the_clients_own_key() {
    let env = Env::new();
    tricky(&env);
    let key = env.dir.path().join("client-key.txt");
    env.ok(&["client", "key", "tricky", "-o", key.to_str().unwrap()]);
    let secret = std::fs::read_to_string(&key)
        .unwrap()
        .lines()
        .find(|l| l.starts_with("AGE-SECRET-KEY-1"))
        .unwrap()
        .to_owned();
    let pdf = dossier(
        &env,
        "tricky",
        "key.pdf",
        &[
            "--lang",
            "en",
            "--include-client-key",
            key.to_str().unwrap(),
        ],
    );
    let flat = text(&pdf, true).replace('\n', "");
    assert!(flat.contains("Emergency sheet: your own key"));
    assert!(flat.contains(&secret), "the secret key is printed exactly");
    // The one takeover command, with the bundle's name as offboarding writes it and the
    // signer's fingerprint from the cover, one option a line; the stock-tool path that
    // writes no plaintext; where age comes from. No bundle was written yet.
    let lines = text(&pdf, true);
    let signer = lines
        .lines()
        .find_map(|l| l.strip_prefix("Signing key "))
        .expect("the cover names the signing key")
        .trim()
        .to_owned();
    assert!(signer.starts_with("SHA256:"), "{signer}");
    let sheet: Vec<&str> = lines
        .lines()
        .map(str::trim)
        .skip_while(|l| !l.starts_with("$ handover takeover"))
        .take(5)
        .collect();
    assert_eq!(
        sheet,
        [
            "$ handover takeover tricky-bundle.age \\",
            "--client-key client-key.txt \\",
            &format!("--expect-signer {signer}"),
            "Without handover, only to read it on the screen (nothing is stored unencrypted):",
            "$ age -d -i client-key.txt tricky-bundle.age | jq .",
        ],
        "{lines}"
    );
    assert!(!lines.contains("> tricky.json"), "{lines}");
    assert!(
        flat.contains("Newest bundle none written yet when this dossier was printed"),
        "{flat}"
    );
    assert!(flat.contains("https://age-encryption.org"), "{flat}");
    env.ok(&[
        "client",
        "edit",
        "tricky",
        "--bundle-location",
        "USB stick in the safe",
    ]);
    let bundle = env.dir.path().join("tricky-bundle.age");
    env.ok(&[
        "export",
        "tricky",
        "--format",
        "bundle",
        "-o",
        bundle.to_str().unwrap(),
    ]);
    let pdf = dossier(
        &env,
        "tricky",
        "key2.pdf",
        &[
            "--lang",
            "en",
            "--include-client-key",
            key.to_str().unwrap(),
        ],
    );
    let flat = text(&pdf, true).replace('\n', " ");
    // The bundle holds what the dossier shows: the same fingerprint as the cover's.
    let fingerprint = flat
        .split("Fingerprint ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .expect("the cover's fingerprint")
        .to_owned();
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    assert!(
        flat.contains(&format!(
            "Newest bundle written on {today}, fingerprint {fingerprint} The bundle is kept USB stick in the safe"
        )),
        "{flat}"
    );
    // Its QR code scans to the secret key, on the last page.
    let pages = String::from_utf8(tool("pdfinfo", &[pdf.to_str().unwrap()]).stdout).unwrap();
    let last = pages
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .unwrap()
        .trim()
        .to_owned();
    let prefix = env.dir.path().join("sheet");
    tool(
        "pdftoppm",
        &[
            "-png",
            "-r",
            "150",
            "-f",
            &last,
            "-l",
            &last,
            pdf.to_str().unwrap(),
            prefix.to_str().unwrap(),
        ],
    );
    let png = std::fs::read_dir(env.dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("sheet")
        })
        .unwrap();
    let scan = tool("zbarimg", &["--quiet", "--raw", png.to_str().unwrap()]);
    assert_eq!(String::from_utf8(scan.stdout).unwrap().trim(), secret);

    // Another key is refused: it would not open the vault.
    let other = env.dir.path().join("other.txt");
    let status = std::process::Command::new("age-keygen")
        .args(["-o", other.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(status.status.success());
    let out = env.dir.path().join("wrong.pdf");
    let err = env.fails(
        &[
            "dossier",
            "tricky",
            "-o",
            out.to_str().unwrap(),
            "--include-client-key",
            other.to_str().unwrap(),
        ],
        1,
    );
    assert!(err.contains("is not the client key"), "{err}");
    assert!(!out.exists());
}

/// What a reader sees: groups under human titles (the client's own, or a sensible
/// default), each secret called what it is, and the provider named as set at `init` —
/// or left out, never a dash or a pointer to the README.
#[test]
fn readers_see_titles_labels_and_the_provider_not_developer_text() {
    let env = Env::new();
    tricky(&env);
    env.ok_stdin(
        &[
            "add",
            "tricky",
            "server/deploy",
            "--kind",
            "ssh-key",
            "--password-stdin",
        ],
        SSH_KEY.as_bytes(),
    );
    let pdf = dossier(&env, "tricky", "plain.pdf", &["--lang", "en"]);
    let plain = text(&pdf, true);
    assert!(
        !plain.contains("--template") && !plain.contains("README"),
        "{plain}"
    );
    assert!(!plain.contains("IT provider —"), "{plain}");
    // Default titles: known abbreviations as written, others capitalised.
    assert!(plain.contains("6.2 API"), "{plain}");
    assert!(plain.contains("6.3 Cjk"), "{plain}");
    assert!(plain.contains("6.4 Microsoft 365"), "{plain}");
    assert!(plain.contains("6.5 Nvr"), "{plain}");
    assert!(plain.contains("6.1 General"), "{plain}");
    // Labels by kind.
    assert!(plain.contains("Private key"), "{plain}");
    assert!(plain.contains("API token"), "{plain}");

    env.ok(&[
        "client",
        "edit",
        "tricky",
        "--group-title",
        "nvr=Videoüberwachung",
    ]);
    let err = env.fails(&["client", "edit", "tricky", "--group-title", "nvr"], 2);
    assert!(err.contains("GROUP=TITLE"), "{err}");
    let err = env.fails(&["client", "edit", "tricky", "--group-title", "a/b=X"], 1);
    assert!(err.contains("without '/'"), "{err}");
    env.ok(&[
        "init",
        "--provider-name",
        "IT-Service Schäfer e. K.",
        "--provider-contact",
        "0761 555 01 23",
    ]);
    let pdf = dossier(&env, "tricky", "named.pdf", &["--lang", "de"]);
    let named = text(&pdf, true);
    assert!(named.contains("Videoüberwachung"), "{named}");
    assert!(named.contains("IT-Service Schäfer e. K."), "{named}");
    assert!(named.contains("0761 555 01 23"), "{named}");
    assert!(named.contains("Privater Schlüssel"), "{named}");
    env.ok(&["client", "edit", "tricky", "--remove-group-title", "nvr"]);
    let err = env.fails(
        &["client", "edit", "tricky", "--remove-group-title", "nvr"],
        1,
    );
    assert!(err.contains("no title for group"), "{err}");
}

/// The client's first pages: whom to call, the Wi-Fi with a code a phone joins with,
/// entries tagged as frequently needed with the page they are on, where the bundle and
/// the key are kept, and what to do if the provider is gone.
#[test]
fn at_a_glance_has_wifi_that_a_phone_can_join_and_true_page_numbers() {
    let env = Env::new();
    env.ok(&["client", "new", "cafe", "--name", "Café Müller"]);
    env.ok(&[
        "client",
        "edit",
        "cafe",
        "--add-contact",
        "Jutta Müller",
        "--phone",
        "0761 1",
        "--bundle-location",
        "USB-Stick im Tresor",
        "--key-location",
        "Ordner Notfall",
    ]);
    let entries = serde_json::json!([
        {"path": "wlan/gaeste", "kind": "wifi", "title": "Gäste-WLAN",
         "fields": [{"name": "SSID", "value": "Cafe; Gaeste:1"}],
         "password": "pa\\ss,wo\"rd;"},
        {"path": "m365/admin", "kind": "login", "username": "admin", "password": "x",
         "tags": ["frequent"]}
    ]);
    let file = env.dir.path().join("e.json");
    std::fs::write(&file, entries.to_string()).unwrap();
    env.ok(&["import", "cafe", "--format", "json", file.to_str().unwrap()]);
    let pdf = dossier(&env, "cafe", "g.pdf", &["--lang", "en"]);
    let page2 = {
        let out = tool(
            "pdftotext",
            &["-f", "2", "-l", "2", "-raw", pdf.to_str().unwrap(), "-"],
        );
        String::from_utf8(out.stdout).unwrap()
    };
    assert!(page2.contains("2 At a glance"), "{page2}");
    assert!(
        page2.contains("Jutta Müller") && page2.contains("0761 1"),
        "{page2}"
    );
    assert!(
        page2.contains("USB-Stick im Tresor") && page2.contains("Ordner Notfall"),
        "{page2}"
    );
    assert!(
        page2.contains("If your IT provider is suddenly gone"),
        "{page2}"
    );
    // The page numbers given are where the entries really are.
    let all = text(&pdf, true);
    let page_of = |needle: &str| {
        (1..)
            .zip(all.split('\u{c}'))
            .find(|(_, text)| text.contains(needle))
            .map(|(page, _)| page)
            .unwrap_or_else(|| panic!("{needle} not found"))
    };
    let admin_page = page_of("Path m365/admin");
    let wifi_page = page_of("Path wlan/gaeste");
    assert!(page2.contains(&format!("admin {admin_page}")), "{page2}");
    assert!(
        page2.contains(&format!("All details page {wifi_page}")),
        "{page2}"
    );
    // The Wi-Fi code scans to the join string, escaped as the format requires.
    let png = env.dir.path().join("g");
    tool(
        "pdftoppm",
        &[
            "-png",
            "-r",
            "150",
            "-f",
            "2",
            "-l",
            "2",
            pdf.to_str().unwrap(),
            png.to_str().unwrap(),
        ],
    );
    let png = std::fs::read_dir(env.dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "png"))
        .unwrap();
    let scan = tool("zbarimg", &["--quiet", "--raw", png.to_str().unwrap()]);
    assert_eq!(
        String::from_utf8(scan.stdout).unwrap().trim(),
        // ASCII only: zbarimg guesses the charset of non-ASCII QR text (phones read UTF-8).
        r#"WIFI:T:WPA;S:Cafe\; Gaeste\:1;P:pa\\ss\,wo\"rd\;;;"#
    );
}

/// The takeover plan puts first what a takeover needs first — the old provider's own
/// access, the domain, the identity provider's admins, the firewall and remote access,
/// mail — then servers, then the rest, each with the page its entry is on; the
/// offboarding rotation list uses the same order.
#[test]
fn takeover_plan_is_ordered_by_what_a_takeover_needs_first() {
    let env = Env::new();
    env.ok(&["client", "new", "plan", "--name", "Plan GmbH"]);
    let entries = serde_json::json!([
        {"path": "arbeitsplatz/pc-01", "kind": "login", "username": "anna", "password": "a"},
        {"path": "mail/postfach", "kind": "email", "username": "info", "password": "b"},
        {"path": "server/dc01", "kind": "server", "host": "10.0.0.2", "password": "c"},
        {"path": "netz/firewall", "kind": "network-device", "password": "d"},
        {"path": "m365/global-admin", "kind": "login", "username": "admin@plan.example",
         "url": "https://admin.microsoft.com", "password": "e"},
        {"path": "web/registrar", "kind": "domain", "url": "https://registrar.example", "password": "f"},
        {"path": "lizenz/office", "kind": "license", "password": "g"}
    ]);
    let file = env.dir.path().join("e.json");
    std::fs::write(&file, entries.to_string()).unwrap();
    env.ok(&["import", "plan", "--format", "json", file.to_str().unwrap()]);
    let pdf = dossier(&env, "plan", "plan.pdf", &["--lang", "en"]);
    let all = text(&pdf, true);
    let plan = all
        .split("Change these secrets")
        .nth(1)
        .and_then(|s| s.split("Transfer these accounts").next())
        .unwrap();
    let order: Vec<&str> = plan
        .lines()
        .filter(|l| l.contains('(') && l.contains('/'))
        .map(|l| l.split(" (").next().unwrap())
        .collect();
    assert_eq!(
        order,
        [
            "registrar",
            "global-admin",
            "firewall",
            "postfach",
            "dc01",
            "pc-01",
            "office"
        ],
        "{plan}"
    );
    let hour = plan.find("Within the first hour").unwrap();
    let day = plan.find("On the first day").unwrap();
    let week = plan.find("Within the first week").unwrap();
    assert!(hour < plan.find("remote-access tools").unwrap());
    assert!(plan.find("postfach").unwrap() < day && day < plan.find("dc01").unwrap());
    assert!(plan.find("pc-01").unwrap() < week && week < plan.find("office").unwrap());
    // Each item's page is where its entry is printed.
    for line in plan.lines().filter(|l| l.contains("(web/registrar)")) {
        let page: usize = line.rsplit(' ').next().unwrap().parse().unwrap();
        let printed_on = (1..)
            .zip(all.split('\u{c}'))
            .find(|(_, p)| p.contains("Path web/registrar"))
            .map(|(n, _)| n)
            .unwrap();
        assert_eq!(page, printed_on, "{line}");
    }
    // The rotation list of an offboarding: the same order.
    let out = env.dir.path().join("off");
    let successor = handover::keys::Identity::generate().recipient().to_string();
    env.ok(&[
        "offboard",
        "plan",
        "--successor-name",
        "IT-Nachfolger GmbH",
        "--yes",
        "--successor",
        &successor,
        "--out",
        out.to_str().unwrap(),
        "--accept-blocking",
    ]);
    let csv = std::fs::read_to_string(out.join("plan-rotation.csv")).unwrap();
    let paths: Vec<&str> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap())
        .collect();
    assert_eq!(
        paths,
        [
            "web/registrar",
            "m365/global-admin",
            "netz/firewall",
            "mail/postfach",
            "server/dc01",
            "arbeitsplatz/pc-01",
            "lizenz/office"
        ]
    );
}

/// The knowledge sections: the demo's infrastructure, vendors, documents and decisions
/// are printed in both languages; Markdown comes out as a reader expects (lists
/// numbered, tables with their cells, code in lines, raw HTML as the text it is); an
/// entry names the system it belongs to and that system's page.
#[test]
fn knowledge_sections_print_systems_vendors_documents_and_decisions() {
    let env = Env::bare();
    let dir = env.dir.path().join("demo");
    env.ok(&["demo", dir.to_str().unwrap()]);
    for (lang, words) in [
        (
            "de",
            [
                "Infrastruktur",
                "Lieferanten und Verträge",
                "Abläufe und Übersichten",
                "Entscheidungen und ihre Gründe",
                "Kündigen bis",
            ],
        ),
        (
            "en",
            [
                "Infrastructure",
                "Vendors and contracts",
                "Procedures and overviews",
                "Decisions and their reasons",
                "Cancel by",
            ],
        ),
    ] {
        let text = text(&dir.join(format!("dossier-{lang}.pdf")), true);
        for w in words {
            assert!(text.contains(w), "{lang}: {w} missing");
        }
        let check = tool(
            "qpdf",
            &[
                "--check",
                dir.join(format!("dossier-{lang}.pdf")).to_str().unwrap(),
            ],
        );
        assert!(check.status.success());
    }

    let env = Env::new();
    env.ok(&["client", "new", "md", "--name", "Markdown GmbH"]);
    env.ok_stdin(
        &[
            "add",
            "md",
            "netz/firewall",
            "--kind",
            "network-device",
            "--password-stdin",
        ],
        b"pw",
    );
    env.ok(&[
        "system",
        "add",
        "md",
        "Firewall",
        "--category",
        "firewall",
        "--criticality",
        "critical",
    ]);
    env.ok(&["link", "md", "netz/firewall", "--system", "Firewall"]);
    let doc = "# Wiederherstellen\n\n1. Erstens\n2. Zweitens\n   - tiefer\n\n| Gerät | IP |\n|---|---|\n| NAS | 10.0.0.5 |\n\n```\nrestic restore latest --target /srv\n```\n\n<b>roh</b>\n\nSiehe [Handbuch](https://example.com/h).\n\nDas ist *kursiv*, **fett**, `code` und ~~weg~~.\n";
    env.ok_stdin(
        &[
            "doc",
            "add",
            "md",
            "ablauf/restore",
            "--kind",
            "procedure",
            "--title",
            "Restore",
            "--stdin",
        ],
        doc.as_bytes(),
    );
    env.ok(&[
        "decision",
        "add",
        "md",
        "Firewall statt Router",
        "--date",
        "2024-02-01",
        "--why",
        "Weil **VLANs** nötig sind:\n\n- Gäste trennen\n- *VPN* für den Bauhof",
    ]);
    let pdf = dossier(&env, "md", "md.pdf", &["--lang", "de"]);
    let all = text(&pdf, true);
    // Emphasis is set in its style, not printed as asterisks: bold in the bold face,
    // emphasis slanted by the text matrix.
    assert!(all.contains("Das ist kursiv, fett, code und weg."), "{all}");
    assert!(all.contains("Begründung Weil VLANs nötig sind:"), "{all}");
    assert!(all.contains("• VPN für den Bauhof"), "{all}");
    assert!(!all.contains("**") && !all.contains("*kursiv*"), "{all}");
    let plain = env.dir.path().join("md-plain.pdf");
    assert!(
        tool(
            "qpdf",
            &[
                "--qdf",
                "--object-streams=disable",
                pdf.to_str().unwrap(),
                plain.to_str().unwrap(),
            ],
        )
        .status
        .success()
    );
    let bytes = std::fs::read(&plain).unwrap();
    assert!(
        bytes.windows(11).any(|w| w == b"1 0 0.21 1 "),
        "no slanted text in the content streams"
    );
    for expected in [
        "1. Erstens",
        "2. Zweitens",
        "• tiefer",
        "Gerät",
        "10.0.0.5",
        "restic restore latest --target /srv",
        "<b>roh</b>",
        "Handbuch (https://example.com/h)",
    ] {
        assert!(all.contains(expected), "{expected:?} missing:\n{all}");
    }
    // The entry names its system and the page the system is on.
    let system_page = (1..)
        .zip(all.split('\u{c}'))
        .find(|(_, p)| p.lines().any(|l| l.trim() == "6 Infrastruktur"))
        .map(|(n, _)| n)
        .unwrap();
    assert!(
        all.contains(&format!("System Firewall (Seite {system_page})")),
        "{all}"
    );
}

/// The index lists every entry, system, vendor, tag and kind with the page it is
/// really on; a system in the infrastructure table names the pages of the entries that
/// log into it (a forward reference, settled by laying the body out again), and the
/// entry names the page of that system's own row, not the section's first page.
#[test]
fn index_and_cross_references_point_to_the_true_pages() {
    let env = Env::new();
    env.ok(&["client", "new", "idx", "--name", "Index GmbH"]);
    let mut entries: Vec<serde_json::Value> = (0..40)
        .map(|i| {
            serde_json::json!({"path": format!("gruppe/eintrag-{i:02}"), "kind": "login",
                "title": format!("Zugang Nummer {i:02}"), "username": "u", "password": "p",
                "notes": "Zeile\n".repeat(12)})
        })
        .collect();
    entries.push(serde_json::json!({"path": "zz/drucker", "kind": "login",
        "title": "Ärger-Drucker", "tags": ["drucker"], "password": "d"}));
    entries.push(serde_json::json!({"path": "zz/wlan", "kind": "wifi",
        "title": "Büro-Funk", "password": "w", "fields": [{"name": "SSID", "value": "Buero"}]}));
    let file = env.dir.path().join("e.json");
    std::fs::write(&file, serde_json::Value::Array(entries).to_string()).unwrap();
    env.ok(&["import", "idx", "--format", "json", file.to_str().unwrap()]);
    for i in 0..30 {
        env.ok(&[
            "system",
            "add",
            "idx",
            &format!("Server {i:02}"),
            "--category",
            "server",
            "--purpose",
            "Dateien, Druck und noch viel mehr, was ein Server so tut",
        ]);
    }
    env.ok(&["link", "idx", "zz/drucker", "--system", "Server 29"]);
    let pdf = dossier(&env, "idx", "i.pdf", &["--lang", "de"]);
    let all = text(&pdf, true);
    let pages: Vec<&str> = all.split('\u{c}').collect();
    let page_of = |needle: &str| {
        (1..)
            .zip(&pages)
            .find(|(_, text)| text.contains(needle))
            .map(|(page, _)| page)
            .unwrap_or_else(|| panic!("{needle} not found"))
    };
    let printer = page_of("Pfad zz/drucker");
    let row = page_of("Server 29 Dateien");
    assert_ne!(
        row,
        page_of("Infrastruktur\n"),
        "the table should span pages"
    );
    assert!(
        pages[row - 1].contains(&format!("→ Seite {printer}")),
        "{}",
        pages[row - 1]
    );
    assert!(
        pages[printer - 1].contains(&format!("System Server 29 (Seite {row})")),
        "{}",
        pages[printer - 1]
    );

    let index_start = page_of("Stichwortverzeichnis\n");
    let index: String = pages[index_start - 1..].concat();
    let listed = |term: &str| -> Vec<usize> {
        let line = index
            .lines()
            .find(|l| l.starts_with(term) && l[term.len()..].starts_with(' '))
            .unwrap_or_else(|| panic!("{term} not in the index:\n{index}"));
        line[term.len()..]
            .split(',')
            .map(|p| p.trim().parse().unwrap())
            .collect()
    };
    for i in [0, 17, 39] {
        let title = format!("Zugang Nummer {i:02}");
        let path = format!("Pfad gruppe/eintrag-{i:02}");
        assert_eq!(listed(&title), [page_of(&path)], "{title}");
    }
    assert_eq!(listed("Ärger-Drucker"), [printer]);
    assert_eq!(listed("drucker"), [printer]);
    assert_eq!(listed("Server 29"), [row]);
    assert_eq!(listed("WLAN"), [page_of("Pfad zz/wlan")]);
    // Alphabetical as a German reader expects: Ä with A, before B.
    let a = index.find("Ärger-Drucker").unwrap();
    let b = index.find("Büro-Funk").unwrap();
    assert!(a < b);
    // In the contents.
    assert!(pages[3].contains("Stichwortverzeichnis"), "{}", pages[3]);
}

/// What a successor copies out of the PDF: each printed secret, as `pdftotext` gives it
/// in raw (content order), default and `-layout` modes, comes out exactly — every line
/// of a key as a line of its own, in order, dashes kept; a one-line secret that wraps
/// on paper as one line.
#[test]
fn every_secret_line_comes_out_as_one_line_in_every_pdftotext_mode() {
    let env = Env::new();
    env.new_client("copy");
    let ssh = "-----BEGIN OPENSSH PRIVATE KEY-----\n\
               b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n\
               QyNTUxOQAAACBh0l1IO0oO+/=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n\
               AAAEC2bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb==\n\
               -----END OPENSSH PRIVATE KEY-----";
    // A key and its certificate chain in one field: an END line right above a BEGIN
    // line, and Windows line ends.
    let pem = "-----BEGIN PRIVATE KEY-----\r\n\
               MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\r\n\
               MzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu\r\n\
               -----END PRIVATE KEY-----\r\n\
               -----BEGIN CERTIFICATE-----\r\n\
               MIIBszCCAVmgAwIBAgIUQ2hlY2sgdGhhdCBjaGFpbnMgc3Vydml2ZQ==\r\n\
               -----END CERTIFICATE-----";
    // 241 characters: wraps over several printed lines (about 85 fit on one), with
    // dashes where it may break and at its end.
    let token: String = (0..240)
        .map(|i| b"tok-0O1lI|8B5S2Z_"[i % 17] as char)
        .chain("-".chars())
        .collect();
    let long_uri = format!("https://api.example/v1/hooks?key={}", "Ab9-".repeat(30));
    let passwords = [
        "-Grüße€ß\"\\x-",
        "\"quoted\" 'single' ; , \\ back\\",
        "--",
        "ß€ä-Ünïcødé-Пароль-Ωμέγα-",
        "  two  spaces  ",
    ];
    let mut fields = vec![
        serde_json::json!({"name": "ssh", "value": ssh, "secret": true}),
        serde_json::json!({"name": "pem", "value": pem, "secret": true}),
        serde_json::json!({"name": "uri", "value": long_uri, "secret": true}),
    ];
    for (i, p) in passwords.iter().enumerate() {
        fields.push(serde_json::json!({"name": format!("p{i}"), "value": p, "secret": true}));
    }
    let entries = serde_json::json!([
        {"path": "server/ssh", "kind": "ssh-key", "username": "root-", "password": token,
         "recovery_codes": ["AAAA-1111-", "BBBB-2222", "CCCC-"], "fields": fields}
    ]);
    let file = env.dir.path().join("copy.json");
    std::fs::write(&file, entries.to_string()).unwrap();
    env.ok(&["import", "copy", "--format", "json", file.to_str().unwrap()]);

    let mut secrets: Vec<String> = vec![
        ssh.into(),
        pem.replace('\r', ""),
        token.clone(),
        long_uri,
        "root-".into(),
        "AAAA-1111-\nBBBB-2222\nCCCC-".into(),
    ];
    secrets.extend(passwords.iter().map(|p| p.to_string()));
    for lang in ["en", "de"] {
        let pdf = dossier(&env, "copy", &format!("copy-{lang}.pdf"), &["--lang", lang]);
        let p = pdf.to_str().unwrap();
        for mode in ["-raw", "default", "-layout"] {
            let mut args = vec![p, "-"];
            if mode != "default" {
                args.insert(0, mode);
            }
            let out = tool("pdftotext", &args);
            assert!(out.status.success());
            let out = String::from_utf8(out.stdout).unwrap();
            let layout = mode == "-layout";
            // -layout keeps the page's columns: every line of a value is indented, and
            // its first line follows its label and a gap of at least two spaces.
            let values: Vec<&str> = out
                .lines()
                .map(|l| {
                    if !layout {
                        l
                    } else if l.starts_with(' ') {
                        l.trim_start()
                    } else {
                        l.split_once("  ").map_or(l, |(_, v)| v.trim_start())
                    }
                })
                .filter(|l| !l.is_empty())
                .collect();
            for secret in &secrets {
                // A value's leading spaces are indistinguishable from the indentation
                // of -layout (README); every other character must be there.
                let want: Vec<&str> = secret
                    .lines()
                    .map(|l| if layout { l.trim_start() } else { l })
                    .collect();
                assert!(
                    values.windows(want.len()).any(|w| w == want.as_slice()),
                    "{lang}, pdftotext {mode}: {secret:?} is not its lines, in order:\n{out}"
                );
            }
        }
    }
}
