-- The incidents page: what each investigation did (every source asked, its status and time, how the
-- diagnosis was explained) for the incident's timings, and indexes for the page's filters and patterns.

ALTER TABLE incidents ADD COLUMN steps_json TEXT;

CREATE INDEX incidents_dag_task ON incidents (dag_id, task_id);
CREATE INDEX incidents_received ON incidents (received_at);
CREATE INDEX incidents_category ON incidents (category);
