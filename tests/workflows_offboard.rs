//! The successor drill and every refusal of `handover offboard`.

use crate::common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use common::{Env, file_bytes};
use handover::keys::{self, Identity};

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

fn recipient(env: &Env) -> String {
    env.ok(&["init"]).trim().to_owned()
}

fn identity(env: &Env) -> Identity {
    Identity::parse(&std::fs::read_to_string(env.identity()).unwrap()).unwrap()
}

fn plain(bytes: &[u8], id: &Identity) -> serde_json::Value {
    serde_json::from_slice(&keys::decrypt(bytes, id).unwrap()).unwrap()
}

const ENTRIES: &str = r#"[
  {"path": "m365/global-admin", "kind": "login", "username": "admin@acme.example",
   "url": "https://admin.microsoft.com", "password": "Grün€-Bagger-Öl-7319",
   "totp": "JBSWY3DPEHPK3PXP", "recovery_codes": ["4821-0375", "9916-2248"],
   "tags": ["mfa"], "owner": "client", "rotated": "2026-10-01"},
  {"path": "netz/firewall", "kind": "network-device", "host": "192.168.10.1", "port": 4444,
   "username": "admin", "password": " Ws8#q-Zaun \n zweite Zeile", "notes": "Sophos"},
  {"path": "wlan/buero", "kind": "wifi", "fields": [{"name": "SSID", "value": "Büro"},
   {"name": "PSK", "value": "Kabel-Trommel-99!", "secret": true}]},
  {"path": "lizenz/datev", "kind": "license", "password": "Lizenz-Schluessel-77",
   "provider_knows": false},
  {"path": "hinweise/serverraum", "kind": "note", "notes": "Schlüssel bei Frau Müller"}
]"#;

fn ready_client(env: &Env, id: &str) {
    env.client_with(id, ENTRIES);
}

