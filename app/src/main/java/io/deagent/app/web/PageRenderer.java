package io.deagent.app.web;

import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.Template;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The page's templates ({@code web/*.mustache} resources, compiled once): every {@code {{value}}} is
 * HTML-escaped, a missing value is a bug that fails the render, and {@code null} renders as nothing. The
 * stylesheet is inlined from {@code web/page.css}; the Content-Security-Policy allows exactly that
 * stylesheet (by its hash) and the one script the server serves itself.
 */
final class PageRenderer {

    static final String STYLESHEET = "page.css";
    static final String SCRIPT = "page.js";

    private final Mustache.Compiler compiler;
    private final Map<String, Template> templates = new ConcurrentHashMap<>();
    private final String script;
    private final String contentSecurityPolicy;

    PageRenderer() {
        this.compiler = Mustache.compiler()
                .escapeHTML(true)
                .nullValue("")
                .emptyStringIsFalse(true)
                .zeroIsFalse(true)
                .withLoader(name -> new StringReader(resource(name.contains(".") ? name : name + ".mustache")));
        this.script = resource(SCRIPT);
        this.contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src '" + sha256(resource(STYLESHEET))
                + "'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
    }

    /** Renders template {@code name} ({@code web/<name>.mustache}) over {@code view}. */
    String render(String name, Object view) {
        return templates
                .computeIfAbsent(name, n -> compiler.compile(resource(n + ".mustache")))
                .execute(view);
    }

    String script() {
        return script;
    }

    String contentSecurityPolicy() {
        return contentSecurityPolicy;
    }

    static String sha256(String text) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return "sha256-" + Base64.getEncoder().encodeToString(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    static String resource(String name) {
        try (InputStream in = PageRenderer.class.getResourceAsStream("/web/" + name)) {
            if (in == null) {
                throw new IllegalStateException("the page resource web/" + name + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
