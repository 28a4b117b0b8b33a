//! Part 3: the instructions for the client and a successor.

use crate::dossier::blocks::{BODY, Ctx};
use crate::dossier::layout::Flow;

pub fn instructions(ctx: &Ctx<'_>, flow: &mut Flow) {
    let t = ctx.texts;
    let howto = format!("3 {}", t.howto_title);
    ctx.heading(flow, &howto, 1, Some(&howto));
    for paragraph in &t.howto {
        let mut rows = ctx.para(paragraph, BODY, 0.0);
        if let Some(last) = rows.last_mut() {
            last.height += 5.0;
        }
        flow.block(rows);
    }
}
