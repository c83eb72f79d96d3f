package io.deagent.app;

/** Bad usage or unusable input: printed as one line, exit code 2. */
final class UsageException extends RuntimeException {
    UsageException(String message) {
        super(message);
    }
}
