//! Schema migrations, applied in order at open and tracked in `PRAGMA user_version`, so an old
//! database file is brought forward and a newer one is refused rather than misread.

use rusqlite::Connection;

use super::db_error;
use crate::{StoreError, StoreResult};

/// Migrations in order; the position plus one is the schema version they bring the file to.
const MIGRATIONS: &[(&str, &str)] = &[
    (
        "0001_foundation",
        include_str!("../../migrations/sqlite/0001_foundation.sql"),
    ),
    (
        "0002_calls",
        include_str!("../../migrations/sqlite/0002_calls.sql"),
    ),
    (
        "0003_media",
        include_str!("../../migrations/sqlite/0003_media.sql"),
    ),
    (
        "0004_photos",
        include_str!("../../migrations/sqlite/0004_photos.sql"),
    ),
];

/// Applies every migration the file has not seen, each in its own transaction.
pub(crate) fn apply(conn: &mut Connection) -> StoreResult<()> {
    let current: usize = conn
        .query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))
        .map_err(db_error)?
        .try_into()
        .unwrap_or(0);
    if current > MIGRATIONS.len() {
        return Err(StoreError::Unavailable(format!(
            "database schema version {current} is newer than this build knows ({})",
            MIGRATIONS.len()
        )));
    }
    for (index, (name, sql)) in MIGRATIONS.iter().enumerate().skip(current) {
        let tx = conn.transaction().map_err(db_error)?;
        tx.execute_batch(sql)
            .map_err(|e| StoreError::Unavailable(format!("migration {name}: {e}")))?;
        tx.pragma_update(None, "user_version", index + 1)
            .map_err(db_error)?;
        tx.commit().map_err(db_error)?;
        tracing::info!(migration = name, "applied database migration");
    }
    Ok(())
}