/// Provider A hands a client to provider B; B restores it exactly with B's identity;
/// A can no longer open it, and no longer lists it.
#[test]
fn successor_drill() {
    let a = Env::new();
    let b = Env::new();
    ready_client(&a, "acme");
    let key_file = a.dir.path().join("client-key.txt");
    a.ok(&["client", "key", "acme", "-o", key_file.to_str().unwrap()]);
    let client_key = Identity::parse(&std::fs::read_to_string(&key_file).unwrap()).unwrap();
    let before = plain(&file_bytes(&a.vault("acme")), &identity(&a));
    let dir = a.dir.path().join("handover");
    let a_fingerprint = a.signing_fingerprint();

    let out = a.ok(&[
        "offboard",
        "acme",
        "--successor-name",
        "IT-Nachfolger GmbH",
        "--yes",
        "--successor",
        &recipient(&b),
        "--out",
        dir.to_str().unwrap(),
    ]);
    let bundle = dir.join("acme-bundle.age");
    let rotation = dir.join("acme-rotation.csv");
    assert!(out.contains(bundle.to_str().unwrap()), "{out}");
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&bundle), 0o600);
    assert_eq!(mode(&rotation), 0o600);

    // A: gone from the store, and the bundle does not open with A's identity.
    assert!(!a.vault("acme").exists());
    assert!(!a.ok(&["client", "list"]).contains("acme"));
    assert!(a.fails(&["list", "acme"], 1).contains("does not exist"));
    assert!(keys::decrypt(&file_bytes(&bundle), &identity(&a)).is_err());
    assert!(
        !a.store().join("archive").exists(),
        "no archive without --keep-archive"
    );

    // B: checks who signed the bundle (A's fingerprint, as the dossier's cover
    // prints it), restores it and has every entry exactly.
    let cover = common::pdf_text(&dir.join("acme-dossier.pdf"));
    assert!(
        cover.contains(&a_fingerprint),
        "the cover names A's signing key"
    );
    b.ok(&[
        "import",
        "acme",
        "--format",
        "bundle",
        bundle.to_str().unwrap(),
        "--expect-signer",
        &a_fingerprint,
    ]);
    let restored = plain(&file_bytes(&b.vault("acme")), &identity(&b));
    assert_eq!(restored["entries"], before["entries"]);
    assert_eq!(restored["contacts"], before["contacts"]);
    assert_eq!(restored["created"], before["created"]);
    let recipients = restored["recipients"].as_array().unwrap();
    assert_eq!(
        recipients,
        &vec![
            serde_json::Value::from(recipient(&b)),
            before["client_recipient"].clone()
        ]
    );
    assert!(!recipients.contains(&recipient(&a).into()));
    let history = restored["history"].as_array().unwrap();
    assert_eq!(
        &history[..history.len() - 2],
        before["history"].as_array().unwrap().as_slice()
    );
    // The final dossier is recorded in what the successor receives, with its fingerprint.
    let printed = &history[history.len() - 2];
    assert_eq!(printed["kind"], "dossier-exported");
    let dossier = dir.join("acme-dossier.pdf");
    assert!(out.contains(dossier.to_str().unwrap()), "{out}");
    assert_eq!(mode(&dossier), 0o600);
    let text = common::pdf_text(&dossier);
    assert!(text.contains("Übergabedokumentation") && text.contains("Grün€-Bagger-Öl-7319"));
    assert!(text.contains(printed["fingerprint"].as_str().unwrap()));
    // B's restored vault still has the content of the printed dossier.
    b.ok(&["verify", "acme", printed["fingerprint"].as_str().unwrap()]);
    let last = history.last().unwrap();
    assert_eq!(last["kind"], "offboarded");
    assert!(last["detail"].as_str().unwrap().contains(&recipient(&b)));
    assert_eq!(
        b.json(&["show", "acme", "netz/firewall", "--reveal", "--json"])["password"],
        " Ws8#q-Zaun \n zweite Zeile"
    );
    // The client's own key opens the bundle too.
    assert_eq!(
        plain(&file_bytes(&bundle), &client_key)["entries"],
        before["entries"]
    );

    // The rotation list: every secret A knew, most critical first, no values.
    let csv = std::fs::read_to_string(&rotation).unwrap();
    let paths: Vec<&str> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap())
        .collect();
    // One line per secret: the admin's password, TOTP seed and recovery codes; the
    // Wi-Fi's secret field.
    assert_eq!(
        paths,
        [
            "m365/global-admin",
            "m365/global-admin",
            "m365/global-admin",
            "netz/firewall",
            "wlan/buero"
        ],
        "{csv}"
    );
    for secret in [
        "Grün€",
        "Ws8#q",
        "Kabel-Trommel",
        "Lizenz-Schluessel",
        "4821",
    ] {
        assert!(!csv.contains(secret), "{csv}");
    }
}

#[test]
fn keep_archive_keeps_a_copy_only_the_successor_and_client_can_open() {
    let a = Env::new();
    let b = Env::new();
    ready_client(&a, "acme");
    let dir = a.dir.path().join("out");
    std::fs::create_dir(&dir).unwrap();
    let out = a.ok(&[
        "offboard",
        "acme",
        "--successor-name",
        "IT-Nachfolger GmbH",
        "--yes",
        "--successor",
        &recipient(&b),
        "--out",
        dir.to_str().unwrap(),
        "--keep-archive",
        "--lang",
        "en",
    ]);
    assert!(out.contains("archive:"), "{out}");
    let archives: Vec<_> = std::fs::read_dir(a.store().join("archive"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "age"))
        .collect();
    assert_eq!(archives.len(), 1);
    assert!(
        std::path::PathBuf::from(format!("{}.sig", archives[0].display())).exists(),
        "the archive is signed too"
    );
    assert_eq!(mode(&archives[0]), 0o600);
    let archive = file_bytes(&archives[0]);
    assert!(keys::decrypt(&archive, &identity(&a)).is_err());
    let bundle = plain(&file_bytes(&dir.join("acme-bundle.age")), &identity(&b));
    assert_eq!(plain(&archive, &identity(&b)), bundle);
    assert!(!a.ok(&["client", "list"]).contains("acme"));
}

