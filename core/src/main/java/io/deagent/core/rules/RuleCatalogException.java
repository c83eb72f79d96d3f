package io.deagent.core.rules;

/** A rule file that cannot be used, with the file and rule named. */
public final class RuleCatalogException extends RuntimeException {
    public RuleCatalogException(String message) {
        super(message);
    }

    public RuleCatalogException(String message, Throwable cause) {
        super(message, cause);
    }
}
