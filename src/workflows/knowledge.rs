//! Adding, changing, linking and removing systems, networks, vendors, documents and
//! decisions, and importing them with a whole client. Each change records a history
//! event naming what changed, never the values.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::model::names::command;
use crate::model::{
    Category, Client, ClientId, Contact, Criticality, Decision, DecisionStatus, Document,
    DocumentKind, Entry, Event, EventKind, Knowledge, Network, System, Vendor,
};
use crate::workflows::Handover;
use crate::workflows::entries::{ImportReport, OnConflict};

/// Sets `$target.$field` from an `Option` in the patch and notes its name.
macro_rules! set {
    ($changed:ident, $target:expr, $field:ident, $value:expr) => {
        if let Some(v) = $value {
            $target.$field = v;
            $changed.push(stringify!($field));
        }
    };
}

/// Clears the values named in `clear`, refusing names that cannot be cleared.
macro_rules! clear {
    ($changed:ident, $clear:expr, $what:literal, $target:expr, { $($name:literal => $field:ident),+ $(,)? }) => {
        for name in $clear {
            let hit = match name.as_str() {
                $($name => clear_value(&mut $target.$field),)+
                other => {
                    let all: &[&str] = &[$($name),+];
                    return Err(Error::Invalid(format!(
                        concat!("cannot clear {:?} of a ", $what, "; clearable values are: {}"),
                        other,
                        all.join(", ")
                    )));
                }
            };
            if hit {
                $changed.push(match name.as_str() { $($name => $name,)+ _ => "?" });
            }
        }
    };
}

/// Something that can be emptied by `--clear`.
trait Clearable {
    /// Empties the value; whether it held anything.
    fn clear_it(&mut self) -> bool;
}

impl<T> Clearable for Option<T> {
    fn clear_it(&mut self) -> bool {
        self.take().is_some()
    }
}

impl<T> Clearable for Vec<T> {
    fn clear_it(&mut self) -> bool {
        !std::mem::take(self).is_empty()
    }
}

fn clear_value(value: &mut impl Clearable) -> bool {
    value.clear_it()
}

/// An empty text means "not given": `--purpose ""` is refused rather than stored.
fn text(what: &str, value: Option<String>) -> Result<Option<Option<String>>> {
    match value {
        None => Ok(None),
        Some(v) if v.trim().is_empty() => Err(Error::Invalid(format!(
            "--{what} is empty; to remove a value use --clear {}",
            what.replace('-', "_")
        ))),
        Some(v) => Ok(Some(Some(v))),
    }
}

fn finish(mut changed: Vec<&'static str>) -> Vec<&'static str> {
    changed.sort_unstable();
    changed.dedup();
    changed
}

fn item_event(kind: EventKind, name: &str, id: Uuid) -> Event {
    Event::for_item(kind, Utc::now(), name, id)
}

/// What adding, changing and removing do alike for every kind of item: where the
/// items are, how one is found by name, and its events.
trait Item: Clone {
    const WHAT: &'static str;
    const CREATED: EventKind;
    const CHANGED: EventKind;
    const REMOVED: EventKind;
    fn items(client: &mut Client) -> &mut Vec<Self>;
    /// The item called `name`, or an error that says how to list them.
    fn named<'a>(client: &'a Client, name: &str) -> Result<&'a Self>;
    fn id(&self) -> Uuid;
    fn set_id(&mut self, id: Uuid);
    fn label(&self) -> &str;
    fn stamps(&mut self) -> (&mut Option<DateTime<Utc>>, &mut Option<DateTime<Utc>>);
    fn check(&self) -> Result<()>;
}

macro_rules! item {
    ($t:ty, $what:literal, $list:ident, $label:ident, $named:ident,
     $created:ident, $changed:ident, $removed:ident) => {
        impl Item for $t {
            const WHAT: &'static str = $what;
            const CREATED: EventKind = EventKind::$created;
            const CHANGED: EventKind = EventKind::$changed;
            const REMOVED: EventKind = EventKind::$removed;
            fn items(client: &mut Client) -> &mut Vec<Self> {
                &mut client.$list
            }
            fn named<'a>(client: &'a Client, name: &str) -> Result<&'a Self> {
                client.$named(name)
            }
            fn id(&self) -> Uuid {
                self.id
            }
            fn set_id(&mut self, id: Uuid) {
                self.id = id;
            }
            fn label(&self) -> &str {
                &self.$label
            }
            fn stamps(&mut self) -> (&mut Option<DateTime<Utc>>, &mut Option<DateTime<Utc>>) {
                (&mut self.created, &mut self.updated)
            }
            fn check(&self) -> Result<()> {
                self.validate()
            }
        }
    };
}

item! { System, "system", systems, name, system_named, SystemCreated, SystemChanged, SystemRemoved }
item! { Network, "network", networks, name, network_named, NetworkCreated, NetworkChanged, NetworkRemoved }
item! { Vendor, "vendor", vendors, name, vendor_named, VendorCreated, VendorChanged, VendorRemoved }
item! { Document, "document", documents, path, document_named, DocumentCreated, DocumentChanged, DocumentRemoved }
item! { Decision, "decision", decisions, title, decision_named, DecisionCreated, DecisionChanged, DecisionRemoved }