#[test]
fn offboard_refusals_change_nothing() {
    let a = Env::new();
    let b = Env::new();
    a.new_client("acme");
    a.ok_stdin(
        &[
            "add",
            "acme",
            "fw",
            "--kind",
            "network-device",
            "--password-stdin",
        ],
        b"Xq7#kP2m-Lw9z\n",
    );
    let vault = file_bytes(&a.vault("acme"));
    let dir = a.dir.path().join("out");
    let d = dir.to_str().unwrap();
    let succ = recipient(&b);

    // Blocking findings (no contact person).
    let err = a.fails(
        &[
            "offboard",
            "acme",
            "--successor-name",
            "IT-Nachfolger GmbH",
            "--yes",
            "--successor",
            &succ,
            "--out",
            d,
        ],
        1,
    );
    assert!(
        err.contains("not ready")
            && err.contains("no-contact")
            && err.contains("pass --accept-blocking"),
        "{err}"
    );
    assert!(!dir.exists());
    // The successor must be someone else, and a valid recipient.
    let err = a.fails(
        &[
            "offboard",
            "acme",
            "--successor-name",
            "IT-Nachfolger GmbH",
            "--yes",
            "--successor",
            &recipient(&a),
            "--out",
            d,
            "--accept-blocking",
        ],
        1,
    );
    assert!(err.contains("your own identity"), "{err}");
    let err = a.fails(
        &[
            "offboard",
            "acme",
            "--successor-name",
            "IT-Nachfolger GmbH",
            "--yes",
            "--successor",
            "age1nope",
            "--out",
            d,
            "--accept-blocking",
        ],
        1,
    );
    assert!(err.contains("invalid age recipient"), "{err}");
    let err = a.fails(
        &[
            "offboard",
            "nobody",
            "--successor-name",
            "IT-Nachfolger GmbH",
            "--yes",
            "--successor",
            &succ,
            "--out",
            d,
        ],
        1,
    );
    assert!(err.contains("does not exist"), "{err}");
    // Existing files in the output directory; --out that is a file.
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("acme-rotation.csv"), "old").unwrap();
    let err = a.fails(
        &[
            "offboard",
            "acme",
            "--successor-name",
            "IT-Nachfolger GmbH",
            "--yes",
            "--successor",
            &succ,
            "--out",
            d,
            "--provider-domain",
            "x.de",
        ],
        1,
    );
    // What it would write is checked before the findings: nothing is shown as a plan
    // that could not be carried out.
    assert!(err.contains("acme-rotation.csv already exists"), "{err}");
    a.ok(&["client", "edit", "acme", "--add-contact", "Jutta"]);
    let vault_with_contact = file_bytes(&a.vault("acme"));
    let err = a.fails(
        &[
            "offboard",
            "acme",
            "--successor-name",
            "IT-Nachfolger GmbH",
            "--yes",
            "--successor",
            &succ,
            "--out",
            d,
        ],
        1,
    );
    assert!(err.contains("acme-rotation.csv already exists"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.join("acme-rotation.csv")).unwrap(),
        "old"
    );
    let file = a.dir.path().join("file");
    std::fs::write(&file, "").unwrap();
    let err = a.fails(
        &[
            "offboard",
            "acme",
            "--successor-name",
            "IT-Nachfolger GmbH",
            "--yes",
            "--successor",
            &succ,
            "--out",
            file.to_str().unwrap(),
        ],
        1,
    );
    assert!(err.contains("not a directory"), "{err}");
    assert_ne!(vault, vault_with_contact);
    assert_eq!(file_bytes(&a.vault("acme")), vault_with_contact);
    assert!(!dir.join("acme-bundle.age").exists());

    // The two overrides are separate: --force replaces files but does not accept
    // blocking findings, --accept-blocking accepts them but keeps existing files.
    a.ok(&["add", "acme", "leer", "--no-password"]);
    let vault_blocked = file_bytes(&a.vault("acme"));
    let err = a.fails(
        &[
            "offboard",
            "acme",
            "--successor-name",
            "IT-Nachfolger GmbH",
            "--yes",
            "--successor",
            &succ,
            "--out",
            d,
            "--force",
        ],
        1,
    );
    assert!(
        err.contains("not ready") && err.contains("no-secret (leer)"),
        "{err}"
    );
    let err = a.fails(
        &[
            "offboard",
            "acme",
            "--successor-name",
            "IT-Nachfolger GmbH",
            "--yes",
            "--successor",
            &succ,
            "--out",
            d,
            "--accept-blocking",
        ],
        1,
    );
    assert!(
        err.contains("acme-rotation.csv already exists; pass --force"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("acme-rotation.csv")).unwrap(),
        "old"
    );
    assert_eq!(file_bytes(&a.vault("acme")), vault_blocked);
    assert!(!dir.join("acme-bundle.age").exists());
    assert!(!dir.join("acme-dossier.pdf").exists());

    // Both: the files are replaced and the client handed over despite the findings.
    let out = a.ok(&[
        "offboard",
        "acme",
        "--successor-name",
        "IT-Nachfolger GmbH",
        "--yes",
        "--successor",
        &succ,
        "--out",
        d,
        "--accept-blocking",
        "--force",
    ]);
    assert!(out.contains("acme-bundle.age"), "{out}");
    assert!(!a.vault("acme").exists());
    let csv = std::fs::read_to_string(dir.join("acme-rotation.csv")).unwrap();
    assert!(csv.contains("fw"), "{csv}");
    let bundle = plain(&file_bytes(&dir.join("acme-bundle.age")), &identity(&b));
    let last = bundle["history"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert!(
        last["detail"]
            .as_str()
            .unwrap()
            .contains("handed over despite 2 blocking finding(s) (accepted)"),
        "{last}"
    );
}

