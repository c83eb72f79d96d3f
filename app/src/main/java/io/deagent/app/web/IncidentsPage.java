package io.deagent.app.web;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deagent.app.store.IncidentStore;
import io.deagent.core.Taxonomy;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.router.JavalinDefaultRoutingApi;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The incidents page, served by {@code serve} itself: the list ({@code /incidents}, filtered with a plain
 * GET form, so it works without script), one incident ({@code /incidents/{id}}) and the patterns
 * ({@code /patterns}). Everything is rendered on the server from the incident store; the one small script
 * ({@code /ui/page.js}) only shows times in the reader's time zone. Who may open it is {@link PageAccess}'s
 * call.
 */
public final class IncidentsPage {

    private static final Logger log = LoggerFactory.getLogger(IncidentsPage.class);
    static final int PAGE_SIZE = 50;
    static final int CHOICES = 500;

    /** One incident as the API's JSON ({@code full} false: the list's form, with the log cut). */
    @FunctionalInterface
    public interface IncidentJson {
        ObjectNode of(IncidentStore.Incident incident, boolean full);
    }

    /** What every page shows around its content: its title, who is signed in, which tab is open. */
    public record Chrome(String title, String user, boolean incidents, boolean patterns) {}

    public record Option(String value, String text, boolean selected) {}

    /** The filter form, as the reader filled it in. */
    public record Form(
            String dagId,
            String taskId,
            List<Option> categories,
            List<Option> statuses,
            String since,
            String sinceType,
            String until,
            String untilType,
            List<String> dagIds,
            List<String> taskIds) {}

    public record ListPage(
            Chrome chrome,
            Form form,
            List<IncidentViews.Row> rows,
            String caption,
            String olderHref,
            String newestHref,
            String error,
            boolean filtered) {}

    public record DetailPage(Chrome chrome, IncidentViews.Detail incident) {}

    public record MessagePage(Chrome chrome, String heading, String message, boolean askToken, String action) {}

    private final IncidentStore store;
    private final IncidentJson json;
    private final Clock clock;
    private final PageAccess access;
    private final PageRenderer renderer;
    private final IncidentViews views;

    public IncidentsPage(IncidentStore store, PageSettings settings, IncidentJson json, Clock clock) {
        this.store = store;
        this.json = json;
        this.clock = clock;
        this.access = new PageAccess(settings);
        this.renderer = new PageRenderer();
        this.views = new IncidentViews(settings.slackWorkspace());
    }

    /** Adds the page's routes. */
    public void routes(JavalinDefaultRoutingApi routes) {
        routes.get("/", guarded((ctx, user) -> ctx.redirect("/incidents")));
        routes.get("/incidents", guarded(this::list));
        routes.get("/incidents/{id}", guarded(this::one));
        routes.get("/patterns", guarded(this::patterns));
        routes.get("/ui/" + PageRenderer.SCRIPT, this::script);
    }

    @FunctionalInterface
    private interface PageHandler {
        void handle(Context ctx, Optional<String> user);
    }

    private Handler guarded(PageHandler page) {
        return ctx -> {
            headers(ctx);
            switch (access.check(ctx)) {
                case PageAccess.Allowed a -> {
                    try {
                        page.handle(ctx, a.user());
                    } catch (RuntimeException e) {
                        log.error("the incidents page failed on {}: {}", ctx.path(), e.toString(), e);
                        message(
                                ctx,
                                503,
                                Optional.empty(),
                                "Not available",
                                "The incident store did not answer; try again shortly. The server log has the"
                                        + " details.");
                    }
                }
                case PageAccess.SignedIn s -> {
                    ctx.header("Set-Cookie", s.cookie());
                    ctx.redirect(s.location(), io.javalin.http.HttpStatus.SEE_OTHER);
                }
                case PageAccess.Refused r -> {
                    if (r.status() == 401) {
                        message(
                                ctx,
                                401,
                                Optional.empty(),
                                "Access token needed",
                                "This page needs the access token of this de-agent server.",
                                true);
                    } else {
                        message(
                                ctx,
                                403,
                                Optional.empty(),
                                "Not available from here",
                                "This page is served only to the machine de-agent runs on.");
                    }
                }
            }
        };
    }

    private void headers(Context ctx) {
        ctx.header("Content-Security-Policy", renderer.contentSecurityPolicy());
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("Cache-Control", "no-store");
    }

