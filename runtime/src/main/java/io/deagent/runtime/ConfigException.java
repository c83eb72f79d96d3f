package io.deagent.runtime;

/**
 * Configuration that cannot be used: a malformed value, a missing setting, a secret that cannot be read. The
 * message is one line that names the setting and says what to do; doors print it as it is.
 */
public final class ConfigException extends RuntimeException {

    public ConfigException(String message) {
        super(message);
    }
}