mod hook {
    //! The dossier hook, through the library API (the CLI passes none until the
    //! dossier is merged).

    use std::path::{Path, PathBuf};

    use chrono::Utc;
    use handover::dossier::Successor;
    use handover::keys::{self, Identity};
    use handover::model::{Client, ClientId, Contact, Event};
    use handover::store::Store;
    use handover::workflows::Handover;
    use handover::workflows::check::CheckOptions;
    use handover::workflows::offboard::{self, OffboardOptions};

    fn setup(dir: &Path) -> (Handover, ClientId) {
        let (store, _) = Store::init(&dir.join("store")).unwrap();
        let h = handover::workflows::Handover::open_unattended(
            store,
            Identity::generate(),
            &handover::keys::KeyFiles::beside(&dir.join("identity.txt")),
        )
        .unwrap();
        let id = ClientId::parse("acme").unwrap();
        handover::workflows::clients::create(&h, &id, "Acme", &[]).unwrap();
        handover::workflows::clients::edit(
            &h,
            &id,
            handover::workflows::clients::ClientPatch {
                add_contacts: vec![Contact {
                    name: "Jutta".into(),
                    ..Contact::default()
                }],
                ..Default::default()
            },
        )
        .unwrap();
        (h, id)
    }

    fn options<'a>(
        out: &Path,
        successor: &Identity,
        hook: offboard::DossierHook<'a>,
    ) -> OffboardOptions<'a> {
        OffboardOptions {
            successor: successor.recipient().to_string(),
            successor_name: "IT-Nachfolger GmbH".into(),
            successor_contact: None,
            out_dir: out.to_owned(),
            accept_blocking: false,
            force: false,
            keep_archive: false,
            lang: handover::dossier::Language::De,
            template_dir: None,
            check: CheckOptions::default(),
            today: Utc::now().date_naive(),
            dossier: Some(hook),
        }
    }

    #[test]
    fn the_hook_writes_into_dir_and_its_record_travels_in_the_bundle() {
        let dir = tempfile::tempdir().unwrap();
        let (h, id) = setup(dir.path());
        let successor = Identity::generate();
        let out = dir.path().join("out");
        let mut seen_recipients = Vec::new();
        let mut hook = |c: &mut Client, d: &Path, s: &Successor| -> handover::Result<PathBuf> {
            assert_eq!(s.name, "IT-Nachfolger GmbH");
            assert_eq!(s.bundle.as_deref(), Some("acme-bundle.age"));
            seen_recipients = c.recipients.clone();
            let file = offboard::dossier_path(d, &c.id);
            std::fs::write(&file, b"%PDF stand-in for the test").unwrap();
            c.record(Event::dossier_exported(
                Utc::now(),
                "7K3Q-M9XD-4TGB-WZ2H-0PNE",
            ));
            Ok(file)
        };
        let report = offboard::offboard(&h, &id, options(&out, &successor, &mut hook)).unwrap();
        assert_eq!(seen_recipients, vec![successor.recipient().to_string()]);
        assert_eq!(report.dossier, Some(out.join("acme-dossier.pdf")));
        let bundle = std::fs::read(&report.bundle).unwrap();
        let c = handover::formats::bundle::read(&bundle, &successor, "b").unwrap();
        let kinds: Vec<&str> = c.history.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds[kinds.len() - 2..], ["dossier-exported", "offboarded"]);
        assert!(!h.store.exists(&id));
        assert!(keys::decrypt(&bundle, &h.identity).is_err());
    }

    #[test]
    fn a_failing_hook_leaves_the_vault_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let (h, id) = setup(dir.path());
        let before = h.store.read_vault(&id).unwrap();
        let out = dir.path().join("out");
        let mut hook = |_: &mut Client, _: &Path, _: &Successor| -> handover::Result<PathBuf> {
            Err(handover::Error::Invalid("the printer is on fire".into()))
        };
        let err = offboard::offboard(&h, &id, options(&out, &Identity::generate(), &mut hook))
            .err()
            .unwrap();
        assert!(err.to_string().contains("printer"), "{err}");
        assert_eq!(h.store.read_vault(&id).unwrap(), before);
        assert!(!out.join("acme-bundle.age").exists());
    }
}

