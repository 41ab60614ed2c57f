//! One test binary for the clinical core (one link, one place to look); this file only lists
//! the modules, one per crate module, each table-driven from docs/clinical-rules.md, plus one
//! that checks the document's own tables against the code.

mod clinical_rules;
mod clock;
mod lifecycle;
mod news2;
mod nhs_number;
mod observations;
mod outcome;
mod queue;
mod urgency;
