use crate::error::Result;
use crate::formats::{Exported, Imported};
use crate::model::Client;
pub fn import(_data: &[u8], _source_name: &str) -> Result<Imported> { todo!() }
pub fn export(_c: &Client) -> Result<Exported> { todo!() }