/// Every file under `dir` with its bytes (empty if `dir` does not exist).
fn tree(dir: &Path) -> std::collections::BTreeMap<std::path::PathBuf, Vec<u8>> {
    let mut files = std::collections::BTreeMap::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return files;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(tree(&path));
        } else {
            files.insert(path.clone(), file_bytes(&path));
        }
    }
    files
}

/// A provider with a name and a 24/7 number, and a client that keeps its bundle on
/// a stick in the safe.
fn provider_with_client(id: &str) -> Env {
    let a = Env::new();
    a.ok(&[
        "init",
        "--provider-name",
        "IT-Alt GmbH",
        "--provider-contact",
        "24/7-Notruf 0800 111 222",
    ]);
    ready_client(&a, id);
    a.ok(&[
        "client",
        "edit",
        id,
        "--bundle-location",
        "USB-Stick im Tresor",
    ]);
    a
}

/// The final dossier names the successor as the one to call, says that the old
/// provider handed over and is no longer responsible, and names the bundle handed over
/// instead of the stale one; the history names the successor; the fingerprint is
/// printed.
#[test]
fn the_final_dossier_names_the_successor_as_the_one_to_call() {
    let a = provider_with_client("acme");
    let b = Env::new();
    let succ = recipient(&b);
    let dir = a.dir.path().join("out");
    let out = a.ok(&[
        "offboard",
        "acme",
        "--successor",
        &succ,
        "--successor-name",
        "Nachfolge IT KG",
        "--successor-contact",
        "0761 999 000\nhilfe@nachfolge.example",
        "--out",
        dir.to_str().unwrap(),
        "--yes",
    ]);
    // pdftotext breaks lines where the page does: compare words, not lines.
    let text = common::pdf_text(&dir.join("acme-dossier.pdf")).replace('\n', " ");
    let pages: Vec<&str> = text.split('\u{c}').collect();
    let (cover, glance) = (pages[0], pages[1]);
    for page in [cover, glance] {
        assert!(page.contains("Nachfolge IT KG"), "{page}");
        assert!(page.contains("0761 999 000"), "{page}");
    }
    // The old provider is named only as the one who handed over, never to call.
    assert!(
        cover.contains("IT-Alt GmbH – hat die Betreuung am"),
        "{cover}"
    );
    assert!(cover.contains("nicht mehr zuständig"), "{cover}");
    assert!(
        glance.contains("IT-Alt GmbH hat die Betreuung am") && glance.contains("übergeben"),
        "{glance}"
    );
    assert!(
        !text.contains("0800 111 222"),
        "the old 24/7 number: {text}"
    );
    // The bundle is the one handed over; the stick's copy is named as out of date.
    assert!(glance.contains("acme-bundle.age vom"), "{glance}");
    assert!(glance.contains("die alte Kopie ist veraltet"), "{glance}");

    // The history names the successor, with its contact and recipient.
    let bundle = plain(&file_bytes(&dir.join("acme-bundle.age")), &identity(&b));
    let history = bundle["history"].as_array().unwrap();
    assert_eq!(
        history.last().unwrap()["detail"],
        format!(
            "handed over to Nachfolge IT KG ({succ}); contact: 0761 999 000, hilfe@nachfolge.example; 5 secret(s) on the rotation list"
        )
    );
    // The fingerprint printed at the end is the dossier's.
    let printed = history[history.len() - 2]["fingerprint"].as_str().unwrap();
    assert!(
        out.contains(&format!("fingerprint:   {printed}\n")),
        "{out}"
    );
    assert!(text.contains(printed));
}

