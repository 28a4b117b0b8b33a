//! `client edit --add-contact NAME [--role R] [--phone P] [--email E]`, repeatable:
//! each `--role`, `--phone` and `--email` describes the `--add-contact` before it.
//! Clap's derive cannot pair options by position, so this reads their indices.

use clap::error::ErrorKind;
use clap::{Arg, ArgAction, ArgMatches, Args, Command, FromArgMatches};
use handover::model::Contact;

const NAME: &str = "add_contact";
const DETAILS: [(&str, &str); 3] = [("role", "ROLE"), ("phone", "PHONE"), ("email", "EMAIL")];

/// The contacts to add, in the order given.
#[derive(Debug, Default, Clone)]
pub struct NewContacts(pub Vec<Contact>);

impl Args for NewContacts {
    fn augment_args(cmd: Command) -> Command {
        let cmd = cmd.arg(
            Arg::new(NAME)
                .long("add-contact")
                .value_name("NAME")
                .action(ArgAction::Append)
                .help(
                    "Add a contact person with this name (repeatable; the --role, \
                     --phone and --email after it describe this contact)",
                ),
        );
        DETAILS.iter().fold(cmd, |cmd, &(id, value_name)| {
            cmd.arg(
                Arg::new(id)
                    .long(id)
                    .value_name(value_name)
                    .action(ArgAction::Append)
                    .requires(NAME)
                    .help(format!("The {id} of the --add-contact before it")),
            )
        })
    }

    fn augment_args_for_update(cmd: Command) -> Command {
        Self::augment_args(cmd)
    }
}

impl FromArgMatches for NewContacts {
    fn from_arg_matches(m: &ArgMatches) -> Result<Self, clap::Error> {
        let names = with_indices(m, NAME);
        let mut contacts: Vec<Contact> = names
            .iter()
            .map(|(_, name)| Contact {
                name: name.clone(),
                ..Contact::default()
            })
            .collect();
        for (id, _) in DETAILS {
            for (index, value) in with_indices(m, id) {
                let Some(owner) = names.iter().rposition(|(i, _)| *i < index) else {
                    return Err(usage(format!(
                        "--{id} {value:?} comes before any --add-contact; put it after the --add-contact NAME it describes"
                    )));
                };
                let contact = &mut contacts[owner];
                let slot = detail(contact, id);
                if slot.is_some() {
                    return Err(usage(format!(
                        "--add-contact {:?} has more than one --{id}; give one --{id} after each --add-contact",
                        contact.name
                    )));
                }
                *slot = Some(value);
            }
        }
        Ok(NewContacts(contacts))
    }

    fn update_from_arg_matches(&mut self, m: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(m)?;
        Ok(())
    }
}

/// The values of one option with where they stood on the command line.
fn with_indices(m: &ArgMatches, id: &str) -> Vec<(usize, String)> {
    match (m.indices_of(id), m.get_many::<String>(id)) {
        (Some(indices), Some(values)) => indices.zip(values.cloned()).collect(),
        _ => Vec::new(),
    }
}

fn detail<'a>(contact: &'a mut Contact, id: &str) -> &'a mut Option<String> {
    match id {
        "role" => &mut contact.role,
        "phone" => &mut contact.phone,
        _ => &mut contact.email,
    }
}

fn usage(message: String) -> clap::Error {
    clap::Error::raw(ErrorKind::ArgumentConflict, format!("{message}\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Vec<Contact>, clap::Error> {
        let cmd = NewContacts::augment_args(Command::new("t").no_binary_name(true));
        let m = cmd.try_get_matches_from(args)?;
        NewContacts::from_arg_matches(&m).map(|c| c.0)
    }

    #[test]
    fn each_detail_belongs_to_the_contact_before_it() {
        let c = parse(&[
            "--add-contact",
            "Jutta",
            "--role",
            "GF",
            "--add-contact",
            "Ole",
            "--email",
            "ole@x.de",
            "--phone",
            "040",
            "--add-contact",
            "Eda",
        ])
        .unwrap();
        let names: Vec<&str> = c.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["Jutta", "Ole", "Eda"]);
        assert_eq!(c[0].role.as_deref(), Some("GF"));
        assert_eq!(c[0].email, None);
        assert_eq!(c[1].email.as_deref(), Some("ole@x.de"));
        assert_eq!(c[1].phone.as_deref(), Some("040"));
        assert_eq!(
            c[2],
            Contact {
                name: "Eda".into(),
                ..Contact::default()
            }
        );
        assert!(parse(&[]).unwrap().is_empty());
    }

    #[test]
    fn a_detail_without_its_contact_is_refused() {
        let e = parse(&["--role", "GF", "--add-contact", "Jutta"]).unwrap_err();
        assert!(
            e.to_string()
                .contains("--role \"GF\" comes before any --add-contact"),
            "{e}"
        );
        let e = parse(&["--add-contact", "J", "--role", "a", "--role", "b"]).unwrap_err();
        assert!(
            e.to_string()
                .contains("--add-contact \"J\" has more than one --role"),
            "{e}"
        );
        let e = parse(&["--phone", "040"]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::MissingRequiredArgument);
    }
}
