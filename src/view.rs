//! Which view the page shows (a leaf: the root `app` and the URL's `link` both name it).

/// Which view is shown. The events view's elements stay mounted (and unchanged) in the Jobs
/// view, hidden by a class on <body>; the Jobs view, once loaded, stays mounted too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Events,
    Jobs,
}