/// `--dry-run` shows the plan and the open findings, and writes and removes nothing.
#[test]
fn dry_run_shows_the_plan_and_changes_nothing() {
    let a = provider_with_client("acme");
    let b = Env::new();
    let succ = recipient(&b);
    let dir = a.dir.path().join("out");
    let before = tree(&a.store());
    let checked = a.ok(&["check", "acme"]);
    let run = a.run(&[
        "offboard",
        "acme",
        "--successor",
        &succ,
        "--successor-name",
        "Nachfolge IT KG",
        "--out",
        dir.to_str().unwrap(),
        "--keep-archive",
        "--dry-run",
    ]);
    common::assert_success(&run, &["offboard", "--dry-run"]);
    let err = String::from_utf8(run.stderr).unwrap();
    assert!(run.stdout.is_empty());
    assert!(
        err.starts_with("Offboarding acme (Müller & Söhne GmbH):\n"),
        "{err}"
    );
    assert!(
        err.contains("  successor:         Nachfolge IT KG\n"),
        "{err}"
    );
    assert!(
        err.contains(&format!("                     {succ}\n")),
        "{err}"
    );
    assert!(err.contains("(not you)"), "{err}");
    for file in [
        "acme-bundle.age",
        "acme-bundle.age.sig",
        "acme-rotation.csv",
        "acme-dossier.pdf",
    ] {
        assert!(
            err.contains(&dir.join(file).display().to_string()),
            "{file}: {err}"
        );
    }
    assert!(
        err.contains(&a.vault("acme").display().to_string()),
        "{err}"
    );
    assert!(err.contains("archive copy in:"), "{err}");
    assert!(
        err.contains("  rotation list:     5 secret(s) the successor must replace\n"),
        "{err}"
    );
    // The open warnings of `check`, each as `check` prints it.
    assert!(!checked.trim().is_empty(), "the client has open warnings");
    for line in checked.lines() {
        assert!(err.contains(&format!("  {line}\n")), "{line}: {err}");
    }
    assert!(
        err.ends_with("Dry run: nothing was written or removed.\n"),
        "{err}"
    );
    assert_eq!(tree(&a.store()), before);
    assert!(!dir.exists());
}