    private void list(Context ctx, Optional<String> user) {
        Chrome chrome = new Chrome("Incidents", user.orElse(""), true, false);
        ListQuery.Parsed parsed = ListQuery.parse(ctx::queryParam, PAGE_SIZE);
        Form form = form(ctx);
        boolean filtered = ListQuery.FILTERS.stream().anyMatch(f -> !blank(ctx.queryParam(f)));
        if (parsed instanceof ListQuery.Bad bad) {
            render(ctx, 400, "incidents", new ListPage(chrome, form, List.of(), "", "", "", bad.message(), filtered));
            return;
        }
        ListQuery.Ok q = (ListQuery.Ok) parsed;
        IncidentStore.Page page = store.list(q.limit(), q.filter(), q.cursor());
        List<IncidentViews.Row> rows =
                page.incidents().stream().map(i -> views.row(json.of(i, false))).toList();
        String older = page.next()
                .map(n -> "/incidents" + query(ctx, "cursor", String.valueOf(n)))
                .orElse("");
        String newest = q.cursor().isPresent() ? "/incidents" + query(ctx, "cursor", null) : "";
        String caption = rows.isEmpty()
                ? (filtered ? "No incidents match these filters." : "No incidents yet.")
                : rows.size() + (rows.size() == 1 ? " incident" : " incidents") + ", newest first"
                        + (q.cursor().isPresent() ? " (an older page)" : "") + (filtered ? ", filtered" : "");
        render(ctx, 200, "incidents", new ListPage(chrome, form, rows, caption, older, newest, "", filtered));
    }

    private Form form(Context ctx) {
        String category = orEmpty(ctx.queryParam("category"));
        List<Option> categories = new ArrayList<>();
        categories.add(new Option("", "any category", category.isEmpty()));
        Taxonomy.CATEGORIES
                .keySet()
                .forEach(c ->
                        categories.add(new Option(c, c + " (" + Display.categoryWords(c) + ")", c.equals(category))));
        String status = orEmpty(ctx.queryParam("status"));
        List<Option> statuses = new ArrayList<>();
        statuses.add(new Option("", "any status", status.isEmpty()));
        for (String s : List.of("queued", "investigating", "done", "failed")) {
            statuses.add(new Option(s, s, s.equals(status)));
        }
        String since = orEmpty(ctx.queryParam("since"));
        String until = orEmpty(ctx.queryParam("until"));
        return new Form(
                orEmpty(ctx.queryParam("dag_id")),
                orEmpty(ctx.queryParam("task_id")),
                categories,
                statuses,
                since,
                dateType(since),
                until,
                dateType(until),
                store.knownIds(false, CHOICES),
                store.knownIds(true, CHOICES));
    }

    /** A date field, unless the address holds a full time a date field cannot show. */
    private static String dateType(String value) {
        return value.isEmpty() || value.matches("\\d{4}-\\d{2}-\\d{2}") ? "date" : "text";
    }

    private void one(Context ctx, Optional<String> user) {
        String id = ctx.pathParam("id");
        if (!id.matches("\\d{1,18}")) {
            message(ctx, 400, user, "Not an incident", "An incident id is a number.");
            return;
        }
        Optional<IncidentStore.Incident> found = store.find(Long.parseLong(id));
        if (found.isEmpty()) {
            message(ctx, 404, user, "No such incident", "There is no incident " + id + ".");
            return;
        }
        IncidentViews.Detail detail = views.detail(json.of(found.get(), true));
        render(
                ctx,
                200,
                "incident",
                new DetailPage(
                        new Chrome(detail.dagId() + "." + detail.taskId(), user.orElse(""), true, false), detail));
    }

    private void patterns(Context ctx, Optional<String> user) {
        Chrome chrome = new Chrome("Patterns", user.orElse(""), false, true);
        int days;
        try {
            days = Patterns.days(ctx::queryParam);
        } catch (IllegalArgumentException e) {
            message(ctx, 400, user, "Not a window", e.getMessage());
            return;
        }
        render(ctx, 200, "patterns", PatternsView.page(chrome, Patterns.load(store, days, clock)));
    }

    private void script(Context ctx) {
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Cache-Control", "max-age=300");
        ctx.contentType("text/javascript; charset=utf-8").result(renderer.script());
    }

    private void message(Context ctx, int status, Optional<String> user, String heading, String text) {
        message(ctx, status, user, heading, text, false);
    }

    private void message(
            Context ctx, int status, Optional<String> user, String heading, String text, boolean askToken) {
        String action = ctx.path().startsWith("/") && !ctx.path().startsWith("//") ? ctx.path() : "/incidents";
        render(
                ctx,
                status,
                "message",
                new MessagePage(new Chrome(heading, user.orElse(""), false, false), heading, text, askToken, action));
    }

    private void render(Context ctx, int status, String template, Object view) {
        ctx.status(status).contentType("text/html; charset=utf-8").result(renderer.render(template, view));
    }

    /** The current address's query with {@code name} set to {@code value} (or removed, when null). */
    private static String query(Context ctx, String name, String value) {
        StringBuilder q = new StringBuilder();
        List<String> keys = new ArrayList<>(ListQuery.FILTERS);
        keys.add("limit");
        for (String k : keys) {
            String v = ctx.queryParam(k);
            if (!blank(v) && !k.equals(name)) {
                q.append(q.isEmpty() ? "?" : "&").append(k).append('=').append(enc(v.strip()));
            }
        }
        if (value != null) {
            q.append(q.isEmpty() ? "?" : "&").append(name).append('=').append(enc(value));
        }
        return q.toString();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s.strip();
    }
}
