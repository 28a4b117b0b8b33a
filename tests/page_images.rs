//! Pages checked by looking (issue 20): chosen pages of the demo and of a hostile client
//! are rendered as poppler renders them (`pdftoppm -r 50 -gray`) and compared with the
//! reference images committed under tests/page-images/, as paper-age's CI does, so a
//! layout change that moves text fails here. `scripts/update-page-images.sh` writes the
//! references anew on purpose; a failure leaves the page and a picture of the
//! difference under target/tmp/page-images/ to be looked at.
//!
//! The footer is blanked before comparing: it carries the vault fingerprint, which
//! covers the recipients' keys, and those are new on every run.

use std::path::{Path, PathBuf};
use std::process::Command;

use image::{GrayImage, ImageEncoder, Luma};

use crate::common::{Env, require_tool};

const REFERENCES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/page-images");
const FAILURES: &str = concat!(env!("CARGO_TARGET_TMPDIR"), "/page-images");
/// Set by scripts/update-page-images.sh: write the references instead of comparing.
const UPDATE: &str = "HANDOVER_UPDATE_PAGE_IMAGES";
/// 01.01.2026, as the other dossier tests.
const DATE: &str = "1767225600";
/// A pixel differs when its grey levels are further apart than this: anti-aliasing
/// that shifts by a hair stays under it, a glyph that moves does not.
const LEVELS: u8 = 64;
/// A page fails when more of its pixels than this share differ (0.5 %).
const TOLERANCE: f64 = 0.005;
/// The share of the page height at the bottom that is blanked (the footer).
const FOOTER: f64 = 0.06;

/// A page to compare: its reference's name and a text that only that page holds.
struct Page {
    name: &'static str,
    marker: &'static str,
}

/// Pixels whose grey levels differ by more than [`LEVELS`], or `None` when the
/// images differ in size.
fn differing(a: &GrayImage, b: &GrayImage) -> Option<usize> {
    (a.dimensions() == b.dimensions()).then(|| {
        a.pixels()
            .zip(b.pixels())
            .filter(|(p, q)| p.0[0].abs_diff(q.0[0]) > LEVELS)
            .count()
    })
}

fn share(count: usize, image: &GrayImage) -> f64 {
    count as f64 / (f64::from(image.width()) * f64::from(image.height()))
}

/// The page with its footer blanked.
fn without_footer(mut page: GrayImage) -> GrayImage {
    let (w, h) = page.dimensions();
    let top = (f64::from(h) * (1.0 - FOOTER)) as u32;
    for y in top..h {
        for x in 0..w {
            page.put_pixel(x, y, Luma([255]));
        }
    }
    page
}

/// The 1-based number of the first page whose text contains `marker`.
fn page_of(pdf: &Path, marker: &str) -> u32 {
    let text = crate::common::pdf_text(pdf);
    let index = text
        .split('\x0c')
        .position(|p| p.contains(marker))
        .unwrap_or_else(|| panic!("no page of {} says {marker:?}", pdf.display()));
    u32::try_from(index + 1).unwrap()
}

/// Page `number` of `pdf` as poppler renders it, footer blanked.
fn render(pdf: &Path, number: u32, dir: &Path) -> GrayImage {
    require_tool("pdftoppm");
    let prefix = dir.join(format!("page-{number}"));
    let n = number.to_string();
    let out = Command::new("pdftoppm")
        .args([
            "-r",
            "50",
            "-gray",
            "-png",
            "-singlefile",
            "-f",
            &n,
            "-l",
            &n,
        ])
        .arg(pdf)
        .arg(&prefix)
        .output()
        .expect("run pdftoppm");
    assert!(out.status.success(), "pdftoppm failed on {}", pdf.display());
    let png = prefix.with_extension("png");
    let page = image::open(&png)
        .unwrap_or_else(|e| panic!("decode {}: {e}", png.display()))
        .to_luma8();
    without_footer(page)
}

