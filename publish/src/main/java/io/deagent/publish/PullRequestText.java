package io.deagent.publish;

import io.deagent.core.Diagnosis;
import io.deagent.core.FailureEvent;
import io.deagent.core.Redactor;
import io.deagent.fixer.FixProposal;
import java.util.Locale;
import java.util.Optional;

/**
 * The words around a fix: branch name, commit message, pull request title and body, and the comment left on
 * the pull request when its failure happens again. Everything passes the redactor: these texts leave.
 */
public final class PullRequestText {

    private PullRequestText() {}

    /** {@code de-agent/<category>/<short signature>}: one branch, and so one pull request, per failure kind. */
    public static String branch(Diagnosis d) {
        String sig = d.signature().replaceAll("[^0-9a-zA-Z]", "");
        return GitWorkspace.BRANCH_PREFIX + d.category().replaceAll("[^a-z0-9_]", "") + "/"
                + sig.substring(0, Math.min(12, sig.length())).toLowerCase(Locale.ROOT);
    }

    public static String title(Diagnosis d, FixProposal p) {
        return Redactor.redact("de-agent: " + p.description() + " (" + d.category() + ")");
    }

    public static String commitMessage(Diagnosis d, FailureEvent e, FixProposal p, long incidentId) {
        return Redactor.redact(title(d, p) + "\n\n"
                + "Failure: " + e.dagId() + "." + e.taskId()
                + e.runId().map(r -> " run " + r).orElse("") + "\n"
                + "Diagnosis: " + d.title() + "\n"
                + "Codemod: " + p.codemodId() + "\n"
                + "Incident: " + incidentId + ", signature " + d.signature() + "\n");
    }

    /** The body a reviewer reads: what failed and why, what changed and why it is safe, how to check it. */
    public static String body(
            Diagnosis d, FailureEvent e, FixProposal p, long incidentId, Optional<String> incidentLink, boolean draft) {
        StringBuilder b = new StringBuilder();
        if (draft) {
            b.append("> [!NOTE]\n> Opened as a draft: the diagnosis confidence is ")
                    .append(String.format(Locale.ROOT, "%.2f", d.confidence()))
                    .append(", below the threshold for a ready pull request. Check the proof lines first.\n\n");
        }
        b.append("## What failed\n\n")
                .append("`")
                .append(e.dagId())
                .append("` / `")
                .append(e.taskId())
                .append("`")
                .append(e.runId().map(r -> ", run `" + r + "`").orElse(""))
                .append(e.tryNumber().map(t -> ", try " + t).orElse(""))
                .append("\n\n");
        b.append("## Why\n\n**")
                .append(d.title())
                .append("** (`")
                .append(d.category())
                .append("`, confidence ")
                .append(String.format(Locale.ROOT, "%.2f", d.confidence()))
                .append(", explained by ")
                .append(d.explainedBy())
                .append(")\n\n")
                .append(d.summary())
                .append("\n\n");
        if (!d.evidence().isEmpty()) {
            b.append("Proof lines:\n\n```text\n");
            for (Diagnosis.EvidenceLine l : d.evidence()) {
                b.append(l.source())
                        .append(" L")
                        .append(l.line())
                        .append(": ")
                        .append(fence(l.text()))
                        .append('\n');
            }
            b.append("```\n\n");
        }
        d.recurrence().filter(r -> r.seen() > 1).ifPresent(r -> b.append("Seen ")
                .append(r.seen())
                .append(" times")
                .append(r.firstSeen().map(f -> " since " + f).orElse(""))
                .append(".\n\n"));
        b.append("## What this change does\n\n")
                .append(p.description())
                .append(" in `")
                .append(p.file())
                .append("` (codemod `")
                .append(p.codemodId())
                .append("`, fix class `")
                .append(d.fix().fixClass())
                .append("`).\n\n")
                .append("## Why it is safe\n\n")
                .append("- Made by a deterministic codemod on the file's syntax tree, not written by a model; every")
                .append(" other byte of the file, comments and formatting included, is unchanged.\n")
                .append("- The patched file parses without errors, and running the codemod again changes nothing.\n")
                .append("- It only lands if you merge it: de-agent never pushes to the base branch.\n\n")
                .append("## How to verify\n\n");
        int i = 1;
        for (String step : d.fix().steps()) {
            b.append(i++).append(". ").append(step).append('\n');
        }
        b.append(i)
                .append(". Re-run `")
                .append(e.taskId())
                .append("` in `")
                .append(e.dagId())
                .append("` from this branch (or after merging) and check it succeeds.\n\n");
        b.append("---\nIncident ")
                .append(incidentLink
                        .map(l -> "[#" + incidentId + "](" + l + ")")
                        .orElse("#" + incidentId))
                .append(" · signature `")
                .append(d.signature())
                .append("` · opened by de-agent\n");
        return Redactor.redact(b.toString());
    }

    /** What a pull request gets when its failure is seen again before it is merged. */
    public static String recurrenceComment(
            Diagnosis d, FailureEvent e, long incidentId, Optional<String> incidentLink) {
        return Redactor.redact("The failure this pull request fixes happened again: `" + e.dagId() + "` / `"
                + e.taskId() + "`" + e.runId().map(r -> ", run `" + r + "`").orElse("")
                + d.recurrence().map(r -> " (seen " + r.seen() + " times)").orElse("") + ". Incident "
                + incidentLink.map(l -> "[#" + incidentId + "](" + l + ")").orElse("#" + incidentId) + ".");
    }

    private static String fence(String s) {
        return s.replace("```", "`\u200b``");
    }
}
