package io.deagent.app.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Debian's Chromium, headless, driven over the DevTools protocol with the JDK's own WebSocket client: one
 * page (a target attached in flat mode), navigation that waits for the load event, script evaluation and
 * screenshots. Console messages and CSP reports are collected so a test can assert there were none.
 */
final class HeadlessChromium implements AutoCloseable {

    static final Path BINARY = Path.of("/usr/bin/chromium");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final Path profile;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final List<JsonNode> events = new CopyOnWriteArrayList<>();
    private final List<String> console = new CopyOnWriteArrayList<>();
    private String session;

    private HeadlessChromium(Process process, Path profile, WebSocket socket) {
        this.process = process;
        this.profile = profile;
        this.socket = socket;
    }

    static boolean installed() {
        return Files.isExecutable(BINARY);
    }

    /** Starts Chromium with a fresh profile and opens one blank page of {@code width} x {@code height}. */
    static HeadlessChromium launch(int width, int height) throws Exception {
        Path profile = Files.createTempDirectory("de-agent-chromium-");
        Process p = new ProcessBuilder(
                        BINARY.toString(),
                        "--headless",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--disable-background-networking",
                        "--disable-component-update",
                        "--no-first-run",
                        "--disable-sync",
                        "--hide-scrollbars",
                        "--user-data-dir=" + profile,
                        "--remote-debugging-port=0",
                        "about:blank")
                .redirectErrorStream(true)
                .redirectOutput(profile.resolve("chromium.log").toFile())
                .start();
        try {
            Path active = profile.resolve("DevToolsActivePort");
            long until = System.nanoTime() + TIMEOUT.toNanos();
            List<String> lines = List.of();
            while (System.nanoTime() < until && p.isAlive()) {
                if (Files.exists(active)) {
                    lines = Files.readAllLines(active);
                    if (lines.size() >= 2) {
                        break;
                    }
                }
                Thread.sleep(50);
            }
            if (lines.size() < 2) {
                throw new IllegalStateException("Chromium did not open its DevTools port; its log: "
                        + Files.readString(profile.resolve("chromium.log")));
            }
            URI ws = URI.create(
                    "ws://127.0.0.1:" + lines.get(0).strip() + lines.get(1).strip());
            Listener listener = new Listener();
            WebSocket socket = HttpClient.newHttpClient()
                    .newWebSocketBuilder()
                    .connectTimeout(TIMEOUT)
                    .buildAsync(ws, listener)
                    .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            HeadlessChromium c = new HeadlessChromium(p, profile, socket);
            listener.owner = c;
            c.openPage(width, height);
            return c;
        } catch (Exception | Error e) {
            p.destroyForcibly();
            deleteTree(profile);
            throw e;
        }
    }

    private void openPage(int width, int height) throws Exception {
        String target = call(null, "Target.createTarget", Map.of("url", "about:blank"))
                .get("targetId")
                .asText();
        session = call(null, "Target.attachToTarget", Map.of("targetId", target, "flatten", true))
                .get("sessionId")
                .asText();
        call("Page.enable", Map.of());
        call("Runtime.enable", Map.of());
        call("Log.enable", Map.of());
        call("Emulation.setTimezoneOverride", Map.of("timezoneId", "UTC"));
        call(
                "Emulation.setDeviceMetricsOverride",
                Map.of("width", width, "height", height, "deviceScaleFactor", 1, "mobile", false));
    }

    /** Goes to {@code url} and waits for its load event. */
    void navigate(String url) throws Exception {
        int seen = events.size();
        call("Page.navigate", Map.of("url", url));
        awaitEvent("Page.loadEventFired", seen);
    }

    /** Runs {@code action} (a script that navigates, such as a click or a form submit) and waits for the new page. */
    void navigateBy(String action) throws Exception {
        int seen = events.size();
        evaluate(action);
        awaitEvent("Page.loadEventFired", seen);
    }

    /** The value of a script expression. */
    JsonNode evaluate(String expression) throws Exception {
        JsonNode r = call("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true));
        if (r.has("exceptionDetails")) {
            throw new AssertionError("script failed: " + expression + ": " + r.get("exceptionDetails"));
        }
        return r.path("result").path("value");
    }

    /** A PNG of the whole page (not only the viewport) written to {@code file}. */
    void screenshot(Path file) throws Exception {
        JsonNode metrics = call("Page.getLayoutMetrics", Map.of());
        JsonNode size = metrics.path("cssContentSize");
        ObjectNode clip = JSON.createObjectNode()
                .put("x", 0)
                .put("y", 0)
                .put("width", Math.ceil(size.path("width").asDouble()))
                .put("height", Math.ceil(size.path("height").asDouble()))
                .put("scale", 1);
        JsonNode shot =
                call("Page.captureScreenshot", Map.of("format", "png", "captureBeyondViewport", true, "clip", clip));
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, Base64.getDecoder().decode(shot.get("data").asText()));
    }

    /** What the page wrote to its console and the browser logged for it (CSP violations among them). */
    List<String> console() {
        return List.copyOf(console);
    }

    private JsonNode call(String method, Map<String, ?> params) throws Exception {
        return call(session, method, params);
    }

    private JsonNode call(String sessionId, String method, Map<String, ?> params) throws Exception {
        int id = ids.incrementAndGet();
        ObjectNode msg = JSON.createObjectNode().put("id", id).put("method", method);
        msg.set("params", JSON.valueToTree(params));
        if (sessionId != null) {
            msg.put("sessionId", sessionId);
        }
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        pending.put(id, answer);
        socket.sendText(msg.toString(), true).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        JsonNode r = answer.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        if (r.has("error")) {
            throw new IllegalStateException(method + " failed: " + r.get("error"));
        }
        return r.path("result");
    }

    private void awaitEvent(String method, int after) throws InterruptedException {
        long until = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < until) {
            for (int i = after; i < events.size(); i++) {
                if (events.get(i).path("method").asText().equals(method)) {
                    return;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no " + method + " within " + TIMEOUT);
    }

    private void received(String text) {
        JsonNode m;
        try {
            m = JSON.readTree(text);
        } catch (IOException e) {
            return;
        }
        if (m.has("id")) {
            CompletableFuture<JsonNode> f = pending.remove(m.get("id").asInt());
            if (f != null) {
                f.complete(m);
            }
            return;
        }
        events.add(m);
        String method = m.path("method").asText();
        if (method.equals("Runtime.consoleAPICalled")) {
            console.add(m.path("params").path("type").asText() + ": "
                    + m.path("params").path("args"));
        } else if (method.equals("Log.entryAdded")) {
            JsonNode e = m.path("params").path("entry");
            console.add(e.path("level").asText() + ": " + e.path("text").asText());
        } else if (method.equals("Runtime.exceptionThrown")) {
            console.add("exception: " + m.path("params").path("exceptionDetails"));
        }
    }

    /** Gathers fragmented frames (a screenshot is several megabytes) into whole messages. */
    private static final class Listener implements WebSocket.Listener {
        volatile HeadlessChromium owner;
        private final StringBuilder partial = new StringBuilder();
        private final List<String> early = new ArrayList<>();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                if (owner == null) {
                    early.add(text);
                } else {
                    early.forEach(owner::received);
                    early.clear();
                    owner.received(text);
                }
            }
            webSocket.request(1);
            return null;
        }
    }

    @Override
    public void close() {
        try {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            // the process goes anyway
        }
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        children.forEach(ProcessHandle::destroy);
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        deleteTree(profile);
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary profile left behind is harmless
        }
    }
}
