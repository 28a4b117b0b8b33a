//! `handover vendor add|edit|list|show|remove`: the client's vendors and their
//! contracts, with the computed cancellation deadline.

use chrono::NaiveDate;
use handover::model::{Client, ClientId, Contact, Contract, Vendor};
use handover::workflows::Handover;
use handover::workflows::knowledge::{self, VendorPatch};
use serde::Serialize;

use super::CliError;
use super::args::{VendorArgs, VendorCommand};
use super::context::{client_id, today};
use super::kind::{self, KnowledgeKind};
use super::knowledge_cmds::{entry_paths, row};
use super::term::{Out, safe};

fn vendor_patch(a: VendorArgs) -> Result<VendorPatch, CliError> {
    Ok(VendorPatch {
        provides: a.provides,
        customer_number: a.customer_number,
        hotline: a.hotline,
        email: a.email,
        portal_url: a.portal_url,
        contract_number: a.contract_number,
        contract_start: a.contract_start,
        term_end: a.term_end,
        renews_months: a.renews_months,
        notice_months: a.notice_months,
        notice_days: a.notice_days,
        add_contact: a.contact.map(|name| Contact {
            name,
            role: a.contact_role,
            phone: a.contact_phone,
            email: a.contact_email,
        }),
        notes: a.notes,
        ..VendorPatch::default()
    })
}

/// A vendor as `vendor list --json` and `vendor show --json` print it: the vault's
/// keys, plus the computed `cancellation_deadline` and `current_term_end`.
#[derive(Serialize)]
struct VendorView<'a> {
    #[serde(flatten)]
    vendor: &'a Vendor,
    #[serde(skip_serializing_if = "Option::is_none")]
    current_term_end: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cancellation_deadline: Option<NaiveDate>,
}

fn vendor_view(v: &Vendor, today: NaiveDate) -> VendorView<'_> {
    VendorView {
        vendor: v,
        current_term_end: v.contract.current_term_end(today),
        cancellation_deadline: v.contract.cancellation_deadline(today),
    }
}

pub(super) struct Vendors;

impl KnowledgeKind for Vendors {
    const WHAT: &'static str = "vendor";
    type Record = Vendor;

    fn find<'a>(client: &'a Client, name: &str) -> handover::Result<&'a Vendor> {
        client.vendor_named(name)
    }

    fn sorted(client: &Client) -> Vec<&Vendor> {
        let mut vendors: Vec<&Vendor> = client.vendors.iter().collect();
        vendors.sort_by(|a, b| a.name.cmp(&b.name));
        vendors
    }

    fn list_line(v: &Vendor, today: NaiveDate) -> String {
        let deadline = v
            .contract
            .cancellation_deadline(today)
            .map_or("-".into(), |d| format!("cancel by {d}"));
        format!(
            "{:<28} {:<18} {:<20} {}",
            safe(&v.name, false),
            safe(v.hotline.as_deref().unwrap_or("-"), false),
            safe(v.customer_number.as_deref().unwrap_or("-"), false),
            deadline
        )
    }

    fn list_json(out: &mut Out, vendors: &[&Vendor]) -> Result<(), CliError> {
        let today = today()?;
        let views: Vec<VendorView> = vendors.iter().map(|v| vendor_view(v, today)).collect();
        out.json(&views)
    }

    fn show_json(out: &mut Out, v: &Vendor) -> Result<(), CliError> {
        out.json(&vendor_view(v, today()?))
    }

    fn show(out: &mut Out, c: &Client, v: &Vendor) -> Result<(), CliError> {
        row(out, "Name:", Some(&v.name))?;
        row(out, "Provides:", v.provides.as_deref())?;
        row(out, "Customer number:", v.customer_number.as_deref())?;
        row(out, "Hotline:", v.hotline.as_deref())?;
        row(out, "E-mail:", v.email.as_deref())?;
        row(out, "Portal:", v.portal_url.as_deref())?;
        if !v.entries.is_empty() {
            row(
                out,
                "Entries:",
                Some(&entry_paths(c, &v.entries).join(", ")),
            )?;
        }
        show_contract(out, &v.contract, today()?)?;
        for contact in &v.contacts {
            let mut line = contact.name.clone();
            for part in [&contact.role, &contact.phone, &contact.email]
                .into_iter()
                .flatten()
            {
                line.push_str(&format!(", {part}"));
            }
            row(out, "Contact:", Some(&line))?;
        }
        row(out, "Notes:", v.notes.as_deref())
    }

    fn remove(h: &Handover, id: &ClientId, name: &str) -> handover::Result<()> {
        knowledge::remove_vendor(h, id, name)
    }
}

fn show_contract(out: &mut Out, k: &Contract, today: NaiveDate) -> Result<(), CliError> {
    let date = |d: Option<NaiveDate>| d.map(|d| d.to_string());
    row(out, "Contract:", k.number.as_deref())?;
    row(out, "Start:", date(k.start).as_deref())?;
    row(
        out,
        "Term ends:",
        date(k.current_term_end(today)).as_deref(),
    )?;
    row(
        out,
        "Renews by:",
        k.renews_months.map(|m| format!("{m} months")).as_deref(),
    )?;
    let notice = match (k.notice_months, k.notice_days) {
        (None, None) => None,
        (m, d) => Some(format!(
            "{} months, {} days",
            m.unwrap_or(0),
            d.unwrap_or(0)
        )),
    };
    row(out, "Notice:", notice.as_deref())?;
    row(
        out,
        "Cancel by:",
        date(k.cancellation_deadline(today)).as_deref(),
    )
}

pub fn vendor(cmd: VendorCommand, h: &Handover, out: &mut Out) -> Result<(), CliError> {
    match cmd {
        VendorCommand::Add {
            client,
            name,
            vendor,
        } => {
            let id = client_id(&client)?;
            knowledge::add_vendor(h, &id, &name, vendor_patch(vendor)?)?;
            kind::added::<Vendors>(&name, &id);
            Ok(())
        }
        VendorCommand::Edit {
            client,
            name,
            new_name,
            vendor,
            remove_contact,
            clear,
        } => {
            let id = client_id(&client)?;
            let mut patch = vendor_patch(vendor)?;
            patch.name = new_name;
            patch.remove_contact = remove_contact;
            patch.clear = clear;
            let changed = knowledge::edit_vendor(h, &id, &name, patch)?;
            kind::report_change::<Vendors>(&name, &changed);
            Ok(())
        }
        VendorCommand::List { client, json } => kind::list::<Vendors>(h, &client, json, out),
        VendorCommand::Show { client, name, json } => {
            kind::show::<Vendors>(h, &client, &name, json, out)
        }
        VendorCommand::Remove { client, name } => kind::remove::<Vendors>(h, &client, &name),
    }
}
