-- Validated LLM answers by (signature, provider, model, prompt version): a recurring failure costs no
-- second call, on any replica. Rows past expires_at are ignored and replaced.
CREATE TABLE llm_cache (
    cache_key    VARCHAR(300) PRIMARY KEY,
    answer_json  TEXT NOT NULL,
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at   TIMESTAMP WITH TIME ZONE NOT NULL
);
