package io.deagent.app.web;

import io.javalin.http.Context;
import java.net.InetAddress;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may see the incidents page. By default only this machine (a loopback client that did not come
 * through a proxy). With {@code DE_AGENT_UI_TOKEN}, anyone holding the token: once as {@code ?token=},
 * which is exchanged for an HttpOnly, SameSite=Strict cookie and taken out of the address, or as
 * {@code Authorization: Bearer}. With {@code DE_AGENT_UI_AUTH_HEADER}, a request carrying the header an
 * SSO proxy sets (the user it names is shown on the page).
 */
final class PageAccess {

    private static final Logger log = LoggerFactory.getLogger(PageAccess.class);
    static final String COOKIE = "de_agent_ui";
    static final int COOKIE_SECONDS = 12 * 3600;
    private static final int MAX_USER_CHARS = 200;

    /** What to do with a request. */
    sealed interface Verdict permits Allowed, SignedIn, Refused {}

    /** Serve the page; {@code user} is who the SSO proxy says is asking. */
    record Allowed(Optional<String> user) implements Verdict {}

    /** The token in the address was right: set {@code cookie} and go to {@code location} (the address without it). */
    record SignedIn(String location, String cookie) implements Verdict {}

    /** Not allowed: 401 (a token would let the client in) or 403 (nothing would, from there). */
    record Refused(int status) implements Verdict {}

    private final PageSettings settings;
    private final Optional<byte[]> cookieValue;
    private final AtomicBoolean hinted = new AtomicBoolean();

    PageAccess(PageSettings settings) {
        this.settings = settings;
        this.cookieValue = settings.token().map(PageAccess::sessionValue);
    }

    Verdict check(Context ctx) {
        String tokenParam = ctx.queryParam("token");
        if (tokenParam != null
                && settings.token().isPresent()
                && equal(settings.token().get(), tokenParam)) {
            return new SignedIn(withoutToken(ctx.path(), ctx.queryParamMap()), cookie(isHttps(ctx)));
        }
        if (settings.authHeader().isPresent()) {
            String user = ctx.header(settings.authHeader().get());
            if (user != null && !user.isBlank()) {
                String u = user.strip();
                return new Allowed(Optional.of(u.length() > MAX_USER_CHARS ? u.substring(0, MAX_USER_CHARS) : u));
            }
        }
        if (isLocal(ctx)) {
            return new Allowed(Optional.empty());
        }
        if (settings.token().isPresent()) {
            String auth = ctx.header("Authorization");
            if (auth != null
                    && auth.regionMatches(true, 0, "Bearer ", 0, 7)
                    && equal(settings.token().get(), auth.substring(7).strip())) {
                return new Allowed(Optional.empty());
            }
            String cookie = ctx.cookie(COOKIE);
            if (cookie != null
                    && MessageDigest.isEqual(cookieValue.orElseThrow(), cookie.getBytes(StandardCharsets.US_ASCII))) {
                return new Allowed(Optional.empty());
            }
            return new Refused(401);
        }
        if (hinted.compareAndSet(false, true)) {
            log.warn(
                    "the incidents page refused a request from {}: it is served only to this machine; set"
                            + " DE_AGENT_UI_TOKEN or DE_AGENT_UI_AUTH_HEADER to open it from elsewhere",
                    ctx.req().getRemoteAddr());
        }
        return new Refused(403);
    }

    /** Whether a token would let a refused client in (the page then offers a field for it). */
    boolean acceptsToken() {
        return settings.token().isPresent();
    }

    /**
     * A loopback client that did not come through a proxy: a reverse proxy on this machine makes every
     * request look local, so a forwarded request is not.
     */
    static boolean isLocal(Context ctx) {
        if (ctx.header("X-Forwarded-For") != null
                || ctx.header("Forwarded") != null
                || ctx.header("X-Real-IP") != null) {
            return false;
        }
        String addr = ctx.req().getRemoteAddr();
        if (addr == null || addr.isEmpty()) {
            return false;
        }
        String ip = addr.startsWith("[") && addr.endsWith("]") ? addr.substring(1, addr.length() - 1) : addr;
        if (!ip.matches("[0-9a-fA-F:.%]+")) {
            return false; // never a name lookup: only a literal address can be loopback
        }
        try {
            return InetAddress.getByName(ip).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static boolean isHttps(Context ctx) {
        String proto = ctx.header("X-Forwarded-Proto");
        return "https".equalsIgnoreCase(ctx.scheme()) || (proto != null && proto.equalsIgnoreCase("https"));
    }

    private String cookie(boolean secure) {
        return COOKIE + "=" + new String(cookieValue.orElseThrow(), StandardCharsets.US_ASCII) + "; Path=/; Max-Age="
                + COOKIE_SECONDS + "; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "");
    }

    /** The cookie holds a value derived from the token, never the token itself. */
    static byte[] sessionValue(String token) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(token.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] v = mac.doFinal("de-agent incidents page session".getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encode(v);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    private static boolean equal(String expected, String given) {
        return MessageDigest.isEqual(
                expected.getBytes(StandardCharsets.UTF_8), given.strip().getBytes(StandardCharsets.UTF_8));
    }

    /** The same address without {@code token}, so it stays out of history, logs and bookmarks. */
    static String withoutToken(String path, Map<String, List<String>> query) {
        StringBuilder q = new StringBuilder();
        query.forEach((k, vs) -> {
            if (!k.toLowerCase(Locale.ROOT).equals("token")) {
                for (String v : vs) {
                    q.append(q.isEmpty() ? "?" : "&")
                            .append(URLEncoder.encode(k, StandardCharsets.UTF_8))
                            .append('=')
                            .append(URLEncoder.encode(v, StandardCharsets.UTF_8));
                }
            }
        });
        String p = path.startsWith("/") && !path.startsWith("//") ? path : "/incidents";
        return p + q;
    }
}
