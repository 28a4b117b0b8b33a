//! Team membership over a shared store: `team add` (in `sync::team`, which every sync
//! test sets up with it), `team list` and `team remove` with its rotation lists.

use std::process::{Command, Stdio};

use crate::sync::{Peer, team};

#[test]
fn removing_a_member_reencrypts_without_them_and_lists_what_they_knew() {
    let (tmp, _remote, a, b) = team();
    let listed = a.ok(&["team", "list"]);
    assert!(listed.contains("provider (you)"), "{listed}");
    assert!(listed.contains("bob  SHA256:"), "{listed}");
    assert!(listed.contains(&b.recipient()), "{listed}");
    // Bob writes last (his signature on the vault), then is removed.
    b.ok_stdin(&["edit", "acme", "fw/root", "--password-stdin"], "bob-fw\n");
    b.ok(&["sync"]);
    a.ok(&["sync"]);
    let out = tmp.path().join("rotation");
    let said = a.ok(&[
        "team",
        "remove",
        "bob",
        "--out",
        out.to_str().expect("utf-8"),
        "--lang",
        "en",
    ]);
    assert!(said.contains("1 rotation list(s)"), "{said}");
    let csv = std::fs::read_to_string(out.join("acme-rotation.csv")).expect("rotation list");
    for path in ["fw/root", "m365/admin", "nas/admin", "old/vpn"] {
        assert!(csv.contains(path), "{path} in {csv}");
    }
    for secret in ["bob-fw", "secret-m365-admin"] {
        assert!(!csv.contains(secret), "no value in the list");
    }
    assert!(!a.ok(&["recipients", "acme"]).contains(&b.recipient()));
    assert!(!a.ok(&["team", "list"]).contains("bob"));
    assert_eq!(a.password("fw/root"), "bob-fw");
    // A second removal says what is wrong.
    let again = a.run(&[
        "team",
        "remove",
        "bob",
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    assert_eq!(again.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&again.stderr).trim(),
        "handover: error: there is no team member named \"bob\"; `handover team list` lists them"
    );
    a.ok(&["sync"]);
}

/// `team add` killed with SIGKILL at moments spread over its run leaves every vault
/// old or new (each opens and verifies), and the same `team add` run again completes it.
#[test]
fn a_team_add_killed_half_way_is_completed_by_running_it_again() {
    use std::os::unix::process::CommandExt;
    let a = Peer::new("a");
    a.ok(&["init"]);
    let ids: Vec<String> = (0..40).map(|i| format!("c{i:02}")).collect();
    for id in &ids {
        a.ok(&["client", "new", id, "--name", "Kunde"]);
    }
    let has = |recipient: &str| {
        ids.iter()
            .filter(|id| a.ok(&["recipients", id]).contains(recipient))
            .count()
    };
    for round in 1..=4u64 {
        let m = Peer::new(&format!("m{round}"));
        let name = format!("member{round}");
        let key = m.signing_pub();
        let recipient = m.recipient();
        let args = [
            "team",
            "add",
            &name,
            "--recipient",
            &recipient,
            "--signing-key",
            key.to_str().expect("utf-8"),
        ];
        let mut add = a.cmd_at(&a.store, &args);
        add.process_group(0)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let mut child = add.spawn().expect("spawn team add");
        std::thread::sleep(std::time::Duration::from_millis(40 * round));
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", child.id())])
            .status();
        let _ = child.wait();
        // Every vault opens (signature, rollback checked); some may include the member.
        let before = has(&recipient);
        a.ok(&args);
        assert_eq!(has(&recipient), ids.len(), "round {round}: {before} before");
    }
    let listed = a.ok(&["team", "list"]);
    for round in 1..=4 {
        assert!(listed.contains(&format!("member{round} ")), "{listed}");
    }
}