/// Refuses `name` when another item of the kind (not `except`) has it, ignoring case
/// (as validation does; "Gaeste" beside "Gäste" is allowed).
fn refuse_taken<T: Item>(client: &Client, name: &str, except: Option<Uuid>) -> Result<()> {
    match T::named(client, name) {
        Ok(other)
            if Some(other.id()) != except
                && other.label().to_lowercase() == name.to_lowercase() =>
        {
            Err(name_taken(T::WHAT, client, name))
        }
        _ => Ok(()),
    }
}

/// A new item with its patch applied: stamped now and checked.
fn fresh<T: Item>(mut item: T) -> Result<T> {
    let now = Some(Utc::now());
    let (created, updated) = item.stamps();
    *created = now;
    *updated = now;
    item.check()?;
    Ok(item)
}

/// Puts a new item into the client with its event (naming the values `set`), unless
/// its name is taken.
fn push_new<T: Item>(client: &mut Client, item: T, set: &[&str]) -> Result<T> {
    refuse_taken::<T>(client, item.label(), None)?;
    client.record(item_event(T::CREATED, item.label(), item.id()).with_fields(set));
    T::items(client).push(item.clone());
    Ok(item)
}

/// Changes the item called `name` with `apply`, refusing a new name that another item
/// of the kind has, and records what changed.
fn edit_item<T: Item>(
    h: &Handover,
    id: &ClientId,
    name: &str,
    new_name: Option<String>,
    apply: impl FnOnce(&Client, &mut T) -> Result<Vec<&'static str>>,
) -> Result<Vec<&'static str>> {
    h.update(id, |client| {
        let mut item = T::named(client, name)?.clone();
        if let Some(new) = &new_name {
            refuse_taken::<T>(client, new, Some(item.id()))?;
        }
        let changed = apply(client, &mut item)?;
        item.check()?;
        if !changed.is_empty() {
            *item.stamps().1 = Some(Utc::now());
            client.record(item_event(T::CHANGED, item.label(), item.id()).with_fields(&changed));
        }
        replace_by_id(T::items(client), item, T::id);
        Ok(changed)
    })
}

/// Removes the item called `name` once `allowed` agrees, and records it.
fn remove_item<T: Item>(
    h: &Handover,
    id: &ClientId,
    name: &str,
    allowed: impl FnOnce(&Client, &T) -> Result<()>,
) -> Result<()> {
    h.update(id, |client| {
        let item = T::named(client, name)?.clone();
        allowed(client, &item)?;
        let gone = item.id();
        T::items(client).retain(|x| x.id() != gone);
        client.record(item_event(T::REMOVED, item.label(), gone));
        Ok(())
    })
}

// ---------------------------------------------------------------- systems

/// Changes to a system; `None` leaves a value as it is.
#[derive(Default)]
pub struct SystemPatch {
    pub name: Option<String>,
    pub purpose: Option<String>,
    pub category: Option<Category>,
    pub site: Option<String>,
    pub location: Option<String>,
    pub make: Option<String>,
    pub model: Option<String>,
    pub serial: Option<String>,
    pub os: Option<String>,
    pub hostname: Option<String>,
    /// Replaces the list when not empty.
    pub ips: Vec<String>,
    pub mac: Option<String>,
    pub line_id: Option<String>,
    pub purchased: Option<NaiveDate>,
    pub warranty_until: Option<NaiveDate>,
    pub criticality: Option<Criticality>,
    pub backup_method: Option<String>,
    pub backup_target: Option<String>,
    pub restore_tested: Option<NaiveDate>,
    /// The vendor's name.
    pub vendor: Option<String>,
    pub notes: Option<String>,
    pub clear: Vec<String>,
}

pub const SYSTEM_CLEARABLE: &[&str] = &[
    "purpose",
    "site",
    "location",
    "make",
    "model",
    "serial",
    "os",
    "hostname",
    "ips",
    "mac",
    "line_id",
    "purchased",
    "warranty_until",
    "backup",
    "backup_method",
    "backup_target",
    "restore_tested",
    "vendor",
    "notes",
];

impl SystemPatch {
    fn apply(self, client: &Client, s: &mut System) -> Result<Vec<&'static str>> {
        let mut changed = Vec::new();
        clear_system(self.clear, s, &mut changed)?;
        set!(changed, s, name, self.name);
        set!(changed, s, purpose, text("purpose", self.purpose)?);
        set!(changed, s, category, self.category);
        set!(changed, s, site, text("site", self.site)?);
        set!(changed, s, location, text("location", self.location)?);
        set!(changed, s, make, text("make", self.make)?);
        set!(changed, s, model, text("model", self.model)?);
        set!(changed, s, serial, text("serial", self.serial)?);
        set!(changed, s, os, text("os", self.os)?);
        set!(changed, s, hostname, text("hostname", self.hostname)?);
        set!(changed, s, ips, (!self.ips.is_empty()).then_some(self.ips));
        set!(changed, s, mac, text("mac", self.mac)?);
        set!(changed, s, line_id, text("line-id", self.line_id)?);
        set!(changed, s, purchased, self.purchased.map(Some));
        set!(changed, s, warranty_until, self.warranty_until.map(Some));
        set!(changed, s, criticality, self.criticality);
        if let Some(v) = text("backup-method", self.backup_method)? {
            s.backup.method = v;
            changed.push("backup");
        }
        if let Some(v) = text("backup-target", self.backup_target)? {
            s.backup.target = v;
            changed.push("backup");
        }
        if let Some(v) = self.restore_tested {
            s.backup.last_restore_test = Some(v);
            changed.push("backup");
        }
        if let Some(name) = self.vendor {
            s.vendor = Some(client.vendor_named(&name)?.id);
            changed.push("vendor");
        }
        set!(changed, s, notes, text("notes", self.notes)?);
        Ok(finish(changed))
    }
}

