pub mod table;
pub mod viewport;
