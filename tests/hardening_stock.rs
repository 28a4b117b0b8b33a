//! The stock-tool check starts from the paper: the dossier's technical page prints the
//! signing key's fingerprint and the exact `allowed_signers` line, and FORMAT.md's
//! commands, run as documented with the real `ssh-keygen`, accept the genuine vault and
//! bundle and refuse a forgery even when the store's own `allowed_signers` was changed.
//! Every state a killed vault write leaves, once handover accepts it, is one the stock
//! tool accepts too. Reads never wait on the pin file's lock, and a lock-timeout message
//! does not name a process that has ended.

use crate::common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{Env, file_bytes, pdf_text, require_tool};

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Runs `script` with `sh -c` in `dir`, as a person types FORMAT.md's commands.
fn shell(dir: &Path, script: &str) -> Output {
    require_tool("ssh-keygen");
    Command::new("sh")
        .args(["-c", script])
        .current_dir(dir)
        .output()
        .unwrap()
}

/// The `allowed_signers` line, read off the dossier with `zbarimg` (its QR code), and
/// checked against the page's text.
fn line_from_paper(env: &Env, pdf: &Path) -> String {
    require_tool("pdftoppm");
    require_tool("zbarimg");
    let pages = env.dir.path().join("pages");
    fs::create_dir_all(&pages).unwrap();
    let out = Command::new("pdftoppm")
        .args(["-png", "-r", "150", s(pdf), s(&pages.join("p"))])
        .output()
        .unwrap();
    assert!(out.status.success());
    let mut scanned = Vec::new();
    for png in fs::read_dir(&pages).unwrap() {
        let out = Command::new("zbarimg")
            .args(["--quiet", "--raw", s(&png.unwrap().path())])
            .output()
            .unwrap();
        scanned.extend(
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .filter(|l| l.contains("namespaces="))
                .map(str::to_owned),
        );
    }
    assert_eq!(scanned.len(), 1, "one allowed_signers QR code: {scanned:?}");
    let line = scanned.remove(0);
    let squeeze = |t: &str| t.split_whitespace().collect::<String>();
    let text = pdf_text(pdf);
    assert!(
        squeeze(&text).contains(&squeeze(&line)),
        "the page prints the line as text too: {line}"
    );
    line
}

fn dossier(env: &Env, lang: &str) -> PathBuf {
    let pdf = env.dir.path().join(format!("acme-{lang}.pdf"));
    env.ok(&["dossier", "acme", "-o", s(&pdf), "--lang", lang, "--force"]);
    pdf
}

