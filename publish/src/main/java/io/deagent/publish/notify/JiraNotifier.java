package io.deagent.publish.notify;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deagent.core.Diagnosis;
import io.deagent.core.Redactor;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.function.Function;

/**
 * Jira Cloud REST v3: one issue per new failure kind on a task, with the diagnosis as an Atlassian Document
 * Format description (v3 refuses plain strings). {@code JIRA_BASE_URL}, {@code JIRA_EMAIL},
 * {@code JIRA_API_TOKEN} and {@code JIRA_PROJECT} turn it on; {@code JIRA_ISSUE_TYPE} defaults to Task.
 */
public final class JiraNotifier implements Notifier {

    private final URI base;
    private final String authorization;
    private final String project;
    private final String issueType;

    JiraNotifier(URI base, String email, String token, String project, String issueType) {
        this.base = base;
        this.authorization =
                "Basic " + Base64.getEncoder().encodeToString((email + ":" + token).getBytes(StandardCharsets.UTF_8));
        this.project = project;
        this.issueType = issueType;
    }

    public static Optional<JiraNotifier> from(Function<String, Optional<String>> config) {
        Optional<String> base = config.apply("JIRA_BASE_URL").filter(s -> !s.isBlank());
        if (base.isEmpty()) {
            return Optional.empty();
        }
        StringBuilder missing = new StringBuilder();
        for (String name : new String[] {"JIRA_EMAIL", "JIRA_API_TOKEN", "JIRA_PROJECT"}) {
            if (config.apply(name).filter(s -> !s.isBlank()).isEmpty()) {
                missing.append(missing.isEmpty() ? "" : ", ").append(name);
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("Jira is configured (JIRA_BASE_URL) but lacks " + missing);
        }
        return Optional.of(new JiraNotifier(
                URI.create(base.get().replaceAll("/+$", "")),
                config.apply("JIRA_EMAIL").get().trim(),
                config.apply("JIRA_API_TOKEN").get().trim(),
                config.apply("JIRA_PROJECT").get().trim(),
                config.apply("JIRA_ISSUE_TYPE").filter(s -> !s.isBlank()).orElse("Task")));
    }

    @Override
    public String name() {
        return "jira";
    }

    @Override
    public String send(Notice n) throws NotifyException {
        Diagnosis d = n.diagnosis();
        ObjectNode body = Http.JSON.createObjectNode();
        ObjectNode fields = body.putObject("fields");
        fields.putObject("project").put("key", project);
        String summary = n.subject().replaceFirst("^\\[de-agent\\] ", "");
        fields.put("summary", summary.length() > 250 ? summary.substring(0, 250) : summary);
        fields.putObject("issuetype").put("name", issueType);
        fields.putArray("labels").add("de-agent").add(d.category());
        ObjectNode doc = fields.putObject("description");
        doc.put("type", "doc");
        doc.put("version", 1);
        ArrayNode content = doc.putArray("content");
        paragraph(
                content,
                n.event().dagId() + " / " + n.event().taskId()
                        + n.event().runId().map(r -> ", run " + r).orElse("") + " failed.");
        paragraph(content, d.title() + " (" + d.category() + ", confidence " + d.confidence() + ")");
        paragraph(content, d.summary());
        if (!d.evidence().isEmpty()) {
            StringBuilder proof = new StringBuilder();
            d.evidence().forEach(l -> proof.append(l.source())
                    .append(" L")
                    .append(l.line())
                    .append(": ")
                    .append(l.text())
                    .append('\n'));
            ObjectNode code = content.addObject();
            code.put("type", "codeBlock");
            code.putArray("content").addObject().put("type", "text").put("text", Redactor.redact(proof.toString()));
        }
        ObjectNode list = content.addObject();
        list.put("type", "orderedList");
        ArrayNode items = list.putArray("content");
        for (String step : d.fix().steps()) {
            ArrayNode p = items.addObject().put("type", "listItem").putArray("content");
            p.addObject()
                    .put("type", "paragraph")
                    .putArray("content")
                    .addObject()
                    .put("type", "text")
                    .put("text", Redactor.redact(step));
        }
        n.pullRequestUrl().ifPresent(u -> link(content, "Pull request with the fix", u));
        n.event().logUrl().ifPresent(u -> link(content, "Airflow task log", u));
        paragraph(
                content,
                "Signature " + d.signature() + " · de-agent incident "
                        + n.incidentLink().orElse("#" + n.incidentId()));
        Http.Answer a = Http.send(
                "Jira",
                Http.postJson(URI.create(base + "/rest/api/3/issue"), body).header("Authorization", authorization));
        if (a.status() == 201) {
            return a.json().path("key").asText();
        }
        String detail = "Jira answered " + a.status() + ": " + Http.shorten(a.body());
        boolean retriable = a.status() == 429 || a.status() >= 500;
        throw new NotifyException(
                retriable ? detail : detail + " (check JIRA_PROJECT, JIRA_ISSUE_TYPE and the token)", retriable, null);
    }

    @Override
    public String check() throws NotifyException {
        Http.Answer a = Http.send(
                "Jira",
                HttpRequest.newBuilder(URI.create(base + "/rest/api/3/myself"))
                        .header("Authorization", authorization)
                        .GET());
        if (a.status() == 200) {
            return "signed in as "
                    + a.json()
                            .path("displayName")
                            .asText(a.json().path("accountId").asText("?")) + "; issues go to project " + project;
        }
        throw new NotifyException(
                "Jira answered " + a.status() + " to /rest/api/3/myself (check JIRA_EMAIL and" + " JIRA_API_TOKEN)",
                a.status() >= 500,
                null);
    }

    private static void paragraph(ArrayNode content, String text) {
        content.addObject()
                .put("type", "paragraph")
                .putArray("content")
                .addObject()
                .put("type", "text")
                .put("text", Redactor.redact(text));
    }

    private static void link(ArrayNode content, String text, String href) {
        ObjectNode t =
                content.addObject().put("type", "paragraph").putArray("content").addObject();
        t.put("type", "text").put("text", text);
        t.putArray("marks").addObject().put("type", "link").putObject("attrs").put("href", href);
    }
}