/// Without a terminal and without `--yes`, offboarding refuses after showing the plan,
/// and changes nothing; so do a bad successor name and contact.
#[test]
fn without_a_terminal_and_without_yes_it_refuses() {
    let a = provider_with_client("acme");
    let succ = recipient(&Env::new());
    let dir = a.dir.path().join("out");
    let d = dir.to_str().unwrap();
    let before = tree(&a.store());
    let err = a.fails(
        &[
            "offboard",
            "acme",
            "--successor",
            &succ,
            "--successor-name",
            "Nachfolge IT KG",
            "--out",
            d,
        ],
        2,
    );
    assert!(
        err.contains("  successor:         Nachfolge IT KG\n"),
        "{err}"
    );
    assert!(
        err.ends_with(
            "handover: error: offboarding removes acme from your store for good, so it asks for a yes on a terminal, and there is none; pass --yes to hand over without asking (--dry-run shows what happens); nothing was changed\n"
        ),
        "{err}"
    );
    assert_eq!(tree(&a.store()), before);
    assert!(!dir.exists());

    let args = |name: &'static str, contact: &'static str| {
        let mut v = vec![
            "offboard",
            "acme",
            "--successor",
            &succ,
            "--out",
            d,
            "--yes",
        ];
        v.extend(["--successor-name", name]);
        if !contact.is_empty() {
            v.extend(["--successor-contact", contact]);
        }
        v
    };
    assert_eq!(
        a.fails(&args(" ", ""), 1),
        "handover: error: invalid successor name \" \": it is empty; give the name of the provider who takes the client over, as the final dossier prints it\n"
    );
    assert_eq!(
        a.fails(&args("Nachfolge IT KG", "0761\u{1b}[2J"), 1),
        "handover: error: invalid successor contact: it contains a control character; give a phone number, e-mail or address, one per line\n"
    );
    assert_eq!(tree(&a.store()), before);
    assert!(!dir.exists());
}

/// The rotation list, in the dossier's language: a line per secret (password, TOTP
/// seed, recovery codes, each secret field) with a reason from the entry's kind and
/// its linked system.
#[test]
fn the_rotation_list_is_in_the_dossiers_language_with_every_secret() {
    for (lang, expected) in [
        (
            "de",
            [
                "Priorität,Pfad,Titel,Art,Was ersetzen,System,Adresse,Benutzername,Eigentümer,Wann,Grund",
                "1,m365/global-admin,global-admin,Anmeldung,Passwort,,https://admin.microsoft.com,admin@acme.example,Kunde,In der ersten Stunde,Kann jedes andere Konto zurücksetzen oder übernehmen",
                "1,m365/global-admin,global-admin,Anmeldung,TOTP-Schlüssel (zweiter Faktor): neu einrichten,,",
                "1,m365/global-admin,global-admin,Anmeldung,\"Wiederherstellungscodes: neu erzeugen, damit die alten ungültig werden\",,",
                "1,netz/firewall,firewall,Netzwerkgerät,Passwort,Sophos,192.168.10.1:4444,admin,,In der ersten Stunde,\"Verwaltung von „Sophos“ (Firewall): bestimmt, wer von außen ins Netz kommt\"",
                "2,server/dc01,dc01,Server,Passwort,dc01,10.0.0.2,,,Am ersten Tag,Zugang zu „dc01“ (Server) im internen Netz",
                "2,wlan/buero,buero,WLAN,Geheimes Feld „PSK“,,,,,Am ersten Tag,WLAN-Schlüssel: Nach dem Ändern jedes Gerät neu verbinden",
            ],
        ),
        (
            "en",
            [
                "Priority,Path,Title,Kind,Replace,System,Location,Username,Owner,When,Reason",
                "1,m365/global-admin,global-admin,Login,Password,,https://admin.microsoft.com,admin@acme.example,client,Within the first hour,Can reset or take over every other account",
                "1,m365/global-admin,global-admin,Login,TOTP seed (second factor): set it up again,,",
                "1,m365/global-admin,global-admin,Login,Recovery codes: generate new ones so that the old ones stop working,,",
                "1,netz/firewall,firewall,Network device,Password,Sophos,192.168.10.1:4444,admin,,Within the first hour,Management of “Sophos” (firewall): decides who gets in from outside",
                "2,server/dc01,dc01,Server,Password,dc01,10.0.0.2,,,On the first day,Access to “dc01” (server) on the internal network",
                "2,wlan/buero,buero,Wi-Fi,Secret field “PSK”,,,,,On the first day,Wi-Fi key: reconnect every device after changing it",
            ],
        ),
    ] {
        let a = Env::new();
        ready_client(&a, "acme");
        a.ok_stdin(
            &[
                "add",
                "acme",
                "server/dc01",
                "--kind",
                "server",
                "--host",
                "10.0.0.2",
                "--password-stdin",
            ],
            b"Dc-Geheim-42\n",
        );
        a.ok(&[
            "system",
            "add",
            "acme",
            "dc01",
            "--category",
            "server",
            "--ip",
            "10.0.0.2",
        ]);
        a.ok(&["system", "add", "acme", "Sophos", "--category", "firewall"]);
        a.ok(&["link", "acme", "server/dc01", "--system", "dc01"]);
        a.ok(&["link", "acme", "netz/firewall", "--system", "Sophos"]);
        let dir = a.dir.path().join("out");
        a.ok(&[
            "offboard",
            "acme",
            "--successor",
            &recipient(&Env::new()),
            "--successor-name",
            "Nachfolge IT KG",
            "--out",
            dir.to_str().unwrap(),
            "--lang",
            lang,
            "--yes",
        ]);
        let csv = std::fs::read_to_string(dir.join("acme-rotation.csv")).unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), expected.len(), "{lang}: {csv}");
        for (line, want) in lines.iter().zip(expected) {
            assert!(
                line.starts_with(want),
                "{lang}:\n{line}\nshould start with\n{want}"
            );
        }
        for secret in [
            "Grün€",
            "JBSWY3DP",
            "4821",
            "Kabel-Trommel",
            "Dc-Geheim",
            "Ws8#q",
        ] {
            assert!(!csv.contains(secret), "{csv}");
        }
    }
}

