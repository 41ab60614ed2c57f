-- Foundation: care homes, users, residents, versioned care plan summaries, audit log.
-- Times are unix milliseconds (INTEGER); calendar dates are ISO text (YYYY-MM-DD).

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE care_home (
    id      INTEGER PRIMARY KEY,
    name    TEXT NOT NULL UNIQUE,
    address TEXT NOT NULL,
    phone   TEXT NOT NULL
) STRICT;

CREATE TABLE user_account (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE COLLATE NOCASE,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('care_staff', 'hub_nurse', 'clinician', 'admin')),
    care_home_id  INTEGER REFERENCES care_home(id),
    password_hash TEXT NOT NULL,
    active        INTEGER NOT NULL DEFAULT 1,
    -- Care staff belong to exactly one home; nobody else belongs to a home.
    CHECK ((role = 'care_staff') = (care_home_id IS NOT NULL))
) STRICT;

CREATE TABLE resident (
    id             INTEGER PRIMARY KEY,
    care_home_id   INTEGER NOT NULL REFERENCES care_home(id),
    nhs_number     TEXT NOT NULL UNIQUE CHECK (length(nhs_number) = 10),
    given_name     TEXT NOT NULL,
    family_name    TEXT NOT NULL,
    preferred_name TEXT NOT NULL,
    date_of_birth  TEXT NOT NULL,
    room           TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    -- Residents who leave are archived, never deleted: their calls and plans stay on record.
    archived_at    INTEGER
) STRICT;
CREATE INDEX resident_by_home ON resident(care_home_id, family_name, given_name);

-- One row per version; a change inserts a new version and never rewrites an old one.
CREATE TABLE care_plan_version (
    resident_id INTEGER NOT NULL REFERENCES resident(id),
    version     INTEGER NOT NULL CHECK (version >= 1),
    content     TEXT NOT NULL,
    author_id   INTEGER NOT NULL REFERENCES user_account(id),
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (resident_id, version)
) STRICT;
CREATE TRIGGER care_plan_version_immutable_update BEFORE UPDATE ON care_plan_version
BEGIN SELECT RAISE(ABORT, 'care plan versions are immutable'); END;
CREATE TRIGGER care_plan_version_immutable_delete BEFORE DELETE ON care_plan_version
BEGIN SELECT RAISE(ABORT, 'care plan versions are immutable'); END;

-- Append-only record of every care plan read and every change to clinical data.
CREATE TABLE audit_log (
    id           INTEGER PRIMARY KEY,
    at           INTEGER NOT NULL,
    actor_id     INTEGER NOT NULL,
    actor_name   TEXT NOT NULL,
    actor_role   TEXT NOT NULL,
    action       TEXT NOT NULL,
    target_type  TEXT NOT NULL,
    target_id    INTEGER NOT NULL,
    resident_id  INTEGER,
    address      TEXT,
    detail       TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX audit_by_resident ON audit_log(resident_id, id);
CREATE INDEX audit_by_actor ON audit_log(actor_id, id);
CREATE TRIGGER audit_log_append_only_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
CREATE TRIGGER audit_log_append_only_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
