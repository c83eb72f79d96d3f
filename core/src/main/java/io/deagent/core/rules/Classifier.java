package io.deagent.core.rules;

import io.deagent.core.Taxonomy;
import io.deagent.core.log.ExceptionChain;
import io.deagent.core.log.LogDocument;
import io.deagent.core.log.LogLine;
import io.deagent.core.log.ThrownException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Pure and deterministic: evaluates every rule over what the reader found and picks the root cause.
 *
 * <p>The taxonomy's "how to label" order is implemented as scoring: a rule's own priority (specific
 * beats generic, a memory kill beats the SIGTERM it causes), plus where its proof sits: in the root-cause
 * exception of the failing chain (not the wrapper), in that chain, in the last attempt, and not only in
 * warnings the run recovered from.
 */
public final class Classifier {

    private static final Pattern SQLSTATE = Pattern.compile(
            "(?i)(?:SQLSTATE[:=\\s]*\\[?|SQL state[:=\\s]*|\\(|state=|sqlstate\\s)([0-9A-Z]{5})\\b\\]?\\)?");
    private static final int UNKNOWN_BELOW = 35;

    private final RuleCatalog catalog;

    public Classifier(RuleCatalog catalog) {
        this.catalog = catalog;
    }

    /** One rule that matched, with its proof and its score. */
    public record Hit(
            RuleCatalog.LoadedRule rule,
            List<LogLine> proof,
            double score,
            boolean inRoot,
            boolean inChain,
            boolean warnOnly,
            Optional<ThrownException> matched,
            List<Fact> facts,
            List<Fact> confirmed) {}

    public Classification classify(LogDocument doc) {
        return classify(doc, List.of());
    }

    /** The verdict on a log and the facts sources measured about the same failure. */
    public Classification classify(LogDocument doc, List<Fact> facts) {
        Context ctx = new Context(doc, facts);
        List<Hit> hits = hits(doc, ctx);
        if (hits.isEmpty() || hits.get(0).score() < UNKNOWN_BELOW) {
            return unknown(doc, ctx, hits);
        }
        Hit best = hits.get(0);
        Optional<Hit> rival = hits.stream()
                .filter(h ->
                        !h.rule().rule().category().equals(best.rule().rule().category()))
                .findFirst();
        double confidence = confidence(best, rival);
        if (!best.confirmed().isEmpty()) {
            // a measurement agreeing with what the log says
            confidence = Math.min(0.99, Math.round((confidence + 0.08) * 100) / 100.0);
        }
        Map<String, String> entities = entities(doc, ctx, best);
        List<Fact> shown = new ArrayList<>(best.facts());
        best.confirmed().stream().filter(f -> !shown.contains(f)).forEach(shown::add);
        return new Classification(
                Optional.of(best.rule()),
                best.rule().rule().category(),
                confidence,
                best.proof(),
                entities,
                // a wrapper is never shown as the root cause: show what the rule matched instead
                ctx.rootIsReal() ? ctx.root : best.matched(),
                rival.map(h -> h.rule().rule().category()),
                List.copyOf(shown));
    }

    /** Every matching rule, best first. Public for the eval command's explanations and for tests. */
    public List<Hit> hits(LogDocument doc) {
        return hits(doc, new Context(doc, List.of()));
    }

    /** Every matching rule given the log and measured facts, best first. */
    public List<Hit> hits(LogDocument doc, List<Fact> facts) {
        return hits(doc, new Context(doc, facts));
    }

    private List<Hit> hits(LogDocument doc, Context ctx) {
        List<Hit> hits = new ArrayList<>();
        for (RuleCatalog.LoadedRule rule : catalog.rules()) {
            evaluate(rule, doc, ctx).ifPresent(hits::add);
        }
        hits.sort(Comparator.comparingDouble(Hit::score)
                .reversed()
                .thenComparing(h -> -h.rule().rule().priority())
                .thenComparing(h -> h.rule().rule().id()));
        return hits;
    }

    /** What the scoring needs to know about the log once. */
    private static final class Context {
        final Optional<ExceptionChain> primary;
        final Optional<ThrownException> root;
        final List<ThrownException> all = new ArrayList<>();
        final long total;
        final int lastAttempt;

        final String[] lower;
        final Map<String, List<LogLine>> sqlstates = new java.util.HashMap<>();
        final Map<String, Fact> facts = new LinkedHashMap<>();