/// `--clear` of a system: its own values, and its backup's (which count as one
/// change, "backup").
fn clear_system(clear: Vec<String>, s: &mut System, changed: &mut Vec<&'static str>) -> Result<()> {
    let (backup_clears, own_clears): (Vec<String>, Vec<String>) =
        clear.into_iter().partition(|c| {
            matches!(
                c.as_str(),
                "backup" | "backup_method" | "backup_target" | "restore_tested"
            )
        });
    clear!(changed, &own_clears, "system", s, {
        "purpose" => purpose, "site" => site, "location" => location, "make" => make,
        "model" => model, "serial" => serial, "os" => os, "hostname" => hostname,
        "ips" => ips, "mac" => mac, "line_id" => line_id, "purchased" => purchased,
        "warranty_until" => warranty_until, "vendor" => vendor, "notes" => notes,
    });
    for name in backup_clears {
        let b = &mut s.backup;
        let hit = match name.as_str() {
            "backup" => !std::mem::take(b).is_empty(),
            "backup_method" => b.method.take().is_some(),
            "backup_target" => b.target.take().is_some(),
            _ => b.last_restore_test.take().is_some(),
        };
        if hit {
            changed.push("backup");
        }
    }
    Ok(())
}

fn name_taken(what: &str, client: &Client, name: &str) -> Error {
    Error::Invalid(format!(
        "client {:?} already has a {what} called {name:?}; choose another name or edit that {what}",
        client.id.as_str()
    ))
}

pub fn add_system(h: &Handover, id: &ClientId, name: &str, patch: SystemPatch) -> Result<System> {
    crate::model::validate_name("system", name)?;
    h.update(id, |client| {
        refuse_taken::<System>(client, name, None)?;
        let mut s = System::new(name.to_owned());
        let set = patch.apply(client, &mut s)?;
        push_new(client, fresh(s)?, &set)
    })
}

pub fn edit_system(
    h: &Handover,
    id: &ClientId,
    name: &str,
    patch: SystemPatch,
) -> Result<Vec<&'static str>> {
    edit_item(h, id, name, patch.name.clone(), |client, s: &mut System| {
        patch.apply(client, s)
    })
}

pub fn remove_system(h: &Handover, id: &ClientId, name: &str) -> Result<()> {
    remove_item::<System>(h, id, name, |_, _| Ok(()))
}

fn replace_by_id<T>(items: &mut [T], new: T, id: impl Fn(&T) -> Uuid) {
    let wanted = id(&new);
    if let Some(slot) = items.iter_mut().find(|x| id(x) == wanted) {
        *slot = new;
    }
}

// ---------------------------------------------------------------- networks

#[derive(Default)]
pub struct NetworkPatch {
    pub name: Option<String>,
    pub cidr: Option<String>,
    pub vlan: Option<u16>,
    pub gateway: Option<String>,
    pub dhcp_range: Option<String>,
    /// Replaces the list when not empty.
    pub dns: Vec<String>,
    pub site: Option<String>,
    pub notes: Option<String>,
    pub clear: Vec<String>,
}

/// The values `--clear` empties on a network.
pub const NETWORK_CLEARABLE: &[&str] = &[
    "cidr",
    "vlan",
    "gateway",
    "dhcp_range",
    "dns",
    "site",
    "notes",
];

impl NetworkPatch {
    fn apply(self, n: &mut Network) -> Result<Vec<&'static str>> {
        let mut changed = Vec::new();
        clear!(changed, &self.clear, "network", n, {
            "cidr" => cidr, "vlan" => vlan, "gateway" => gateway, "dhcp_range" => dhcp_range,
            "dns" => dns, "site" => site, "notes" => notes,
        });
        set!(changed, n, name, self.name);
        set!(changed, n, cidr, text("cidr", self.cidr)?);
        set!(changed, n, vlan, self.vlan.map(Some));
        set!(changed, n, gateway, text("gateway", self.gateway)?);
        set!(changed, n, dhcp_range, text("dhcp-range", self.dhcp_range)?);
        set!(changed, n, dns, (!self.dns.is_empty()).then_some(self.dns));
        set!(changed, n, site, text("site", self.site)?);
        set!(changed, n, notes, text("notes", self.notes)?);
        Ok(finish(changed))
    }
}

pub fn add_network(
    h: &Handover,
    id: &ClientId,
    name: &str,
    patch: NetworkPatch,
) -> Result<Network> {
    crate::model::validate_name("network", name)?;
    let mut n = Network::new(name.to_owned());
    let set = patch.apply(&mut n)?;
    let n = fresh(n)?;
    h.update(id, |client| push_new(client, n, &set))
}

pub fn edit_network(
    h: &Handover,
    id: &ClientId,
    name: &str,
    patch: NetworkPatch,
) -> Result<Vec<&'static str>> {
    edit_item(h, id, name, patch.name.clone(), |_, n: &mut Network| {
        patch.apply(n)
    })
}

pub fn remove_network(h: &Handover, id: &ClientId, name: &str) -> Result<()> {
    remove_item::<Network>(h, id, name, |_, _| Ok(()))
}

