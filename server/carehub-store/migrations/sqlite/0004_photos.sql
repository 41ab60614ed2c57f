-- Still photos care staff send during a call when the video cannot show enough (a rash, a
-- wound, a swollen leg). They are part of the call's clinical record: kept with it, never
-- changed, never deleted, and every read of an image is audited by the store.
--
-- The image is the last column, so reading a call's list of photos (every other column) stops
-- before the image's overflow pages and never reads the pictures themselves.
CREATE TABLE call_photo (
    id           INTEGER PRIMARY KEY,
    call_id      INTEGER NOT NULL REFERENCES call(id),
    taken_by     INTEGER NOT NULL REFERENCES user_account(id),
    taken_at     INTEGER NOT NULL,
    content_type TEXT NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png')),
    bytes        INTEGER NOT NULL CHECK (bytes >= 1),
    width        INTEGER CHECK (width IS NULL OR width >= 1),
    height       INTEGER CHECK (height IS NULL OR height >= 1),
    image        BLOB NOT NULL CHECK (length(image) = bytes)
) STRICT;
CREATE INDEX call_photo_by_call ON call_photo(call_id, id);
CREATE TRIGGER call_photo_append_only_update BEFORE UPDATE ON call_photo
BEGIN SELECT RAISE(ABORT, 'call photos are part of the clinical record and never change'); END;
CREATE TRIGGER call_photo_append_only_delete BEFORE DELETE ON call_photo
BEGIN SELECT RAISE(ABORT, 'call photos are part of the clinical record and never change'); END;
