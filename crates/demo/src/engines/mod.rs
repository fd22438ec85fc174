//! The clouds' query engines over the demo events: SLS GetLogs ([`sls`]) and CloudWatch Logs
//! Insights ([`insights`]), each understanding a documented subset of its language
//! ([`query`]) and answering anything else with the engine's own syntax error.

pub mod insights;
pub mod query;
pub mod sls;

#[cfg(test)]
mod tests;
