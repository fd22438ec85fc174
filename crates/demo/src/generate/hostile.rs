//! Hostile and odd values, carried by a small deterministic fraction of events on purpose.

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Hostile {
    Script,
    ImgOnerror,
    SvgBreakout,
    LongString,
    DeepNesting,
    RtlOverride,
    ZeroWidth,
    Emoji,
    BigArray,
    NumbersAsStrings,
    Nulls,
    EmptyObjects,
    /// Spreadsheet formulas (`=HYPERLINK(…)`, `@SUM(…)`) in the user agent, the resource name
    /// and the user name (a table column, so a CSV export carries one).
    Formula,
}

/// The formula [`Hostile::Formula`] puts in the user agent and the user name.
pub(super) const FORMULA_HYPERLINK: &str = "=HYPERLINK(\"http://example.com\",\"x\")";
/// The formula [`Hostile::Formula`] puts in the resource name.
pub(super) const FORMULA_SUM: &str = "@SUM(1+1)";

pub(super) const HOSTILE_KINDS: [Hostile; 13] = [
    Hostile::Script,
    Hostile::LongString,
    Hostile::RtlOverride,
    Hostile::BigArray,
    Hostile::ImgOnerror,
    Hostile::DeepNesting,
    Hostile::ZeroWidth,
    Hostile::NumbersAsStrings,
    Hostile::SvgBreakout,
    Hostile::Emoji,
    Hostile::Nulls,
    Hostile::EmptyObjects,
    Hostile::Formula,
];
