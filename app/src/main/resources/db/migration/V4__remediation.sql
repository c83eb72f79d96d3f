-- Remediation: what happened to each incident's fix (a pull request, a dry-run diff, or why none), and the
-- alerts and tickets raised elsewhere (PagerDuty, Jira) so a recurrence joins them and a success resolves them.

CREATE TABLE remediations (
    incident_id  BIGINT PRIMARY KEY REFERENCES incidents (id),
    state        VARCHAR(32)   NOT NULL,
    summary      VARCHAR(2000) NOT NULL,
    pr_url       VARCHAR(1000),
    pr_number    INTEGER,
    branch       VARCHAR(300),
    commit_sha   VARCHAR(64),
    codemod      VARCHAR(100),
    file_path    VARCHAR(1000),
    diff         TEXT,
    updated_at   TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE alerts (
    channel      VARCHAR(32)  NOT NULL,
    dedupe_key   VARCHAR(255) NOT NULL,
    incident_id  BIGINT NOT NULL REFERENCES incidents (id),
    dag_id       VARCHAR(250) NOT NULL,
    task_id      VARCHAR(250) NOT NULL,
    reference    VARCHAR(500),
    state        VARCHAR(16)  NOT NULL,
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (channel, dedupe_key)
);

CREATE INDEX alerts_task ON alerts (channel, dag_id, task_id, state);