#[test]
fn the_documented_stock_check_starts_from_the_dossier() {
    let env = Env::new();
    env.new_client("acme");
    env.ok(&["add", "acme", "nas", "--no-password"]);
    let fingerprint = env.signing_fingerprint();
    let pdf = dossier(&env, "en");
    let text = pdf_text(&pdf);
    assert!(
        text.contains("Checking signatures without handover"),
        "{text}"
    );
    assert!(text.contains(&fingerprint), "the fingerprint is printed");
    let line = line_from_paper(&env, &pdf);
    assert!(
        line.starts_with("provider namespaces=\"handover,handover-bundle\" ssh-ed25519 AAAA"),
        "{line}"
    );
    assert!(pdf_text(&dossier(&env, "de")).contains("Signaturen ohne handover prüfen"));

    // FORMAT.md: write the printed line into allowed_signers, outside the store.
    let paper = env.dir.path().join("paper");
    fs::create_dir(&paper).unwrap();
    fs::write(paper.join("allowed_signers"), format!("{line}\n")).unwrap();
    let store = env.store();
    let vault_check = format!(
        "ssh-keygen -Y verify -f {}/allowed_signers -I provider -n handover \
         -s clients/acme.age.sig < clients/acme.age",
        s(&paper)
    );
    let out = shell(&store, &vault_check);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{said} {out:?}");
    assert!(
        said.contains("Good \"handover\" signature for provider") && said.contains(&fingerprint),
        "{said}"
    );
    let bundle = paper.join("acme-bundle.age");
    env.ok(&[
        "client",
        "key",
        "acme",
        "-o",
        s(&paper.join("client-key.txt")),
    ]);
    env.ok(&["export", "acme", "--format", "bundle", "-o", s(&bundle)]);
    let out = shell(
        &paper,
        "ssh-keygen -Y verify -f allowed_signers -I provider -n handover-bundle \
         -s acme-bundle.age.sig < acme-bundle.age",
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("Good \"handover-bundle\" signature"),
        "{out:?}"
    );

    // An attacker with write access to the store adds their key to the store's
    // allowed_signers and signs a forgery: the store's file would say "Good", the
    // line from the paper does not.
    let attacker = env.dir.path().join("attacker");
    let out = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f", s(&attacker)])
        .output()
        .unwrap();
    assert!(out.status.success());
    let attacker_pub = fs::read_to_string(attacker.with_extension("pub")).unwrap();
    let mut store_list = fs::read_to_string(store.join("allowed_signers")).unwrap();
    store_list.push_str(&format!(
        "provider namespaces=\"handover\" {}",
        attacker_pub.trim()
    ));
    fs::write(store.join("allowed_signers"), store_list).unwrap();
    fs::write(env.vault("acme"), b"age-encryption.org/v1\nforged").unwrap();
    fs::remove_file(store.join("clients/acme.age.sig")).unwrap();
    let out = Command::new("ssh-keygen")
        .args(["-q", "-Y", "sign", "-n", "handover", "-f", s(&attacker)])
        .arg(env.vault("acme"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let fooled = shell(
        &store,
        "ssh-keygen -Y verify -f allowed_signers -I provider -n handover \
         -s clients/acme.age.sig < clients/acme.age",
    );
    assert!(fooled.status.success(), "the store's own file is fooled");
    let out = shell(&store, &vault_check);
    assert!(
        !out.status.success(),
        "the paper's line refuses the forgery"
    );
}

/// `acme`'s revision file (`identity.trust.revisions/<store>/acme`; one store here).
fn revision_file(env: &Env) -> PathBuf {
    let dir = env.identity().with_extension("trust.revisions");
    let mut stores = fs::read_dir(&dir).unwrap();
    stores.next().unwrap().unwrap().path().join("acme")
}

/// Sets `acme`'s seen revision to `rev`.
fn set_seen_revision(env: &Env, rev: u64) {
    fs::write(revision_file(env), format!("{rev}\n")).unwrap();
}

fn seen_revision(env: &Env) -> u64 {
    let text = fs::read_to_string(revision_file(env)).unwrap();
    text.strip_suffix('\n').unwrap().parse().unwrap()
}

fn stock_accepts(env: &Env, line: &str) -> bool {
    let list = env.dir.path().join("paper_signers");
    fs::write(&list, format!("{line}\n")).unwrap();
    shell(
        &env.store(),
        &format!(
            "ssh-keygen -Y verify -f {} -I provider -n handover -s clients/acme.age.sig < clients/acme.age",
            s(&list)
        ),
    )
    .status
    .success()
}

#[test]
fn every_state_a_killed_write_leaves_is_accepted_by_the_stock_tool_once_handover_accepts_it() {
    let env = Env::new();
    env.new_client("acme");
    let line = line_from_paper(&env, &dossier(&env, "en"));
    let sig = env.store().join("clients/acme.age.sig");
    let (old_vault, old_sig) = (file_bytes(&env.vault("acme")), file_bytes(&sig));
    let old_rev = seen_revision(&env);
    env.ok(&["add", "acme", "nas", "--no-password"]);
    let (new_vault, new_sig) = (file_bytes(&env.vault("acme")), file_bytes(&sig));
    let both = [new_sig.clone(), old_sig.clone()].concat();
    // What Store::write_vault leaves at each step: the .sig first holds both (new, then
    // old), then the vault is replaced, then the .sig holds the new one alone.
    for (state, vault, sig_file, pinned) in [
        ("both signatures, old vault", &old_vault, &both, old_rev),
        ("both signatures, new vault", &new_vault, &both, old_rev),
        ("new signature, new vault", &new_vault, &new_sig, old_rev),
    ] {
        fs::write(env.vault("acme"), vault).unwrap();
        fs::write(&sig, sig_file).unwrap();
        set_seen_revision(&env, pinned);
        env.ok(&["list", "acme"]);
        assert!(stock_accepts(&env, &line), "{state}: ssh-keygen refuses");
        assert_eq!(file_bytes(&env.vault("acme")), *vault, "{state}");
    }
}

#[test]
fn reads_never_wait_on_the_pin_file_and_a_dead_holder_is_not_named() {
    let env = Env::new();
    env.new_client("acme");
    env.ok(&["add", "acme", "nas", "--no-password"]);
    // A read that learns a newer revision records it; here another process holds the
    // pin file's lock.
    set_seen_revision(&env, 0);
    let pin_lock = env.identity().with_extension("trust.json.lock");
    let held = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(&pin_lock)
        .unwrap();
    held.lock().unwrap();
    let started = std::time::Instant::now();
    let out = env
        .cmd(&["show", "acme", "nas"])
        .env("HANDOVER_LOCK_TIMEOUT", "3")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(3),
        "the read waited"
    );
    drop(held);

    // The store lock held by a process whose recorded pid has ended.
    let dead = Command::new("true").spawn().unwrap();
    let dead_pid = dead.id();
    let _ = dead.wait_with_output();
    let lock = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(env.store().join("lock"))
        .unwrap();
    lock.lock().unwrap();
    fs::write(env.store().join("lock"), format!("{dead_pid}\n")).unwrap();
    let out = env
        .cmd(&["add", "acme", "two", "--no-password"])
        .env("HANDOVER_LOCK_TIMEOUT", "1")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("the store is busy: another process has held its lock"),
        "{err}"
    );
    assert!(
        !err.contains(&dead_pid.to_string()) && !err.contains("kill"),
        "{err}"
    );
    // A live holder is named, with a way to check before ending anything.
    fs::write(
        env.store().join("lock"),
        format!("{}\n", std::process::id()),
    )
    .unwrap();
    let out = env
        .cmd(&["add", "acme", "two", "--no-password"])
        .env("HANDOVER_LOCK_TIMEOUT", "1")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!(
            "check with `ps -p {} -o pid,args` that it is still handover before you end it",
            std::process::id()
        )),
        "{err}"
    );
    assert!(!err.contains("kill"), "{err}");
}
