-- Connection quality of each participant's media leg, sampled during calls, so a bad line
-- can be told apart from a clinical problem in the review. No media itself is ever stored.
CREATE TABLE call_quality (
    call_id  INTEGER NOT NULL REFERENCES call(id),
    at       INTEGER NOT NULL,
    user_id  INTEGER NOT NULL REFERENCES user_account(id),
    rtt_ms   INTEGER CHECK (rtt_ms IS NULL OR rtt_ms >= 0),
    loss     REAL CHECK (loss IS NULL OR (loss >= 0 AND loss <= 1)),
    rx_kbps  INTEGER NOT NULL CHECK (rx_kbps >= 0),
    tx_kbps  INTEGER NOT NULL CHECK (tx_kbps >= 0)
) STRICT;
CREATE INDEX call_quality_by_call ON call_quality(call_id, at);
CREATE TRIGGER call_quality_append_only_update BEFORE UPDATE ON call_quality
BEGIN SELECT RAISE(ABORT, 'quality samples are append-only'); END;