// ---------------------------------------------------------------- vendors

#[derive(Default)]
pub struct VendorPatch {
    pub name: Option<String>,
    pub provides: Option<String>,
    pub customer_number: Option<String>,
    pub hotline: Option<String>,
    pub email: Option<String>,
    pub portal_url: Option<String>,
    pub contract_number: Option<String>,
    pub contract_start: Option<NaiveDate>,
    pub term_end: Option<NaiveDate>,
    pub renews_months: Option<u32>,
    pub notice_months: Option<u32>,
    pub notice_days: Option<u32>,
    pub add_contact: Option<Contact>,
    pub remove_contact: Option<String>,
    pub notes: Option<String>,
    pub clear: Vec<String>,
}

/// The values `--clear` empties on a vendor: its own, and its contract's.
pub const VENDOR_CLEARABLE: &[&str] = &[
    "provides",
    "customer_number",
    "hotline",
    "email",
    "portal_url",
    "contacts",
    "notes",
    "entries",
    "contract",
    "contract_number",
    "contract_start",
    "term_end",
    "renews_months",
    "notice_months",
    "notice_days",
];

impl VendorPatch {
    fn apply(self, v: &mut Vendor) -> Result<Vec<&'static str>> {
        let mut changed = Vec::new();
        clear_vendor(self.clear, v, &mut changed)?;
        set!(changed, v, name, self.name);
        set!(changed, v, provides, text("provides", self.provides)?);
        set!(
            changed,
            v,
            customer_number,
            text("customer-number", self.customer_number)?
        );
        set!(changed, v, hotline, text("hotline", self.hotline)?);
        set!(changed, v, email, text("email", self.email)?);
        set!(changed, v, portal_url, text("portal-url", self.portal_url)?);
        let before = v.contract.clone();
        if let Some(n) = text("contract-number", self.contract_number)? {
            v.contract.number = n;
        }
        if let Some(d) = self.contract_start {
            v.contract.start = Some(d);
        }
        if let Some(d) = self.term_end {
            v.contract.term_end = Some(d);
        }
        if let Some(m) = self.renews_months {
            v.contract.renews_months = Some(m);
        }
        if let Some(m) = self.notice_months {
            v.contract.notice_months = Some(m);
        }
        if let Some(d) = self.notice_days {
            v.contract.notice_days = Some(d);
        }
        if v.contract != before {
            changed.push("contract");
        }
        change_contacts(v, self.remove_contact, self.add_contact, &mut changed)?;
        set!(changed, v, notes, text("notes", self.notes)?);
        Ok(finish(changed))
    }
}

/// `--clear` of a vendor: its own values, and its contract's (which count as one
/// change, "contract").
fn clear_vendor(clear: Vec<String>, v: &mut Vendor, changed: &mut Vec<&'static str>) -> Result<()> {
    let mut contract_clears = Vec::new();
    let mut own_clears = Vec::new();
    for name in clear {
        match name.as_str() {
            "contract" | "contract_number" | "contract_start" | "term_end" | "renews_months"
            | "notice_months" | "notice_days" => contract_clears.push(name),
            _ => own_clears.push(name),
        }
    }
    clear!(changed, &own_clears, "vendor", v, {
        "provides" => provides, "customer_number" => customer_number, "hotline" => hotline,
        "email" => email, "portal_url" => portal_url, "contacts" => contacts,
        "notes" => notes, "entries" => entries,
    });
    let c = &mut v.contract;
    for name in contract_clears {
        let hit = match name.as_str() {
            "contract" => !std::mem::take(c).is_empty(),
            "contract_number" => c.number.take().is_some(),
            "contract_start" => c.start.take().is_some(),
            "term_end" => c.term_end.take().is_some(),
            "renews_months" => c.renews_months.take().is_some(),
            "notice_months" => c.notice_months.take().is_some(),
            _ => c.notice_days.take().is_some(),
        };
        if hit {
            changed.push("contract");
        }
    }
    Ok(())
}

/// Removes the contact called `remove`, then adds `add` (refused when a contact
/// of its name is there).
fn change_contacts(
    v: &mut Vendor,
    remove: Option<String>,
    add: Option<Contact>,
    changed: &mut Vec<&'static str>,
) -> Result<()> {
    if let Some(name) = remove {
        let before = v.contacts.len();
        v.contacts.retain(|c| c.name != name);
        if v.contacts.len() == before {
            return Err(Error::Invalid(format!(
                "vendor {:?} has no contact {name:?}",
                v.name
            )));
        }
        changed.push("contacts");
    }
    if let Some(contact) = add {
        if v.contacts.iter().any(|c| c.name == contact.name) {
            return Err(Error::Invalid(format!(
                "vendor {:?} already has a contact {:?}; remove it first with --remove-contact",
                v.name, contact.name
            )));
        }
        v.contacts.push(contact);
        changed.push("contacts");
    }
    Ok(())
}

pub fn add_vendor(h: &Handover, id: &ClientId, name: &str, patch: VendorPatch) -> Result<Vendor> {
    crate::model::validate_name("vendor", name)?;
    let mut v = Vendor::new(name.to_owned());
    let set = patch.apply(&mut v)?;
    let v = fresh(v)?;
    h.update(id, |client| push_new(client, v, &set))
}

