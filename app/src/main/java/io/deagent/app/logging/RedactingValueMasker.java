package io.deagent.app.logging;

import io.deagent.core.Redactor;
import net.logstash.logback.mask.ValueMasker;
import tools.jackson.core.TokenStreamContext;

/**
 * Every string our JSON logs write (the message, MDC values, structured arguments, stack traces) passes the
 * same redactor as the Slack reply, the store and the LLM prompt: a secret in an error message never
 * reaches the log pipeline.
 */
public final class RedactingValueMasker implements ValueMasker {

    @Override
    public Object mask(TokenStreamContext context, Object value) {
        if (value instanceof CharSequence text) {
            String s = text.toString();
            String redacted = Redactor.redact(s);
            // null means "leave the value as it is"
            return redacted.equals(s) ? null : redacted;
        }
        return null;
    }
}
