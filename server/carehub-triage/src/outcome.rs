//! Call outcomes (docs/clinical-rules.md §8) and the figure commissioners care about most: did the
//! resident remain at their usual place of residence?
//!
//! Some outcomes answer that at once; OOH and AMB wait for follow-up flags; deaths and
//! abandoned calls do not count either way. An admission recorded at follow-up always means
//! the resident did not remain, whatever the outcome said.

/// The one primary outcome recorded for a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Outcome {
    /// Advice or reassurance only.
    Adv,
    /// Treatment plan delivered in the home by staff.
    Tih,
    /// Medicine started or changed remotely.
    Rxh,
    /// Referred to own GP, phone or video.
    Gpv,
    /// GP home visit requested.
    Gph,
    /// Urgent community response (2-hour) or community nursing.
    Ucr,
    /// Other community service (palliative, mental health, falls).
    Oth,
    /// Passed to NHS 111 or out-of-hours GP.
    Ooh,
    /// End-of-life plan enacted, comfort care in place.
    Eol,
    /// 999 ambulance requested (then: treated at home / conveyed).
    Amb,
    /// Advised to attend ED by other transport.
    Eds,
    /// Direct admission.
    Adm,
    /// Expected death, verification arranged.
    Dex,
    /// Unexpected death, 999 and coroner route.
    Dux,
    /// Abandoned, technical failure or duplicate.
    Abn,
}

/// The "remained at residence" column of docs/clinical-rules.md §8.1, before any follow-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Remained {
    /// The resident stayed at home.
    Yes,
    /// The resident left for hospital.
    No,
    /// Not known until the 111 / out-of-hours follow-up.
    Pending,
    /// Decided by follow-up: treated at home or conveyed.
    PerFollowUp,
    /// Not counted: a death or an abandoned call.
    NotApplicable,
}

/// What follow-up later learned; `None` means not yet known.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct FollowUp {
    /// The ambulance took the resident to hospital.
    pub conveyed: Option<bool>,
    /// The resident was admitted to hospital.
    pub admitted: Option<bool>,
    /// The resident died within 72 hours of the call.
    pub died_within_72h: Option<bool>,
}

impl Outcome {
    /// Every outcome, in the order of docs/clinical-rules.md §8.1 (the order the nurse's picker
    /// shows).
    pub const ALL: [Outcome; 15] = [
        Outcome::Adv,
        Outcome::Tih,
        Outcome::Rxh,
        Outcome::Gpv,
        Outcome::Gph,
        Outcome::Ucr,
        Outcome::Oth,
        Outcome::Ooh,
        Outcome::Eol,
        Outcome::Amb,
        Outcome::Eds,
        Outcome::Adm,
        Outcome::Dex,
        Outcome::Dux,
        Outcome::Abn,
    ];

    /// (code, label, remained at residence): §6 as one exhaustive table.
    fn row(self) -> (&'static str, &'static str, Remained) {
        use Remained::{No, NotApplicable, Pending, PerFollowUp, Yes};
        match self {
            Outcome::Adv => ("ADV", "Advice or reassurance only", Yes),
            Outcome::Tih => ("TIH", "Treatment plan delivered in the home by staff", Yes),
            Outcome::Rxh => ("RXH", "Medicine started or changed remotely", Yes),
            Outcome::Gpv => ("GPV", "Referred to own GP, phone or video", Yes),
            Outcome::Gph => ("GPH", "GP home visit requested", Yes),
            Outcome::Ucr => (
                "UCR",
                "Urgent community response (2-hour) or community nursing",
                Yes,
            ),
            Outcome::Oth => (
                "OTH",
                "Other community service (palliative, mental health, falls)",
                Yes,
            ),
            Outcome::Ooh => ("OOH", "Passed to NHS 111 or out-of-hours GP", Pending),
            Outcome::Eol => (
                "EOL",
                "End-of-life plan enacted, comfort care in place",
                Yes,
            ),
            Outcome::Amb => ("AMB", "999 ambulance requested", PerFollowUp),
            Outcome::Eds => ("EDS", "Advised to attend ED by other transport", No),
            Outcome::Adm => ("ADM", "Direct admission", No),
            Outcome::Dex => (
                "DEX",
                "Expected death, verification arranged",
                NotApplicable,
            ),
            Outcome::Dux => (
                "DUX",
                "Unexpected death, 999 and coroner route",
                NotApplicable,
            ),
            Outcome::Abn => (
                "ABN",
                "Abandoned, technical failure or duplicate",
                NotApplicable,
            ),
        }
    }

    /// The three-letter code used in the API, the database and exports.
    pub fn code(self) -> &'static str {
        self.row().0
    }

    /// Reads an exact upper-case code written by [`Outcome::code`].
    pub fn parse(code: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.code() == code)
    }

    /// The wording nurses and clinicians see.
    pub fn label(self) -> &'static str {
        self.row().1
    }

    /// What this outcome says about remaining at residence before any follow-up.
    pub fn remained_at_residence(self) -> Remained {
        self.row().2
    }
}

impl Remained {
    /// Every answer.
    pub const ALL: [Remained; 5] = [
        Remained::Yes,
        Remained::No,
        Remained::Pending,
        Remained::PerFollowUp,
        Remained::NotApplicable,
    ];

    /// The stable code used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Remained::Yes => "yes",
            Remained::No => "no",
            Remained::Pending => "pending",
            Remained::PerFollowUp => "per_follow_up",
            Remained::NotApplicable => "not_applicable",
        }
    }

    /// Reads a code written by [`Remained::as_str`].
    pub fn parse(code: &str) -> Option<Remained> {
        Remained::ALL.into_iter().find(|r| r.as_str() == code)
    }
}

/// Final answer to "did the resident remain at their usual place of residence?" given
/// follow-up flags: `Some(true)`/`Some(false)`, or `None` when not applicable or still pending.
///
/// An admission (`admitted == Some(true)`) means no for every outcome, including those that
/// are otherwise not applicable. AMB: not conveyed is yes, conveyed is no. OOH: not admitted
/// is yes.
pub fn remained(outcome: Outcome, follow_up: &FollowUp) -> Option<bool> {
    if follow_up.admitted == Some(true) {
        return Some(false);
    }
    match outcome.remained_at_residence() {
        Remained::Yes => Some(true),
        Remained::No => Some(false),
        Remained::NotApplicable => None,
        Remained::Pending => follow_up.admitted.map(|admitted| !admitted),
        Remained::PerFollowUp => follow_up.conveyed.map(|conveyed| !conveyed),
    }
}