pub fn edit_vendor(
    h: &Handover,
    id: &ClientId,
    name: &str,
    patch: VendorPatch,
) -> Result<Vec<&'static str>> {
    edit_item(h, id, name, patch.name.clone(), |_, v: &mut Vendor| {
        patch.apply(v)
    })
}

/// Removes a vendor; refused while a system names it, so that no system silently
/// loses its vendor.
pub fn remove_vendor(h: &Handover, id: &ClientId, name: &str) -> Result<()> {
    remove_item(h, id, name, |client, v: &Vendor| {
        let users: Vec<&str> = client
            .systems
            .iter()
            .filter(|s| s.vendor == Some(v.id))
            .map(|s| s.name.as_str())
            .collect();
        if !users.is_empty() {
            return Err(Error::Invalid(format!(
                "vendor {:?} is the vendor of {}; give those systems another vendor ({} or `--clear vendor`) first; nothing was changed",
                v.name,
                users
                    .iter()
                    .map(|u| format!("system {u:?}"))
                    .collect::<Vec<_>>()
                    .join(", "),
                command(&[
                    "system",
                    "edit",
                    client.id.as_str(),
                    users[0],
                    "--vendor",
                    "OTHER"
                ])
            )));
        }
        Ok(())
    })
}

// ---------------------------------------------------------------- links

/// What an entry is linked to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkTarget {
    System(String),
    Vendor(String),
}

fn entry_at<'a>(client: &'a Client, path: &str) -> Result<&'a Entry> {
    Ok(&client.entries[client.entry_named(path)?])
}

/// Links the entry at `path` to a system or vendor (`link = true`) or undoes that.
/// Returns false when there was nothing to do (already linked, or not linked).
pub fn link(
    h: &Handover,
    id: &ClientId,
    path: &str,
    target: &LinkTarget,
    link: bool,
) -> Result<bool> {
    h.update(id, |client| {
        let entry = entry_at(client, path)?.id;
        let (list, kind, name, item) = link_target(client, target)?;
        let has = list.contains(&entry);
        if has == link {
            return Ok(false);
        }
        if link {
            list.push(entry);
        } else {
            list.retain(|e| *e != entry);
        }
        let verb = if link { "linked" } else { "unlinked" };
        client.record(
            item_event(kind, &name, item)
                .with_fields(&["entries"])
                .with_detail(format!("{verb} entry {path}")),
        );
        touch(client, target, item);
        Ok(true)
    })
}

/// The target's list of linked entries, the event its change records, its name and id.
fn link_target<'a>(
    client: &'a mut Client,
    target: &LinkTarget,
) -> Result<(&'a mut Vec<Uuid>, EventKind, String, Uuid)> {
    Ok(match target {
        LinkTarget::System(name) => {
            let sid = client.system_named(name)?.id;
            let s = client
                .systems
                .iter_mut()
                .find(|s| s.id == sid)
                .ok_or_else(|| Error::Invalid("system vanished".into()))?;
            (
                &mut s.entries,
                EventKind::SystemChanged,
                s.name.clone(),
                sid,
            )
        }
        LinkTarget::Vendor(name) => {
            let vid = client.vendor_named(name)?.id;
            let v = client
                .vendors
                .iter_mut()
                .find(|v| v.id == vid)
                .ok_or_else(|| Error::Invalid("vendor vanished".into()))?;
            (
                &mut v.entries,
                EventKind::VendorChanged,
                v.name.clone(),
                vid,
            )
        }
    })
}

/// Stamps the linked system or vendor as updated now.
fn touch(client: &mut Client, target: &LinkTarget, item: Uuid) {
    let now = Some(Utc::now());
    match target {
        LinkTarget::System(_) => {
            if let Some(s) = client.systems.iter_mut().find(|s| s.id == item) {
                s.updated = now;
            }
        }
        LinkTarget::Vendor(_) => {
            if let Some(v) = client.vendors.iter_mut().find(|v| v.id == item) {
                v.updated = now;
            }
        }
    }
}

// ---------------------------------------------------------------- documents

#[derive(Default)]
pub struct DocumentPatch {
    pub title: Option<String>,
    pub kind: Option<DocumentKind>,
    pub body: Option<String>,
    /// A new path for the document.
    pub path: Option<String>,
}

impl DocumentPatch {
    fn apply(self, d: &mut Document) -> Vec<&'static str> {
        let mut changed = Vec::new();
        set!(changed, d, title, self.title);
        set!(changed, d, kind, self.kind);
        if let Some(body) = self.body
            && body != d.body
        {
            d.body = body;
            changed.push("body");
        }
        set!(changed, d, path, self.path);
        if d.title.trim().is_empty() {
            d.title = crate::model::path_name(&d.path).to_owned();
        }
        finish(changed)
    }
}

pub fn add_document(
    h: &Handover,
    id: &ClientId,
    path: &str,
    kind: DocumentKind,
    patch: DocumentPatch,
) -> Result<Document> {
    crate::model::validate_document_name(path)?;
    let mut d = Document::new(path.to_owned(), kind);
    let set = patch.apply(&mut d);
    let now = Utc::now();
    d.created = Some(now);
    d.updated = Some(now);
    d.validate()?;
    h.update(id, |client| {
        if client.document(path).is_some() {
            return Err(Error::Invalid(format!(
                "client {:?} already has a document {path:?}; choose another path or edit that document",
                client.id.as_str()
            )));
        }
        client.record(item_event(EventKind::DocumentCreated, &d.path, d.id).with_fields(&set));
        client.documents.push(d.clone());
        Ok(d)
    })
}

