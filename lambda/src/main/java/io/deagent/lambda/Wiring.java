package io.deagent.lambda;

import io.deagent.llm.FollowUpAnswerer;
import io.deagent.llm.LlmSettings;
import io.deagent.runtime.Config;
import io.deagent.runtime.ConfigException;
import io.deagent.runtime.Investigators;
import io.deagent.runtime.WebhookSignature;
import io.deagent.slack.SlackDoor;
import io.deagent.slack.SlackWebApi;
import java.io.PrintStream;
import java.time.Clock;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The composition root of the two functions, built from configuration on the first invocation (not in a static
 * initialiser or constructor: nothing that reads a secret or opens a connection may end up in a SnapStart
 * snapshot). Configuration errors surface there as one {@link ConfigException} line.
 */
final class Wiring {

    static final String DEFAULT_SLACK_API_URL = "https://slack.com/api/";

    private Wiring() {}

    static AckIntake ack(Config config, Clock clock, PrintStream out) {
        StateTable state = StateTable.from(config, clock);
        WorkQueue queue = WorkQueue.from(config);
        EmfMetrics metrics = new EmfMetrics(out, clock);
        int maxBody = config.integer("DE_AGENT_MAX_BODY_BYTES", 1 << 20, 1024, 6 << 20);
        Optional<WebhookSignature> signature =
                config.get("DE_AGENT_WEBHOOK_SECRET").map(WebhookSignature::new);
        Optional<String> token = config.get("SLACK_BOT_TOKEN");
        Optional<String> secret = config.get("SLACK_SIGNING_SECRET");
        Set<String> channels = channelIds(config.get("SLACK_CHANNELS", ""));
        // the door needs the intake and the intake the door: the sink is handed the intake once it exists
        SlackSink sink = new SlackSink();
        Optional<SlackDoor> door = secret.map(s -> new SlackDoor(
                s, token.orElse(""), SlackWebApi.client(config.get("SLACK_API_URL", DEFAULT_SLACK_API_URL)), sink));
        AckIntake intake = new AckIntake(signature, door, state, queue, metrics, clock, maxBody);
        sink.events = new SlackEvents(intake, state, channels);
        return intake;
    }

    static Worker worker(Config config, Clock clock, PrintStream out) {
        StateTable state = StateTable.from(config, clock);
        Optional<SlackWebApi> slack = config.get("SLACK_BOT_TOKEN")
                .map(t -> new SlackWebApi(SlackWebApi.client(config.get("SLACK_API_URL", DEFAULT_SLACK_API_URL)), t));
        Optional<FollowUpAnswerer> answerer;
        try {
            answerer = LlmSettings.from(config::get).map(FollowUpAnswerer::new);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
        return new Worker(
                state,
                Investigators.investigator(config, clock),
                slack,
                answerer,
                new EmfMetrics(out, clock),
                clock,
                config.integer("DE_AGENT_MAX_ATTEMPTS", 3, 1, 100));
    }

    /**
     * {@code SLACK_CHANNELS} as channel ids. The ack answers without calling Slack, so it cannot look a channel
     * name up: with Lambda the setting takes ids only.
     */
    static Set<String> channelIds(String setting) {
        Set<String> ids = new LinkedHashSet<>();
        for (String c :
                Arrays.stream(setting.split("[,\\s]+")).map(String::trim).toList()) {
            if (c.isEmpty()) {
                continue;
            }
            if (!c.matches("[CGD][A-Z0-9]{6,}")) {
                throw new ConfigException("SLACK_CHANNELS takes channel ids (C0123ABC) with Lambda, not names: " + c
                        + " (Slack: channel details, at the bottom)");
            }
            ids.add(c);
        }
        return ids;
    }

    /** Lazily built state: the first call builds it; a failed build is tried again by the next call. */
    static final class Lazy<T> {
        private final Supplier<T> build;
        private volatile T value;

        Lazy(Supplier<T> build) {
            this.build = build;
        }

        private long lastReload = Long.MIN_VALUE;

        /**
         * Drops what was built and the secrets read, so the next {@link #get} reads them again; at most once a
         * minute, so that requests to a door left unconfigured cannot run up Secrets Manager calls.
         */
        synchronized boolean reload() {
            long now = System.nanoTime();
            if (lastReload != Long.MIN_VALUE && now - lastReload < 60_000_000_000L) {
                return false;
            }
            lastReload = now;
            io.deagent.runtime.AwsSecrets.forget();
            value = null;
            return true;
        }

        T get() {
            T v = value;
            if (v == null) {
                synchronized (this) {
                    if (value == null) {
                        value = build.get();
                    }
                    v = value;
                }
            }
            return v;
        }
    }

    private static final class SlackSink implements SlackDoor.EventSink {
        volatile SlackEvents events;

        @Override
        public void accept(com.fasterxml.jackson.databind.JsonNode envelope, Optional<Integer> retryNum) {
            events.accept(envelope, retryNum);
        }
    }
}
