//! Team membership over a shared store: `team add` (in `sync::team`, which every sync
//! test sets up with it), `team list` and `team remove` with its rotation lists.

use crate::sync::team;

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
