//! Limits on free text, in characters (not bytes), after trimming.

/// A unit's name, a token's name.
pub const NAME_MAX: usize = 200;
/// A decision document's reference number (文号).
pub const DOCUMENT_REF_MAX: usize = 200;
/// A decision's note.
pub const NOTE_MAX: usize = 2000;
/// A citation, a delisting reason, the objections to a public notice.
pub const PARAGRAPH_MAX: usize = 2000;
/// One industry of a pilot.
pub const INDUSTRY_MAX: usize = 100;
/// How many industries a pilot may list.
pub const INDUSTRIES_MAX: usize = 50;
