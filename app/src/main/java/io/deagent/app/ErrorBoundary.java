package io.deagent.app;

import io.deagent.core.FailureEvents;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;

/**
 * The CLI's outermost edge: every failure becomes one line on stderr that says what to do, and an exit
 * code; never a stack trace (set DE_AGENT_DEBUG=1 to see one).
 */
final class ErrorBoundary implements CommandLine.IExecutionExceptionHandler {

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, CommandLine.ParseResult parsed) {
        Throwable e = ex instanceof UncheckedIOException u ? u.getCause() : ex;
        String message;
        int code = 2;
        if (e instanceof UsageException
                || e instanceof io.deagent.runtime.ConfigException
                || e instanceof FailureEvents.InvalidEventException) {
            message = e.getMessage();
        } else if (e instanceof io.deagent.app.store.Database.UnavailableException) {
            code = 1;
            message = e.getMessage();
        } else if (e instanceof NoSuchFileException nf) {
            message = "no such file: " + nf.getFile() + " (check the path)";
        } else if (e instanceof AccessDeniedException ad) {
            message = "cannot read " + ad.getFile() + ": permission denied";
        } else if (e instanceof IOException io) {
            message = "cannot read input: " + io.getMessage();
        } else {
            code = 1;
            message = "internal error: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage())
                    + " (please report it; rerun with DE_AGENT_DEBUG=1 for details)";
        }
        cmd.getErr().println("de-agent: " + message);
        if (System.getenv("DE_AGENT_DEBUG") != null) {
            ex.printStackTrace(cmd.getErr());
        }
        return code;
    }
}