pub fn edit_document(
    h: &Handover,
    id: &ClientId,
    path: &str,
    patch: DocumentPatch,
) -> Result<Vec<&'static str>> {
    if let Some(new) = &patch.path {
        crate::model::validate_document_name(new)?;
    }
    h.update(id, |client| {
        let mut d = client.document_named(path)?.clone();
        let path = d.path.clone();
        if let Some(new) = &patch.path
            && *new != path
            && client.document(new).is_some()
        {
            return Err(Error::Invalid(format!(
                "client {:?} already has a document {new:?}; choose another path",
                client.id.as_str()
            )));
        }
        let changed = patch.apply(&mut d);
        d.validate()?;
        if !changed.is_empty() {
            d.updated = Some(Utc::now());
            let mut event =
                item_event(EventKind::DocumentChanged, &d.path, d.id).with_fields(&changed);
            if d.path != path {
                event = event.with_detail(format!("from {path}"));
            }
            client.record(event);
        }
        replace_by_id(&mut client.documents, d, |x| x.id);
        Ok(changed)
    })
}

pub fn remove_document(h: &Handover, id: &ClientId, path: &str) -> Result<()> {
    remove_item::<Document>(h, id, path, |_, _| Ok(()))
}

// ---------------------------------------------------------------- decisions

#[derive(Default)]
pub struct DecisionPatch {
    pub title: Option<String>,
    pub date: Option<NaiveDate>,
    pub decision: Option<String>,
    pub why: Option<String>,
    pub alternatives: Option<String>,
    pub decided_by: Option<String>,
    /// Marks this decision superseded by the one with this title (or id).
    pub superseded_by: Option<String>,
    /// Marks it current again.
    pub current: bool,
    pub clear: Vec<String>,
}

/// The values `--clear` empties on a decision.
pub const DECISION_CLEARABLE: &[&str] = &["decision", "why", "alternatives", "decided_by"];

impl DecisionPatch {
    fn apply(self, client: &Client, d: &mut Decision) -> Result<Vec<&'static str>> {
        let mut changed = Vec::new();
        clear!(changed, &self.clear, "decision", d, {
            "decision" => decision, "why" => why, "alternatives" => alternatives,
            "decided_by" => decided_by,
        });
        set!(changed, d, title, self.title);
        set!(changed, d, date, self.date);
        set!(changed, d, decision, text("decision", self.decision)?);
        set!(changed, d, why, text("why", self.why)?);
        set!(
            changed,
            d,
            alternatives,
            text("alternatives", self.alternatives)?
        );
        set!(changed, d, decided_by, text("decided-by", self.decided_by)?);
        if let Some(other) = self.superseded_by {
            let other = client.decision_named(&other)?;
            if other.id == d.id {
                return Err(Error::Invalid(format!(
                    "decision {:?} cannot supersede itself",
                    d.title
                )));
            }
            d.status = DecisionStatus::Superseded;
            d.superseded_by = Some(other.id);
            changed.push("status");
        } else if self.current && d.status != DecisionStatus::Current {
            d.status = DecisionStatus::Current;
            d.superseded_by = None;
            changed.push("status");
        }
        Ok(finish(changed))
    }
}

pub fn add_decision(
    h: &Handover,
    id: &ClientId,
    title: &str,
    date: NaiveDate,
    patch: DecisionPatch,
    supersedes: Option<&str>,
) -> Result<Decision> {
    crate::model::validate_name("decision", title)?;
    h.update(id, |client| {
        refuse_taken::<Decision>(client, title, None)?;
        let mut d = Decision::new(title.to_owned(), date);
        let set = patch.apply(client, &mut d)?;
        let d = fresh(d)?;
        let now = d.created;
        if let Some(old) = supersedes {
            let old = client.decision_named(old)?.id;
            if let Some(o) = client.decisions.iter_mut().find(|o| o.id == old) {
                o.status = DecisionStatus::Superseded;
                o.superseded_by = Some(d.id);
                o.updated = now;
                let event =
                    item_event(EventKind::DecisionChanged, &o.title, o.id).with_fields(&["status"]);
                client.record(event);
            }
        }
        push_new(client, d, &set)
    })
}

pub fn edit_decision(
    h: &Handover,
    id: &ClientId,
    title: &str,
    patch: DecisionPatch,
) -> Result<Vec<&'static str>> {
    edit_item(
        h,
        id,
        title,
        patch.title.clone(),
        |client, d: &mut Decision| patch.apply(client, d),
    )
}

/// Removes a decision; refused while another names it as its successor.
pub fn remove_decision(h: &Handover, id: &ClientId, title: &str) -> Result<()> {
    remove_item(h, id, title, |client, d: &Decision| {
        if let Some(old) = client
            .decisions
            .iter()
            .find(|o| o.superseded_by == Some(d.id))
        {
            return Err(Error::Invalid(format!(
                "decision {:?} supersedes {:?}; mark that one current again ({}) or remove it first; nothing was changed",
                d.title,
                old.title,
                command(&[
                    "decision",
                    "edit",
                    client.id.as_str(),
                    &old.title,
                    "--current"
                ])
            )));
        }
        Ok(())
    })
}

// ---------------------------------------------------------------- import

/// What a whole-client import did beyond entries: names added, replaced and skipped.
#[derive(Debug, Default)]
pub struct KnowledgeReport {
    pub added: Vec<String>,
    pub replaced: Vec<String>,
    pub skipped: Vec<String>,
}

