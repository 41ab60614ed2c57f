-- Hub calls: the current state of each call (a projection) and its append-only event history.
-- Times are unix milliseconds (INTEGER). Clinical payloads (assessment, triage, snapshot,
-- event detail) are opaque JSON text written by the server; the columns the store orders,
-- filters and counts by are typed and checked here.

CREATE TABLE call (
    id                 INTEGER PRIMARY KEY,
    resident_id        INTEGER NOT NULL REFERENCES resident(id),
    care_home_id       INTEGER NOT NULL REFERENCES care_home(id),
    state              TEXT NOT NULL CHECK (state IN ('queued', 'claimed', 'in_consultation',
                           'wrap_up', 'closed', 'cancelled', 'abandoned')),
    level              TEXT NOT NULL CHECK (level IN ('P1', 'P2', 'P3', 'P4', 'P5')),
    initial_level      TEXT NOT NULL CHECK (initial_level IN ('P1', 'P2', 'P3', 'P4', 'P5')),
    news2_total        INTEGER CHECK (news2_total BETWEEN 0 AND 20),
    arrived_at         INTEGER NOT NULL,
    clock_start        INTEGER NOT NULL,
    holder_id          INTEGER REFERENCES user_account(id),
    answered_at        INTEGER,
    ended_at           INTEGER,
    breaches           INTEGER NOT NULL DEFAULT 0 CHECK (breaches BETWEEN 0 AND 255),
    assessment         TEXT NOT NULL,
    triage             TEXT NOT NULL,
    situation          TEXT NOT NULL,
    care_plan_version  INTEGER CHECK (care_plan_version >= 1),
    care_plan_snapshot TEXT,
    -- The outcome, recorded at wrap-up: all of these are set together, or none.
    outcome            TEXT CHECK (outcome IN ('ADV', 'TIH', 'RXH', 'GPV', 'GPH', 'UCR', 'OTH',
                           'OOH', 'EOL', 'AMB', 'EDS', 'ADM', 'DEX', 'DUX', 'ABN')),
    outcome_plan       TEXT,
    reobserve_at       INTEGER,
    -- User ids of the clinicians involved, as a comma-separated list ('' for none).
    outcome_clinicians TEXT CHECK (outcome_clinicians NOT GLOB '*[^0-9,]*'),
    outcome_by         INTEGER REFERENCES user_account(id),
    outcome_at         INTEGER,
    -- Follow-up flags learned later: NULL unknown, 0 no, 1 yes.
    conveyed           INTEGER CHECK (conveyed IN (0, 1)),
    admitted           INTEGER CHECK (admitted IN (0, 1)),
    died_within_72h    INTEGER CHECK (died_within_72h IN (0, 1)),
    -- Clinician sign-off of a closed call: all set together, or none.
    signed_off_by      INTEGER REFERENCES user_account(id),
    signed_off_by_name TEXT,
    signed_off_at      INTEGER,
    sign_off_comment   TEXT,
    last_seq           INTEGER NOT NULL CHECK (last_seq >= 1),
    CHECK ((outcome IS NULL AND outcome_plan IS NULL AND reobserve_at IS NULL
                AND outcome_clinicians IS NULL AND outcome_by IS NULL AND outcome_at IS NULL)
        OR (outcome IS NOT NULL AND outcome_plan IS NOT NULL
                AND outcome_clinicians IS NOT NULL AND outcome_by IS NOT NULL
                AND outcome_at IS NOT NULL)),
    CHECK ((signed_off_by IS NULL AND signed_off_by_name IS NULL AND signed_off_at IS NULL
                AND sign_off_comment IS NULL)
        OR (signed_off_by IS NOT NULL AND signed_off_by_name IS NOT NULL
                AND signed_off_at IS NOT NULL AND sign_off_comment IS NOT NULL
                AND state = 'closed')),
    -- A call has ended exactly when it is in a terminal state.
    CHECK ((state IN ('closed', 'cancelled', 'abandoned')) = (ended_at IS NOT NULL)),
    CHECK ((care_plan_version IS NULL) = (care_plan_snapshot IS NULL))
) STRICT;
-- The queue is rebuilt from the open calls at start.
CREATE INDEX call_by_state ON call(state, arrived_at);
-- Review lists and figures filter by home and period, or by period alone.
CREATE INDEX call_by_home ON call(care_home_id, arrived_at);
CREATE INDEX call_by_arrival ON call(arrived_at);
-- "Recent calls" in the resident's summary.
CREATE INDEX call_by_resident ON call(resident_id, arrived_at);

-- What a call is about, when it arrived and what the nurse saw are fixed at creation.
CREATE TRIGGER call_identity_immutable BEFORE UPDATE ON call
WHEN NEW.resident_id IS NOT OLD.resident_id OR NEW.care_home_id IS NOT OLD.care_home_id
  OR NEW.arrived_at IS NOT OLD.arrived_at OR NEW.initial_level IS NOT OLD.initial_level
  OR NEW.situation IS NOT OLD.situation OR NEW.care_plan_version IS NOT OLD.care_plan_version
  OR NEW.care_plan_snapshot IS NOT OLD.care_plan_snapshot
BEGIN SELECT RAISE(ABORT, 'a call''s resident, arrival and care plan snapshot are fixed'); END;
-- A finished call stays finished.
CREATE TRIGGER call_terminal_is_final BEFORE UPDATE OF state ON call
WHEN OLD.state IN ('closed', 'cancelled', 'abandoned') AND NEW.state IS NOT OLD.state
BEGIN SELECT RAISE(ABORT, 'a finished call cannot change state'); END;
CREATE TRIGGER call_never_deleted BEFORE DELETE ON call
BEGIN SELECT RAISE(ABORT, 'calls are clinical records and are never deleted'); END;

-- Append-only history of each call; `seq` counts from 1 within the call.
CREATE TABLE call_event (
    call_id    INTEGER NOT NULL REFERENCES call(id),
    seq        INTEGER NOT NULL CHECK (seq >= 1),
    at         INTEGER NOT NULL,
    kind       TEXT NOT NULL CHECK (length(kind) BETWEEN 1 AND 40 AND kind NOT GLOB '*[^a-z_]*'),
    actor_id   INTEGER,
    actor_name TEXT,
    actor_role TEXT CHECK (actor_role IN ('care_staff', 'hub_nurse', 'clinician', 'admin')),
    state      TEXT NOT NULL CHECK (state IN ('queued', 'claimed', 'in_consultation',
                   'wrap_up', 'closed', 'cancelled', 'abandoned')),
    detail     TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (call_id, seq),
    -- An event is by a person (all three set) or by the system (none).
    CHECK ((actor_id IS NULL AND actor_name IS NULL AND actor_role IS NULL)
        OR (actor_id IS NOT NULL AND actor_name IS NOT NULL AND actor_role IS NOT NULL))
) STRICT, WITHOUT ROWID;
CREATE TRIGGER call_event_append_only_update BEFORE UPDATE ON call_event
BEGIN SELECT RAISE(ABORT, 'call events are append-only'); END;
CREATE TRIGGER call_event_append_only_delete BEFORE DELETE ON call_event
BEGIN SELECT RAISE(ABORT, 'call events are append-only'); END;
