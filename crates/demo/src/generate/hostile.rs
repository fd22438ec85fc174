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
}

pub(super) const HOSTILE_KINDS: [Hostile; 12] = [
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
];
