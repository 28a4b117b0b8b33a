#![no_main]

use handover::dossier::{self, Language, Options, PaperSize};
use handover::model::{Document, DocumentKind};

// A document's Markdown, rendered into the dossier of a small client: never panics,
// and a body the vault would hold always gives a PDF.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(body) = std::str::from_utf8(data) else {
        return;
    };
    let mut client = handover_fuzz::client();
    // The input's length picks the kind and the language: the first-hour plan is
    // printed on its own pages, and each language has its own texts.
    let kind = match data.len() % 4 {
        0 | 1 => DocumentKind::Procedure,
        _ => DocumentKind::FirstHourPlan,
    };
    let mut doc = Document::new("procedures/fuzz".into(), kind);
    doc.title = "Fuzz".into();
    doc.body = body.to_owned();
    client.documents.push(doc);
    if client.validate().is_err() {
        return; // no vault holds it, so no dossier prints it
    }
    let options = Options {
        lang: match data.len() % 2 {
            0 => Language::De,
            _ => Language::En,
        },
        paper: PaperSize::A4,
        template_dir: None,
        as_of: handover_fuzz::as_of(),
        client_key: None,
        signing_key: None,
        provider: Default::default(),
        handed_over_to: None,
        stock_check: None,
        data_pages: false,
    };
    let rendered = dossier::render(&client, &options, &[]).expect("a valid client renders");
    assert!(rendered.pdf.starts_with(b"%PDF-"), "the dossier is a PDF");
    assert!(rendered.pages > 0);
});
