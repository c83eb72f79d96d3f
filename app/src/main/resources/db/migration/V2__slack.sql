-- Slack: Events API deliveries already handled (Slack retries and replays carry the same event_id), the
-- alert threads each incident answers in, replies that are posted once and then updated in place, and
-- the feedback people give with reactions.

CREATE TABLE slack_events (
    event_id     VARCHAR(64) PRIMARY KEY,
    received_at  TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE slack_threads (
    channel      VARCHAR(32) NOT NULL,
    ts           VARCHAR(32) NOT NULL,
    incident_id  BIGINT NOT NULL REFERENCES incidents (id),
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (channel, ts)
);

-- kind: 'thread_reply' is rendered from the incident's current state when sent (investigating, then the
-- result, updated in place through message_ts); 'text' sends its payload as it is. version goes up when
-- the incident changes, so a send that raced with a change is sent again.
ALTER TABLE outbox ADD COLUMN kind VARCHAR(32) DEFAULT 'thread_reply' NOT NULL;
ALTER TABLE outbox ADD COLUMN version INTEGER DEFAULT 0 NOT NULL;
ALTER TABLE outbox ADD COLUMN message_ts VARCHAR(32);
ALTER TABLE outbox ADD COLUMN lease_owner VARCHAR(200);
ALTER TABLE outbox ADD COLUMN lease_until TIMESTAMP WITH TIME ZONE;

CREATE INDEX outbox_message ON outbox (target, message_ts);

CREATE TABLE feedback (
    incident_id  BIGINT NOT NULL REFERENCES incidents (id),
    user_id      VARCHAR(32) NOT NULL,
    reaction     VARCHAR(64) NOT NULL,
    verdict      VARCHAR(16) NOT NULL,
    category     VARCHAR(64),
    signature    VARCHAR(64),
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (incident_id, user_id, reaction),
    CONSTRAINT feedback_verdict CHECK (verdict IN ('correct', 'wrong'))
);
