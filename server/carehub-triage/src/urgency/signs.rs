//! Soft signs and red flags: the coded answers care staff give before, or instead of, observations.
//!
//! Codes are ours and stable (API, database, exports); the wording is for the tablet and comes from
//! docs/clinical-rules.md §3. Each enum keeps code and wording side by side in one exhaustive
//! `match`, so rewording a label can never change a stored code, and a new variant cannot lack
//! either.

/// A soft sign of deterioration that care staff can tick (RESTORE2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SoftSign {
    /// More breathless, chesty, new cough.
    Breathing,
    /// Off food or drink.
    EatingDrinking,
    /// Shivery, feels hot or cold.
    Temperature,
    /// New or worse confusion.
    Confusion,
    /// Sleepier than usual.
    Drowsy,
    /// Restless, distressed, withdrawn.
    Agitated,
    /// Off legs, unsteady, a fall.
    Mobility,
    /// Pale, cold or mottled.
    Skin,
    /// Passing less urine, new incontinence, diarrhoea.
    BladderBowels,
    /// More tired, no energy.
    Tired,
    /// New pain.
    Pain,
    /// Family or other carers worried.
    FamilyConcern,
    /// Not themselves.
    NotThemselves,
}

impl SoftSign {
    /// Every soft sign in tablet order.
    pub const ALL: [SoftSign; 13] = [
        SoftSign::Breathing,
        SoftSign::EatingDrinking,
        SoftSign::Temperature,
        SoftSign::Confusion,
        SoftSign::Drowsy,
        SoftSign::Agitated,
        SoftSign::Mobility,
        SoftSign::Skin,
        SoftSign::BladderBowels,
        SoftSign::Tired,
        SoftSign::Pain,
        SoftSign::FamilyConcern,
        SoftSign::NotThemselves,
    ];

    /// (code, label): one exhaustive table, so a new sign cannot lack either.
    fn row(self) -> (&'static str, &'static str) {
        match self {
            SoftSign::Breathing => ("breathing", "More breathless, chesty, new cough"),
            SoftSign::EatingDrinking => ("eating_drinking", "Off food or drink"),
            SoftSign::Temperature => ("temperature", "Shivery, feels hot or cold"),
            SoftSign::Confusion => ("confusion", "New or worse confusion"),
            SoftSign::Drowsy => ("drowsy", "Sleepier than usual"),
            SoftSign::Agitated => ("agitated", "Restless, distressed, withdrawn"),
            SoftSign::Mobility => ("mobility", "Off legs, unsteady, a fall"),
            SoftSign::Skin => ("skin", "Pale, cold or mottled"),
            SoftSign::BladderBowels => (
                "bladder_bowels",
                "Passing less urine, new incontinence, diarrhoea",
            ),
            SoftSign::Tired => ("tired", "More tired, no energy"),
            SoftSign::Pain => ("pain", "New pain"),
            SoftSign::FamilyConcern => ("family_concern", "Family or other carers worried"),
            SoftSign::NotThemselves => ("not_themselves", "Not themselves"),
        }
    }

    /// The stable code used in the API and the database.
    pub fn as_str(self) -> &'static str {
        self.row().0
    }

    /// Reads a code written by [`SoftSign::as_str`].
    pub fn parse(code: &str) -> Option<SoftSign> {
        SoftSign::ALL.into_iter().find(|s| s.as_str() == code)
    }

    /// The wording staff see on the tablet.
    pub fn label(self) -> &'static str {
        self.row().1
    }
}

/// An emergency sign: any one means staff dial 999 now, and the call still queues at P1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RedFlag {
    /// Not breathing, or not breathing normally.
    NotBreathingNormally,
    /// Unresponsive.
    Unresponsive,
    /// Choking.
    Choking,
    /// Major bleeding.
    MajorBleeding,
    /// Fitting now.
    Fitting,
    /// Suspected stroke (face, arm, speech).
    SuspectedStroke,
    /// Chest pain.
    ChestPain,
    /// Severe allergic reaction.
    SevereAllergicReaction,
}

impl RedFlag {
    /// Every red flag in the order the tablet asks them.
    pub const ALL: [RedFlag; 8] = [
        RedFlag::NotBreathingNormally,
        RedFlag::Unresponsive,
        RedFlag::Choking,
        RedFlag::MajorBleeding,
        RedFlag::Fitting,
        RedFlag::SuspectedStroke,
        RedFlag::ChestPain,
        RedFlag::SevereAllergicReaction,
    ];

    /// (code, short label, question): one exhaustive table, so a new flag cannot lack any.
    fn row(self) -> (&'static str, &'static str, &'static str) {
        match self {
            RedFlag::NotBreathingNormally => (
                "not_breathing",
                "not breathing normally",
                "Is the resident not breathing, or not breathing normally?",
            ),
            RedFlag::Unresponsive => (
                "unresponsive",
                "unresponsive",
                "Is the resident unresponsive?",
            ),
            RedFlag::Choking => ("choking", "choking", "Is the resident choking?"),
            RedFlag::MajorBleeding => (
                "major_bleeding",
                "major bleeding",
                "Is the resident bleeding heavily?",
            ),
            RedFlag::Fitting => ("fitting", "fitting", "Is the resident fitting now?"),
            RedFlag::SuspectedStroke => (
                "stroke",
                "suspected stroke",
                "Could the resident be having a stroke (face drooping, arm weakness, speech problems)?",
            ),
            RedFlag::ChestPain => (
                "chest_pain",
                "chest pain",
                "Does the resident have chest pain?",
            ),
            RedFlag::SevereAllergicReaction => (
                "severe_allergic_reaction",
                "severe allergic reaction",
                "Is the resident having a severe allergic reaction?",
            ),
        }
    }

    /// The stable code used in the API and the database.
    pub fn as_str(self) -> &'static str {
        self.row().0
    }

    /// Reads a code written by [`RedFlag::as_str`].
    pub fn parse(code: &str) -> Option<RedFlag> {
        RedFlag::ALL.into_iter().find(|f| f.as_str() == code)
    }

    /// Short wording for reasons and the call record ("chest pain").
    pub fn label(self) -> &'static str {
        self.row().1
    }

    /// The yes/no question staff are asked first.
    pub fn question(self) -> &'static str {
        self.row().2
    }
}