/// `offboard --data-pages`: the final dossier carries the handed-over bundle as data
/// pages, and a scan of them restores a bundle the successor opens, signed by the old
/// provider, holding the client as handed over.
#[test]
fn the_final_dossier_with_data_pages_restores_to_the_handed_over_client() {
    common::require_tool("pdftoppm");
    let a = provider_with_client("acme");
    let b = Env::new();
    let succ = recipient(&b);
    let dir = a.dir.path().join("out");
    a.ok(&[
        "offboard",
        "acme",
        "--successor",
        &succ,
        "--successor-name",
        "Nachfolge IT KG",
        "--out",
        dir.to_str().unwrap(),
        "--data-pages",
        "--yes",
    ]);
    let pdf = dir.join("acme-dossier.pdf");
    let text = common::pdf_text(&pdf);
    let pages = text.matches('\u{c}').count();
    let count: usize = text
        .split("Datenseite 1 von ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .expect("the final dossier has data pages");
    let scans = a.dir.path().join("scans");
    std::fs::create_dir_all(&scans).unwrap();
    let status = std::process::Command::new("pdftoppm")
        .args(["-r", "300", "-gray", "-png"])
        .args(["-f", &(pages - count + 1).to_string()])
        .arg(&pdf)
        .arg(scans.join("scan"))
        .status()
        .unwrap();
    assert!(status.success());
    let mut args = vec!["restore".to_owned()];
    for e in std::fs::read_dir(&scans).unwrap() {
        args.push(e.unwrap().path().to_str().unwrap().to_owned());
    }
    let restored = a.dir.path().join("restored.age");
    args.extend(["-o".to_owned(), restored.to_str().unwrap().to_owned()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    b.ok(&args);
    assert!(
        file_bytes(&a.dir.path().join("restored.age.sig"))
            .starts_with(b"-----BEGIN SSH SIGNATURE-----")
    );
    // The successor takes it in with their own key, checking the old provider's
    // signature: the client as handed over, the same entries as the bundle file.
    b.ok(&[
        "import",
        "acme",
        "--format",
        "bundle",
        restored.to_str().unwrap(),
        "--expect-signer",
        &a.signing_fingerprint(),
    ]);
    let taken = plain(&file_bytes(&b.vault("acme")), &identity(&b));
    let handed = plain(&file_bytes(&dir.join("acme-bundle.age")), &identity(&b));
    assert_eq!(taken["entries"], handed["entries"]);
    assert!(!taken["entries"].as_array().unwrap().is_empty());
    let recipients = taken["recipients"].as_array().unwrap();
    assert!(
        recipients.iter().any(|r| r == succ.as_str()),
        "{recipients:?}"
    );
}