/// Imports entries and knowledge all-or-nothing, in one write. Links in the import
/// name entries and vendors by their ids in the file; they are carried over to the
/// ids those end up with in the vault (an existing item of the same name or path,
/// when skipped or replaced).
#[allow(clippy::too_many_arguments)]
pub fn import_client(
    h: &Handover,
    id: &ClientId,
    entries: Vec<Entry>,
    knowledge: Knowledge,
    on_conflict: OnConflict,
    dry_run: bool,
    format: Option<&str>,
) -> Result<(ImportReport, KnowledgeReport)> {
    let plan = |client: &mut Client| -> Result<(ImportReport, KnowledgeReport)> {
        let (report, entry_ids) =
            super::entries::import_into(client, entries, on_conflict, format)?;
        let k = merge(client, knowledge, &entry_ids, on_conflict)?;
        let count = k.added.len() + k.replaced.len();
        if count > 0 {
            let mut detail = format!(
                "{count} items ({} added, {} replaced, {} skipped)",
                k.added.len(),
                k.replaced.len(),
                k.skipped.len()
            );
            if let Some(format) = format {
                detail.push_str(&format!(" from {format}"));
            }
            client.record(Event::new(EventKind::KnowledgeImported, Utc::now()).with_detail(detail));
        }
        client
            .validate()
            .and_then(|()| client.check_limits())
            .map_err(|e| Error::ImportFile {
                source_name: "the import".into(),
                reason: e.to_string(),
            })?;
        Ok((report, k))
    };
    if dry_run {
        let mut client = h.load(id)?;
        plan(&mut client)
    } else {
        h.update(id, plan)
    }
}

fn merge(
    client: &mut Client,
    k: Knowledge,
    entry_ids: &HashMap<Uuid, Uuid>,
    on_conflict: OnConflict,
) -> Result<KnowledgeReport> {
    if k.is_empty() {
        return Ok(KnowledgeReport::default());
    }
    if on_conflict == OnConflict::Rename {
        return Err(Error::Invalid(
            "--on-conflict rename applies to entries only; for an import with systems, networks, vendors, documents or decisions use fail, skip or replace".into(),
        ));
    }
    let mut p = Placing::new(client, on_conflict);
    let entries = EntryIds {
        imported: entry_ids,
        existing: client.entries.iter().map(|e| e.id).collect(),
    };
    // Vendors first: systems point at them.
    let vendor_ids = merge_vendors(client, k.vendors, &entries, &mut p)?;
    merge_systems(client, k.systems, &entries, &vendor_ids, &mut p)?;
    for n in k.networks {
        let existing = client.network(&n.name).map(|x| x.id);
        p.place(&mut client.networks, n, existing)?;
    }
    for mut d in k.documents {
        if d.title.trim().is_empty() {
            d.title = crate::model::path_name(&d.path).to_owned();
        }
        let existing = client.document(&d.path).map(|x| x.id);
        p.place(&mut client.documents, d, existing)?;
    }
    merge_decisions(client, k.decisions, &mut p)?;
    Ok(p.report)
}

/// Where an imported item's links to entries go: to the id the entry got in the
/// import, or to an entry already in the vault.
struct EntryIds<'a> {
    imported: &'a HashMap<Uuid, Uuid>,
    existing: HashSet<Uuid>,
}

impl EntryIds<'_> {
    fn map(&self, what: &str, name: &str, ids: &[Uuid]) -> Result<Vec<Uuid>> {
        ids.iter()
            .map(|&old| {
                self.imported
                    .get(&old)
                    .copied()
                    .or_else(|| self.existing.contains(&old).then_some(old))
                    .ok_or_else(|| {
                        Error::Invalid(format!(
                            "{what} {name:?} is linked to an entry ({old}) that is neither in the import nor in the vault; nothing was imported"
                        ))
                    })
            })
            .collect()
    }
}

/// Places the vendors; returns their ids in the file mapped to those in the vault.
fn merge_vendors(
    client: &mut Client,
    vendors: Vec<Vendor>,
    entries: &EntryIds,
    p: &mut Placing,
) -> Result<HashMap<Uuid, Uuid>> {
    let mut vendor_ids = HashMap::new();
    for mut v in vendors {
        v.entries = entries.map("vendor", &v.name, &v.entries)?;
        let existing = client.vendor(&v.name).map(|x| x.id);
        let (old, new) = p.place(&mut client.vendors, v, existing)?;
        vendor_ids.insert(old, new);
    }
    Ok(vendor_ids)
}

fn merge_systems(
    client: &mut Client,
    systems: Vec<System>,
    entries: &EntryIds,
    vendor_ids: &HashMap<Uuid, Uuid>,
    p: &mut Placing,
) -> Result<()> {
    for mut s in systems {
        s.entries = entries.map("system", &s.name, &s.entries)?;
        if let Some(v) = s.vendor {
            s.vendor = Some(vendor_ids.get(&v).copied().unwrap_or(v));
        }
        let existing = client.system(&s.name).map(|x| x.id);
        p.place(&mut client.systems, s, existing)?;
    }
    Ok(())
}

