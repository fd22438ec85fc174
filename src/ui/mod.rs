//! Components both views use: the JSON tree, the shared scroll viewport, pager buttons.

pub mod clipboard;
pub mod json_tree;
pub mod pager;
pub mod viewport;
