//! `print(filter1)`: the Python SDK's description of a filter object.

use super::{FilterSetOperator, IncidentFilter};
use std::fmt;

impl fmt::Display for IncidentFilter {
    /// The Python SDK's `print(filter1)` sections.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "_____Filter Object_____")?;
        writeln!(f)?;
        writeln!(f, "Filter Properties")?;
        let op = match self.operator {
            FilterSetOperator::And => "FilterSetOperator.AND",
            FilterSetOperator::Or => "FilterSetOperator.OR",
        };
        writeln!(f, "  {:<24}{op}", "Operator")?;
        writeln!(f, "  {:<24}{}", "Request Objects", self.api.len().max(1))?;
        writeln!(f)?;
        writeln!(f, "Owners")?;
        for o in &self.owners {
            writeln!(f, "  {:<24}{o}", "Owner")?;
        }
        writeln!(f)?;
        writeln!(f, "Filters")?;
        for a in &self.api {
            writeln!(f, "  {:<24}{}", "Description", a.describe())?;
        }
        for p in &self.post {
            writeln!(f, "  {:<24}{}", "Description", p.describe())?;
        }
        writeln!(f)?;
        writeln!(f, "API Filters")?;
        for a in &self.api {
            writeln!(f, "  {:<24}{}", "Filter", a.describe())?;
        }
        for c in &self.server {
            writeln!(f, "  {:<24}filters={c}", "Filter")?;
        }
        writeln!(f)?;
        writeln!(f, "Post Filters")?;
        for p in &self.post {
            writeln!(f, "  {:<24}{}", "Filter", p.describe())?;
        }
        Ok(())
    }
}
