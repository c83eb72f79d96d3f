package io.deagent.app;

import io.deagent.app.serve.Service;
import io.deagent.app.store.Database;
import io.deagent.runtime.Config;
import io.deagent.slack.SlackWebApi;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "doctor",
        mixinStandardHelpOptions = true,
        description = {
            "Check the configuration and reach every configured integration, one line each.",
            "Exits 1 if any check fails."
        })
final class DoctorCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "YAML settings (default ./de-agent.yaml if present)")
    Path config;

    enum Verdict {
        OK,
        WARN,
        FAIL,
        SKIP
    }

    record Check(Verdict verdict, String what, String detail) {}

    @Override
    public Integer call() {
        Config cfg = Config.load(Optional.ofNullable(config));
        List<Check> checks = new ArrayList<>();
        checks.add(store(cfg));
        checks.add(
                cfg.get("DE_AGENT_WEBHOOK_SECRET").isPresent()
                        ? new Check(Verdict.OK, "webhook", "DE_AGENT_WEBHOOK_SECRET is set")
                        : new Check(
                                Verdict.WARN,
                                "webhook",
                                "DE_AGENT_WEBHOOK_SECRET is not set: the Airflow webhook refuses every request"));
        checks.addAll(slack(cfg));
        checks.addAll(sources(cfg));
        checks.add(llm(cfg));
        checks.addAll(remediation(cfg));
        PrintWriter out = spec.commandLine().getOut();
        for (Check c : checks) {
            String verdict =
                    c.verdict() == Verdict.FAIL ? "FAIL" : c.verdict().name().toLowerCase(java.util.Locale.ROOT);
            out.printf("%-5s %-9s %s%n", verdict, c.what(), c.detail());
        }
        out.flush();
        return checks.stream().anyMatch(c -> c.verdict() == Verdict.FAIL) ? 1 : 0;
    }

    /** One line per configured evidence source: reachable, authenticated, permitted, or what to fix. */
    private static List<Check> sources(Config cfg) {
        var configured = io.deagent.runtime.EvidenceSources.of(cfg);
        if (configured.sources().isEmpty()) {
            return List.of(new Check(
                    Verdict.SKIP,
                    "sources",
                    "none configured: diagnoses read the log the event carries (AIRFLOW_BASE_URL, MWAA_ENVIRONMENT, "
                            + "SPARK_HISTORY_URL, DE_AGENT_WAREHOUSE_JDBC_URL, DBT_TARGET_PATH…)"));
        }
        List<Check> out = new ArrayList<>();
        java.time.Duration timeout = cfg.seconds("DE_AGENT_SOURCE_TIMEOUT_SECONDS", 10, 1, 600);
        for (var probe : configured.probes()) {
            var r = probe.probe(timeout);
            out.add(new Check(r.ok() ? Verdict.OK : Verdict.FAIL, r.name(), r.detail()));
        }
        return out;
    }

    /** The LLM line: configured or not; no call is made, since a call costs tokens. */
    private static Check llm(Config cfg) {
        try {
            return io.deagent.llm.LlmSettings.from(cfg::get)
                    .map(s -> new Check(
                            Verdict.OK,
                            "llm",
                            s + " explains on top of the rules (redacted, fenced, cached; falls back to the rules)"))
                    .orElse(new Check(Verdict.OK, "llm", "none: explanations come from rules and templates"));
        } catch (IllegalArgumentException e) {
            return new Check(Verdict.FAIL, "llm", e.getMessage());
        }
    }

    private static Check store(Config cfg) {
        try (Database db = Service.openDatabase(cfg, 1)) {
            return db.isReachable()
                    ? new Check(Verdict.OK, "store", db.displayUrl() + " (schema up to date)")
                    : new Check(Verdict.FAIL, "store", db.displayUrl() + " does not answer");
        } catch (Database.UnavailableException e) {
            return new Check(Verdict.FAIL, "store", e.getMessage());
        }
    }

    private static List<Check> slack(Config cfg) {
        Optional<String> token = cfg.get("SLACK_BOT_TOKEN");
        Optional<String> secret = cfg.get("SLACK_SIGNING_SECRET");
        if (token.isEmpty() && secret.isEmpty()) {
            return List.of(new Check(Verdict.SKIP, "slack", "not configured (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET)"));
        }
        List<Check> out = new ArrayList<>();
        if (secret.isEmpty()) {
            out.add(new Check(
                    Verdict.FAIL, "slack", "SLACK_SIGNING_SECRET is not set: Slack requests cannot be verified"));
        }
        if (token.isEmpty()) {
            out.add(new Check(Verdict.FAIL, "slack", "SLACK_BOT_TOKEN is not set: replies cannot be sent"));
            return out;
        }
        String url = cfg.get("SLACK_API_URL", "https://slack.com/api/");
        SlackWebApi api = new SlackWebApi(SlackWebApi.client(url), token.get());
        try {
            var me = api.authTest();
            out.add(new Check(
                    Verdict.OK, "slack", "signed in as " + me.userId() + " (bot " + me.botId() + ") in " + me.team()));
        } catch (SlackWebApi.Rejected e) {
            out.add(new Check(Verdict.FAIL, "slack", "auth.test: " + e.error() + " (check SLACK_BOT_TOKEN)"));
            return out;
        } catch (SlackWebApi.SlackCallException e) {
            out.add(new Check(Verdict.FAIL, "slack", "cannot reach " + url + ": " + e.getMessage()));
            return out;
        }
        for (String ch : Arrays.stream(cfg.get("SLACK_CHANNELS", "").split("[,\\s]+"))
                .filter(s -> !s.isBlank())
                .toList()) {
            if (!ch.matches("[CGD][A-Z0-9]{6,}")) {
                out.add(new Check(Verdict.OK, "slack", "channel " + ch + " is matched by name when alerts arrive"));
                continue;
            }
            try {
                out.add(new Check(Verdict.OK, "slack", "channel " + ch + " is #" + api.channelName(ch)));
            } catch (SlackWebApi.Rejected e) {
                out.add(new Check(
                        Verdict.FAIL,
                        "slack",
                        "channel " + ch + ": " + e.error()
                                + ("channel_not_found".equals(e.error())
                                        ? " (check SLACK_CHANNELS; invite the bot to private channels)"
                                        : "")));
            } catch (SlackWebApi.SlackCallException e) {
                out.add(new Check(Verdict.FAIL, "slack", "channel " + ch + ": " + e.getMessage()));
            }
        }
        return out;
    }

    /** The repository and GitHub when fixes are on, then each notifier that is configured. */
    private static List<Check> remediation(Config cfg) {
        List<Check> out = new ArrayList<>();
        try {
            io.deagent.publish.PublishSettings s = io.deagent.publish.PublishSettings.from(cfg::get);
            if (!s.enabled()) {
                out.add(new Check(
                        Verdict.OK, "fixes", "off (set DE_AGENT_REPO_URL to propose fixes as pull requests)"));
            } else {
                int branches = new io.deagent.publish.GitWorkspace(s).probe();
                out.add(new Check(
                        Verdict.OK,
                        "fixes",
                        s.mode().label() + ": " + s.repoUrl().orElseThrow().replaceAll("//[^/@]+@", "//")
                                + " answers with " + branches + " branch(es); a repository opts in with"
                                + " .de-agent.yml"));
                if (s.mode() == io.deagent.publish.PublishSettings.Mode.PULL_REQUEST) {
                    if (!s.missingForPullRequests().isEmpty()) {
                        out.add(new Check(
                                Verdict.FAIL,
                                "github",
                                "pull requests need " + String.join(", ", s.missingForPullRequests())));
                    } else {
                        io.deagent.publish.GitHubPulls gh = new io.deagent.publish.GitHubPulls(s);
                        out.add(new Check(
                                Verdict.OK,
                                "github",
                                "signed in as " + gh.whoAmI() + "; "
                                        + s.repository().orElseThrow() + " has default branch " + gh.defaultBranch()));
                    }
                }
            }
        } catch (IllegalArgumentException e) {
            out.add(new Check(Verdict.FAIL, "fixes", e.getMessage()));
        } catch (io.deagent.publish.GitWorkspace.GitException e) {
            out.add(new Check(Verdict.FAIL, "fixes", e.getMessage()));
        } catch (io.deagent.publish.GitHubPulls.GitHubException e) {
            out.add(new Check(Verdict.FAIL, "github", e.getMessage()));
        }
        notifier(out, "email", () -> io.deagent.publish.notify.EmailNotifier.from(cfg::get));
        notifier(out, "pagerduty", () -> io.deagent.publish.notify.PagerDutyNotifier.from(cfg::get));
        notifier(out, "jira", () -> io.deagent.publish.notify.JiraNotifier.from(cfg::get));
        return out;
    }

    private static void notifier(
            List<Check> out,
            String name,
            java.util.function.Supplier<Optional<? extends io.deagent.publish.notify.Notifier>> make) {
        try {
            Optional<? extends io.deagent.publish.notify.Notifier> n = make.get();
            if (n.isEmpty()) {
                out.add(new Check(Verdict.SKIP, name, "not configured"));
                return;
            }
            out.add(new Check(Verdict.OK, name, n.get().check()));
        } catch (IllegalArgumentException e) {
            out.add(new Check(Verdict.FAIL, name, e.getMessage()));
        } catch (io.deagent.publish.notify.Notifier.NotifyException e) {
            out.add(new Check(Verdict.FAIL, name, e.getMessage()));
        }
    }
}
