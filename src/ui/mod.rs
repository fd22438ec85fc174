//! Components both views use: the JSON tree, the shared scroll viewport, pager buttons, the
//! toolbar's menu button.

pub mod clipboard;
pub mod cut;
pub mod json_tree;
pub mod menu;
pub mod pager;
pub mod viewport;