        Context(LogDocument doc, List<Fact> measured) {
            measured.forEach(f -> facts.putIfAbsent(f.key(), f));
            lower = new String[doc.lines().size()];
            for (int i = 0; i < lower.length; i++) {
                LogLine l = doc.lines().get(i);
                lower[i] = l.message().toLowerCase(java.util.Locale.ROOT);
                if (lower[i].contains("sqlstate")
                        || lower[i].contains("sql state")
                        || l.message().indexOf('(') >= 0
                        || lower[i].contains("state=")) {
                    Matcher s = SQLSTATE.matcher(l.message());
                    while (s.find()) {
                        List<LogLine> at = sqlstates.computeIfAbsent(s.group(1), k -> new ArrayList<>());
                        if (at.isEmpty() || at.get(at.size() - 1) != l) {
                            at.add(l);
                        }
                    }
                }
            }
            primary = doc.primaryChain();
            root = primary.map(ExceptionChain::rootCause);
            doc.chains().forEach(c -> all.addAll(c.links()));
            total = Math.max(1, doc.totalLines());
            lastAttempt = doc.lastAttemptLine();
        }

        boolean rootIsReal() {
            return root.isPresent() && !ExceptionChain.isWrapper(root.get());
        }

        boolean inRoot(int line) {
            if (!rootIsReal()) {
                return false;
            }
            ThrownException r = root.get();
            return line >= r.line() && line <= Math.max(r.line(), r.lastLine());
        }

        boolean inChain(int line) {
            return primary.isPresent() && primary.get().contains(line);
        }

        boolean inAnyChain(LogDocument doc, int line) {
            return doc.chains().stream().anyMatch(c -> c.contains(line));
        }
    }

    private Optional<Hit> evaluate(RuleCatalog.LoadedRule rule, LogDocument doc, Context ctx) {
        List<LogLine> proof = new ArrayList<>();
        List<Fact> facts = new ArrayList<>();
        boolean viaRoot = false;
        boolean viaChain = false;
        boolean anyMatched = false;
        Optional<ThrownException> matched = Optional.empty();
        for (RuleCatalog.CompiledMatcher m : rule.any()) {
            MatchResult r = match(m, doc, ctx);
            if (r.matched()) {
                anyMatched = true;
                if (matched.isEmpty()) {
                    matched = r.exception();
                }
                proof.addAll(r.lines());
                facts.addAll(r.facts());
                viaRoot |= r.viaRoot();
                viaChain |= r.viaChain();
            }
        }
        if (!anyMatched) {
            return Optional.empty();
        }
        for (RuleCatalog.CompiledMatcher m : rule.all()) {
            MatchResult r = match(m, doc, ctx);
            if (!r.matched()) {
                return Optional.empty();
            }
            proof.addAll(r.lines());
            facts.addAll(r.facts());
        }
        for (RuleCatalog.CompiledMatcher m : rule.none()) {
            if (match(m, doc, ctx).matched()) {
                return Optional.empty();
            }
        }
        Map<Integer, LogLine> unique = new TreeMap<>();
        proof.forEach(l -> unique.putIfAbsent(l.number(), l));
        List<LogLine> lines = new ArrayList<>(unique.values());
        boolean inRoot = viaRoot || lines.stream().anyMatch(l -> ctx.inRoot(l.number()));
        boolean inChain = viaChain || lines.stream().anyMatch(l -> ctx.inChain(l.number()));
        // warnings the run went on after are weak evidence; INFO lines are not penalised, since tools run by
        // Airflow (dbt, spark-submit, bash) have their errors logged at INFO by the hook that captured them
        boolean warnOnly =
                !lines.isEmpty() && lines.stream().allMatch(l -> l.isWarning() && !ctx.inAnyChain(doc, l.number()));
        int lastLine = lines.isEmpty() ? 0 : lines.get(lines.size() - 1).number();
        double score = rule.rule().priority();
        if (inRoot) {
            score += 30;
        } else if (inChain) {
            score += 15;
        }
        if (warnOnly) {
            score -= 20;
        }
        if (!lines.isEmpty() && ctx.lastAttempt > 0 && lastLine < ctx.lastAttempt) {
            score -= 40; // only seen in an earlier attempt
        }
        score += 5.0 * lastLine / ctx.total;
        List<Fact> confirmed = new ArrayList<>();
        for (RuleCatalog.CompiledMatcher m : rule.confirm()) {
            confirmed.addAll(match(m, doc, ctx).facts());
        }
        return Optional.of(new Hit(
                rule, lines, score, inRoot, inChain, warnOnly, matched, List.copyOf(facts), List.copyOf(confirmed)));
    }

    private record MatchResult(
            boolean matched,
            List<LogLine> lines,
            boolean viaRoot,
            boolean viaChain,
            Optional<ThrownException> exception,
            List<Fact> facts) {
        static final MatchResult NONE = new MatchResult(false, List.of(), false, false, Optional.empty(), List.of());

        MatchResult(boolean matched, List<LogLine> lines, boolean viaRoot, boolean viaChain) {
            this(matched, lines, viaRoot, viaChain, Optional.empty(), List.of());
        }
    }