fn save(image: &GrayImage, path: &Path) {
    let file = std::fs::File::create(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    image::codecs::png::PngEncoder::new_with_quality(
        std::io::BufWriter::new(file),
        image::codecs::png::CompressionType::Best,
        image::codecs::png::FilterType::Adaptive,
    )
    .write_image(
        image.as_raw(),
        image.width(),
        image.height(),
        image::ExtendedColorType::L8,
    )
    .unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

/// The reference faint, with every differing pixel black.
fn diff_image(reference: &GrayImage, actual: &GrayImage) -> GrayImage {
    GrayImage::from_fn(actual.width(), actual.height(), |x, y| {
        let a = actual.get_pixel(x, y).0[0];
        match reference.get_pixel_checked(x, y) {
            Some(r) if r.0[0].abs_diff(a) <= LEVELS => Luma([223 + r.0[0] / 8]),
            _ => Luma([0]),
        }
    })
}

fn reference_path(name: &str) -> PathBuf {
    Path::new(REFERENCES).join(format!("{name}.png"))
}

/// Compares `actual` with its reference (or writes the reference in update mode);
/// on a mismatch, leaves the page and the difference under target/ and says why.
fn compare(name: &str, actual: &GrayImage) -> Result<(), String> {
    let path = reference_path(name);
    if std::env::var_os(UPDATE).is_some() {
        std::fs::create_dir_all(REFERENCES).unwrap();
        save(actual, &path);
        return Ok(());
    }
    let reference = match image::open(&path) {
        Ok(r) => r.to_luma8(),
        Err(e) => {
            return Err(format!(
                "{name}: no reference image {} ({e}); run scripts/update-page-images.sh",
                path.display()
            ));
        }
    };
    let Err(verdict) = verdict(&reference, actual) else {
        return Ok(());
    };
    std::fs::create_dir_all(FAILURES).unwrap();
    let actual_path = Path::new(FAILURES).join(format!("{name}-actual.png"));
    let diff_path = Path::new(FAILURES).join(format!("{name}-diff.png"));
    save(actual, &actual_path);
    save(&diff_image(&reference, actual), &diff_path);
    Err(format!(
        "page {name}: {verdict} (see {} and {}); if the change is meant, run scripts/update-page-images.sh",
        actual_path.display(),
        diff_path.display()
    ))
}

/// Renders each page of `pages` from `pdf` and compares it; panics listing every
/// page that does not match.
fn check_pages(pdf: &Path, pages: &[Page], dir: &Path) {
    let failures: Vec<String> = pages
        .iter()
        .filter_map(|p| compare(p.name, &render(pdf, page_of(pdf, p.marker), dir)).err())
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn demo_pages_look_as_their_references() {
    let env = Env::bare();
    let dir = env.dir.path().join("demo");
    let out = env
        .cmd(&["demo", dir.to_str().unwrap()])
        .env("SOURCE_DATE_EPOCH", DATE)
        .output()
        .unwrap();
    crate::common::assert_success(&out, &["demo"]);
    check_pages(
        &dir.join("dossier-de.pdf"),
        &[
            Page {
                name: "demo-de-infrastructure",
                marker: "Konfigurationssicherung monatlich",
            },
            Page {
                name: "demo-de-checklist",
                marker: "Arbeiten Sie diese Liste bei der Übernahme ab",
            },
        ],
        env.dir.path(),
    );
    check_pages(
        &dir.join("dossier-en.pdf"),
        &[
            Page {
                name: "demo-en-networks-vendors",
                marker: "Networks\n",
            },
            Page {
                name: "demo-en-entries",
                marker: "m365/global-admin",
            },
        ],
        env.dir.path(),
    );
}

/// A client whose every name and value is hard to set: long names, umlauts, ß and €,
/// long IP lists, a 300-character token without a break, right-to-left text.
fn hostile(env: &Env) {
    env.ok(&[
        "client",
        "new",
        "hostile",
        "--name",
        "Großbäckerei Müßiggang & Söhne – Überlandstraßenfilialen € GmbH & Co. KG",
        "--address",
        "Königstraße 1\n79098 Freiburg im Breisgau",
        "--notes",
        "Filiale Haifa: מאפיית הכרמל, Ansprechpartnerin Frau Öztürk-Weiß",
    ]);
    let ips: Vec<String> = (10..22).map(|i| format!("192.168.178.{i}")).collect();
    let mut args = vec![
        "system",
        "add",
        "hostile",
        "Kassensystemzentralrechner Hauptfiliale",
        "--purpose",
        "Kassenabrechnung, Warenwirtschaftsdatenbankverwaltung und Tagesabschlussübermittlung",
        "--category",
        "server",
        "--site",
        "Überlandstraße 12",
        "--hostname",
        "kassensystem-zentralrechner-hauptfiliale.grossbaeckerei-muessiggang.lan",
        "--criticality",
        "critical",
    ];
    for ip in &ips {
        args.extend(["--ip", ip.as_str()]);
    }
    env.ok(&args);
    env.ok(&[
        "network",
        "add",
        "hostile",
        "Kassennetz",
        "--cidr",
        "192.168.178.0/24",
        "--vlan",
        "4094",
        "--gateway",
        "192.168.178.254",
        "--dhcp-range",
        "192.168.178.100-192.168.178.199",
        "--site",
        "Überlandstraße 12",
        "--notes",
        "שער ראשי – Hauptgateway",
    ]);
    let token: String = "a1B2c3D4e5".repeat(30);
    let entries = serde_json::json!([
        {"path": "kasse/api", "title": "Kassen-API-Schlüssel (Überweisungsschnittstelle)",
         "kind": "api-key", "password": token, "notes": format!("Token: {token}")},
        {"path": "filiale/haifa", "title": "חשבון מנהל – Filiale Haifa", "kind": "login",
         "url": "https://kasse.example/ädmin", "username": "verwaltung@grossbäckerei-müßiggang.example",
         "password": "Grüße-aus-der-Backstube-€-ß"}
    ]);
    let file = env.dir.path().join("hostile.json");
    std::fs::write(&file, entries.to_string()).unwrap();
    env.ok(&[
        "import",
        "hostile",
        "--format",
        "json",
        file.to_str().unwrap(),
    ]);
}

#[test]
fn hostile_client_pages_look_as_their_references() {
    let env = Env::new();
    hostile(&env);
    let pdf = env.dir.path().join("hostile.pdf");
    let out = env
        .cmd(&["dossier", "hostile", "-o", pdf.to_str().unwrap()])
        .env("SOURCE_DATE_EPOCH", DATE)
        .output()
        .unwrap();
    crate::common::assert_success(&out, &["dossier", "hostile"]);
    check_pages(
        &pdf,
        &[
            Page {
                name: "hostile-de-infrastructure",
                marker: "Warenwirtschaftsdatenbank",
            },
            Page {
                name: "hostile-de-entries",
                marker: "Filiale Haifa\n",
            },
        ],
        env.dir.path(),
    );
}

/// The same page moved by 2 pixels, down or right: what a layout change that moves
/// text does. The committed reference must fail against it, and match itself.
#[test]
fn a_page_moved_by_two_pixels_fails() {
    for name in ["demo-de-infrastructure", "hostile-de-entries"] {
        let path = reference_path(name);
        let page = image::open(&path)
            .unwrap_or_else(|e| {
                panic!("{}: {e}; run scripts/update-page-images.sh", path.display())
            })
            .to_luma8();
        assert_eq!(differing(&page, &page), Some(0));
        for (dx, dy) in [(0, 2), (2, 0)] {
            let moved = GrayImage::from_fn(page.width(), page.height(), |x, y| {
                match (x.checked_sub(dx), y.checked_sub(dy)) {
                    (Some(x), Some(y)) => *page.get_pixel(x, y),
                    _ => Luma([255]),
                }
            });
            let n = differing(&page, &moved).unwrap();
            assert!(
                share(n, &page) > 2.0 * TOLERANCE,
                "{name} moved by ({dx}, {dy}) px differs in only {n} pixels"
            );
            assert!(verdict(&page, &moved).is_err());
        }
    }
}

/// Whether `actual` passes against `reference`, or why not.
fn verdict(reference: &GrayImage, actual: &GrayImage) -> Result<(), String> {
    match differing(reference, actual) {
        Some(n) if share(n, actual) <= TOLERANCE => Ok(()),
        Some(n) => Err(format!(
            "{:.2} % of its pixels differ",
            100.0 * share(n, actual)
        )),
        None => Err(format!(
            "its size is {:?}, the reference's {:?}",
            actual.dimensions(),
            reference.dimensions()
        )),
    }
}