fn merge_decisions(client: &mut Client, decisions: Vec<Decision>, p: &mut Placing) -> Result<()> {
    let mut decision_ids: HashMap<Uuid, Uuid> = HashMap::new();
    let first_new = client.decisions.len();
    for d in decisions {
        let existing = client
            .decisions
            .iter()
            .find(|x| x.title.to_lowercase() == d.title.to_lowercase())
            .map(|x| x.id);
        let (old, new) = p.place(&mut client.decisions, d, existing)?;
        decision_ids.insert(old, new);
    }
    // Successors named by their id in the file follow it to the vault.
    for d in client.decisions.iter_mut().skip(first_new) {
        if let Some(s) = d.superseded_by {
            d.superseded_by = Some(decision_ids.get(&s).copied().unwrap_or(s));
        }
    }
    for d in &mut client.decisions {
        if let Some(s) = d.superseded_by
            && let Some(new) = decision_ids.get(&s)
        {
            d.superseded_by = Some(*new);
        }
    }
    Ok(())
}

/// What placing imported items shares: the conflict rule, the ids already taken in
/// the vault, the report so far, and the time stamped on new items.
struct Placing {
    on_conflict: OnConflict,
    taken: HashSet<Uuid>,
    report: KnowledgeReport,
    now: DateTime<Utc>,
}

impl Placing {
    fn new(client: &Client, on_conflict: OnConflict) -> Placing {
        let taken = client
            .entries
            .iter()
            .map(|e| e.id)
            .chain(client.systems.iter().map(|s| s.id))
            .chain(client.networks.iter().map(|n| n.id))
            .chain(client.vendors.iter().map(|v| v.id))
            .chain(client.documents.iter().map(|d| d.id))
            .chain(client.decisions.iter().map(|d| d.id))
            .collect();
        Placing {
            on_conflict,
            taken,
            report: KnowledgeReport::default(),
            now: Utc::now(),
        }
    }

    fn place<T: Item>(
        &mut self,
        items: &mut Vec<T>,
        item: T,
        existing: Option<Uuid>,
    ) -> Result<(Uuid, Uuid)> {
        place(
            items,
            item,
            existing,
            self.on_conflict,
            &mut self.taken,
            &mut self.report,
            self.now,
        )
    }
}

/// Puts an imported item in place: added (with a fresh id if its id is taken),
/// replacing the existing item of the same name (keeping that one's id and
/// creation date), or skipped. Returns (id in the file, id in the vault).
fn place<T: Item>(
    items: &mut Vec<T>,
    mut item: T,
    existing: Option<Uuid>,
    on_conflict: OnConflict,
    taken: &mut HashSet<Uuid>,
    report: &mut KnowledgeReport,
    now: DateTime<Utc>,
) -> Result<(Uuid, Uuid)> {
    let file_id = item.id();
    let label = item.label().to_owned();
    {
        let (created, updated) = item.stamps();
        created.get_or_insert(now);
        updated.get_or_insert(now);
    }
    match existing {
        None => {
            if taken.contains(&file_id) {
                item.set_id(Uuid::new_v4());
            }
            let new_id = item.id();
            taken.insert(new_id);
            report.added.push(label);
            items.push(item);
            Ok((file_id, new_id))
        }
        Some(old) => match on_conflict {
            OnConflict::Skip => {
                report.skipped.push(label);
                Ok((file_id, old))
            }
            OnConflict::Replace => {
                item.set_id(old);
                if let Some(slot) = items.iter_mut().find(|x| x.id() == old) {
                    let (created, _) = slot.stamps();
                    let kept = *created;
                    let (new_created, _) = item.stamps();
                    if kept.is_some() {
                        *new_created = kept;
                    }
                    *slot = item;
                }
                report.replaced.push(label);
                Ok((file_id, old))
            }
            OnConflict::Fail | OnConflict::Rename => Err(Error::Invalid(format!(
                "the {} {label:?} already exists (use --on-conflict skip or replace); nothing was imported",
                T::WHAT
            ))),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lists the command line offers are the names the patches clear.
    #[test]
    fn every_clearable_name_is_cleared() {
        for name in SYSTEM_CLEARABLE {
            let patch = SystemPatch {
                clear: vec![name.to_string()],
                ..SystemPatch::default()
            };
            let client = Client::new(
                ClientId::parse("acme").unwrap(),
                "Acme".into(),
                Vec::new(),
                Utc::now(),
            );
            let mut s = System::new("NAS".into());
            assert!(patch.apply(&client, &mut s).is_ok(), "{name}");
        }
        for name in NETWORK_CLEARABLE {
            let patch = NetworkPatch {
                clear: vec![name.to_string()],
                ..NetworkPatch::default()
            };
            assert!(
                patch.apply(&mut Network::new("LAN".into())).is_ok(),
                "{name}"
            );
        }
        for name in VENDOR_CLEARABLE {
            let patch = VendorPatch {
                clear: vec![name.to_string()],
                ..VendorPatch::default()
            };
            assert!(
                patch.apply(&mut Vendor::new("ISP".into())).is_ok(),
                "{name}"
            );
        }
        for name in DECISION_CLEARABLE {
            let patch = DecisionPatch {
                clear: vec![name.to_string()],
                ..DecisionPatch::default()
            };
            let client = Client::new(
                ClientId::parse("acme").unwrap(),
                "Acme".into(),
                Vec::new(),
                Utc::now(),
            );
            let mut d = Decision::new("X".into(), NaiveDate::default());
            assert!(patch.apply(&client, &mut d).is_ok(), "{name}");
        }
    }
}
