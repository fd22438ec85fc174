pub mod jobs;
pub mod json_tree;
pub mod pager;
pub mod query_bar;
pub mod status;
pub mod table;
pub mod timeline;
pub mod viewport;