    private MatchResult match(RuleCatalog.CompiledMatcher m, LogDocument doc, Context ctx) {
        if (m.source().isFact()) {
            Fact f = ctx.facts.get(m.source().fact());
            if (f == null) {
                return MatchResult.NONE;
            }
            boolean holds = m.source().atLeast() != null
                    ? f.number().map(n -> n >= m.source().atLeast()).orElse(false)
                    : m.factValue().matcher(f.value()).find();
            return holds
                    ? new MatchResult(true, List.of(), false, false, Optional.empty(), List.of(f))
                    : MatchResult.NONE;
        }
        if (m.exception() != null) {
            List<ThrownException> candidates =
                    switch (m.source().where()) {
                        case "root" -> ctx.root.map(List::of).orElse(List.of());
                        case "chain" -> ctx.primary.map(ExceptionChain::links).orElse(List.of());
                        default -> ctx.all;
                    };
            List<LogLine> lines = new ArrayList<>();
            boolean viaRoot = false;
            boolean viaChain = false;
            ThrownException deepest = null;
            for (ThrownException e : candidates) {
                if (!m.exception().matcher(e.className()).find()) {
                    continue;
                }
                if (m.message() != null && !m.message().matcher(e.message()).find()) {
                    continue;
                }
                doc.line(e.line()).ifPresent(lines::add);
                deepest = e;
                viaRoot |= ctx.root.isPresent() && ctx.root.get() == e && ctx.rootIsReal();
                viaChain |= ctx.primary.isPresent() && ctx.primary.get().links().contains(e);
            }
            if (lines.isEmpty()) {
                return MatchResult.NONE;
            }
            return new MatchResult(true, lines, viaRoot, viaChain, Optional.ofNullable(deepest), List.of());
        }
        if (m.line() != null) {
            // the first and the last matches: the last say most about the failure, the first where it began
            List<LogLine> all = doc.lines();
            List<LogLine> first = new ArrayList<>(3);
            java.util.ArrayDeque<LogLine> last = new java.util.ArrayDeque<>(3);
            for (int i = 0; i < all.size(); i++) {
                LogLine l = all.get(i);
                if (!m.mayMatch(l.message(), ctx.lower[i])
                        || !m.line().matcher(l.message()).find()) {
                    continue;
                }
                if (first.size() < 3) {
                    first.add(l);
                } else {
                    last.addLast(l);
                    if (last.size() > 3) {
                        last.pollFirst();
                    }
                }
            }
            if (!last.isEmpty()) {
                first.addAll(last);
            }
            return first.isEmpty() ? MatchResult.NONE : new MatchResult(true, first, false, false);
        }
        List<LogLine> lines = ctx.sqlstates.getOrDefault(m.source().sqlstate(), List.of());
        return lines.isEmpty() ? MatchResult.NONE : new MatchResult(true, lines, false, false);
    }

    private static double confidence(Hit best, Optional<Hit> rival) {
        double c = best.rule().rule().confidence();
        if (best.inRoot()) {
            c += 0.08;
        } else if (best.inChain()) {
            c += 0.04;
        } else {
            c -= 0.05;
        }
        if (best.proof().size() >= 2) {
            c += 0.04;
        }
        if (best.warnOnly()) {
            c -= 0.15;
        }
        if (rival.isPresent()) {
            double gap = best.score() - rival.get().score();
            if (gap < 10) {
                c -= 0.15;
            } else if (gap < 25) {
                c -= 0.07;
            }
        }
        c = Math.max(0.05, Math.min(0.98, c));
        return Math.round(c * 100) / 100.0;
    }

    private Classification unknown(LogDocument doc, Context ctx, List<Hit> weak) {
        List<LogLine> proof = new ArrayList<>();
        ctx.root.flatMap(r -> doc.line(r.line())).ifPresent(proof::add);
        if (proof.isEmpty()) {
            doc.lines().stream()
                    .filter(l -> !l.context() && l.isErrorLevel())
                    .reduce((a, b) -> b)
                    .ifPresent(proof::add);
        }
        Map<String, String> entities = new LinkedHashMap<>();
        EntityExtractor.common(doc, ctx.root, entities);
        CallSites.find(doc, proof).ifPresent(v -> entities.putIfAbsent("call_site", v));
        double confidence = doc.isEmpty() ? 0.0 : 0.1;
        return new Classification(
                Optional.empty(),
                Taxonomy.UNKNOWN,
                confidence,
                proof,
                entities,
                ctx.root,
                weak.isEmpty()
                        ? Optional.empty()
                        : Optional.of(weak.get(0).rule().rule().category()),
                List.of());
    }

    private static Map<String, String> entities(LogDocument doc, Context ctx, Hit best) {
        Map<String, String> entities = new LinkedHashMap<>();
        EntityExtractor.fromRule(doc, best.rule().rule(), best.proof(), ctx.root, entities);
        EntityExtractor.common(doc, ctx.root, entities);
        EntityExtractor.near(best.proof(), best.matched().or(() -> ctx.root), entities);
        CallSites.find(doc, best.proof()).ifPresent(v -> entities.putIfAbsent("call_site", v));
        return entities;
    }
}
