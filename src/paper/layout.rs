//! Where the codes stand on a data page, in millimetres from the page's top-left
//! corner: the dossier draws them there, and a restore looks for each code there
//! first (a whole-page search is the fallback). Every data page has the same grid;
//! the first page's text takes the place of its top rows.

/// A module's size: 0.44 mm, about 5 pixels at 300 dpi and 3.5 at 200 dpi. Three
/// codes of 117 modules (version 25) side by side and four rows fit an A4 page, with
/// room for the quiet zones and a label under each code.
pub const MODULE_MM: f32 = 0.44;
/// Modules of a version-25 code.
pub const CODE_MODULES: usize = 117;
/// Margins of the page's body (as the rest of the dossier), and the space the
/// page's heading takes at its top.
pub const SIDE_MM: f32 = 18.0;
pub const TOP_MM: f32 = 24.0;
pub const BOTTOM_MM: f32 = 24.0;
pub const HEADING_MM: f32 = 12.0;
/// The least space between two codes: more than the 4-module quiet zone, with room
/// for the label under a code.
pub const MIN_GAP_MM: f32 = 6.0;

/// A page's grid of codes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Grid {
    pub cols: usize,
    pub rows: usize,
    /// Left edge of the first column's codes, top edge of the first row's.
    pub left: f32,
    pub top: f32,
    /// From one column (row) to the next.
    pub step_x: f32,
    pub step_y: f32,
}

/// The size of a code in millimetres.
pub fn code_mm() -> f32 {
    MODULE_MM * CODE_MODULES as f32
}

impl Grid {
    /// The grid on a page of `width` × `height` mm.
    pub fn for_page(width: f32, height: f32) -> Grid {
        let code = code_mm();
        let body_w = width - 2.0 * SIDE_MM;
        let top = TOP_MM + HEADING_MM;
        let body_h = height - top - BOTTOM_MM;
        let fit = |room: f32| (((room + MIN_GAP_MM) / (code + MIN_GAP_MM)) as usize).max(1);
        let cols = fit(body_w);
        // A row also needs its label under the code.
        let rows = fit(body_h - MIN_GAP_MM);
        let step = |room: f32, n: usize| {
            if n > 1 {
                (room - code) / (n - 1) as f32
            } else {
                0.0
            }
        };
        Grid {
            cols,
            rows,
            left: SIDE_MM,
            top,
            step_x: step(body_w, cols),
            step_y: step(body_h - MIN_GAP_MM, rows),
        }
    }

    pub fn per_page(&self) -> usize {
        self.cols * self.rows
    }

    /// The top-left corner of the code in cell `i` (row by row).
    pub fn cell(&self, i: usize) -> (f32, f32) {
        let (row, col) = (i / self.cols, i % self.cols);
        (
            self.left + col as f32 * self.step_x,
            self.top + row as f32 * self.step_y,
        )
    }
}

/// The page sizes data pages are printed on, width and height in mm.
pub const PAPERS: [(f32, f32); 2] = [(210.0, 297.0), (215.9, 279.4)];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a4_holds_twelve_codes_and_letter_nine() {
        let a4 = Grid::for_page(210.0, 297.0);
        assert_eq!((a4.cols, a4.rows), (3, 4));
        let letter = Grid::for_page(215.9, 279.4);
        assert_eq!((letter.cols, letter.rows), (3, 3));
        for g in [a4, letter] {
            assert!(g.step_x - code_mm() >= MIN_GAP_MM);
            assert!(g.step_y - code_mm() >= MIN_GAP_MM);
            let (_, y) = g.cell(g.per_page() - 1);
            assert!(y + code_mm() + MIN_GAP_MM <= 297.0 - BOTTOM_MM + 0.01);
        }
    }
}
