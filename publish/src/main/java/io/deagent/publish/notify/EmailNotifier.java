package io.deagent.publish.notify;

import jakarta.mail.Authenticator;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.PasswordAuthentication;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;

/**
 * E-mail over SMTP (Angus Mail): the diagnosis and the pull request, as plain UTF-8 text. Configured by
 * {@code SMTP_HOST}, {@code SMTP_PORT} (587), {@code SMTP_USERNAME}/{@code SMTP_PASSWORD}, {@code SMTP_TLS}
 * ({@code starttls} by default, {@code ssl} for SMTPS, {@code none} for a local relay),
 * {@code DE_AGENT_EMAIL_FROM} and {@code DE_AGENT_EMAIL_TO} (comma-separated).
 */
public final class EmailNotifier implements Notifier {

    private static final int TIMEOUT_MS = 10_000;

    private final Session session;
    private final InternetAddress from;
    private final InternetAddress[] to;
    private final String host;
    private final int port;

    private EmailNotifier(Session session, InternetAddress from, InternetAddress[] to, String host, int port) {
        this.session = session;
        this.from = from;
        this.to = to;
        this.host = host;
        this.port = port;
    }

    /** The notifier when {@code SMTP_HOST} and {@code DE_AGENT_EMAIL_TO} are set; a bad value is an error. */
    public static Optional<EmailNotifier> from(Function<String, Optional<String>> config) {
        Optional<String> host = config.apply("SMTP_HOST").filter(s -> !s.isBlank());
        Optional<String> to = config.apply("DE_AGENT_EMAIL_TO").filter(s -> !s.isBlank());
        if (host.isEmpty() && to.isEmpty()) {
            return Optional.empty();
        }
        if (host.isEmpty() || to.isEmpty()) {
            throw new IllegalArgumentException("e-mail needs both SMTP_HOST and DE_AGENT_EMAIL_TO");
        }
        String tls = config.apply("SMTP_TLS").orElse("starttls").trim().toLowerCase(Locale.ROOT);
        int port;
        try {
            port = Integer.parseInt(config.apply("SMTP_PORT")
                    .orElse(tls.equals("ssl") ? "465" : "587")
                    .trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("SMTP_PORT is not a number");
        }
        Properties p = new Properties();
        p.put("mail.smtp.host", host.get());
        p.put("mail.smtp.port", String.valueOf(port));
        p.put("mail.smtp.connectiontimeout", String.valueOf(TIMEOUT_MS));
        p.put("mail.smtp.timeout", String.valueOf(TIMEOUT_MS));
        p.put("mail.smtp.writetimeout", String.valueOf(TIMEOUT_MS));
        switch (tls) {
            case "starttls" -> {
                p.put("mail.smtp.starttls.enable", "true");
                p.put("mail.smtp.starttls.required", "true");
            }
            case "ssl" -> p.put("mail.smtp.ssl.enable", "true");
            case "none" -> {}
            default -> throw new IllegalArgumentException("SMTP_TLS '" + tls + "' is not starttls, ssl or none");
        }
        Optional<String> user = config.apply("SMTP_USERNAME").filter(s -> !s.isBlank());
        Optional<String> password = config.apply("SMTP_PASSWORD");
        Authenticator auth = null;
        if (user.isPresent()) {
            p.put("mail.smtp.auth", "true");
            auth = new Authenticator() {
                @Override
                protected PasswordAuthentication getPasswordAuthentication() {
                    return new PasswordAuthentication(user.get(), password.orElse(""));
                }
            };
        }
        try {
            InternetAddress sender =
                    new InternetAddress(config.apply("DE_AGENT_EMAIL_FROM").orElse("de-agent@" + host.get()), true);
            List<InternetAddress> recipients = new ArrayList<>();
            for (InternetAddress a : InternetAddress.parse(to.get(), true)) {
                recipients.add(a);
            }
            return Optional.of(new EmailNotifier(
                    Session.getInstance(p, auth),
                    sender,
                    recipients.toArray(InternetAddress[]::new),
                    host.get(),
                    port));
        } catch (AddressException e) {
            throw new IllegalArgumentException("an e-mail address is not valid: " + e.getMessage());
        }
    }

    @Override
    public String name() {
        return "email";
    }

    @Override
    public String send(Notice notice) throws NotifyException {
        try {
            MimeMessage m = new MimeMessage(session);
            m.setFrom(from);
            m.setRecipients(Message.RecipientType.TO, to);
            m.setSubject(notice.subject(), "UTF-8");
            m.setText(notice.text(), "UTF-8");
            m.setSentDate(new Date());
            m.setHeader("X-De-Agent-Incident", String.valueOf(notice.incidentId()));
            m.saveChanges();
            Transport.send(m);
            return m.getMessageID();
        } catch (MessagingException e) {
            throw new NotifyException(
                    "cannot send e-mail through " + host + ":" + port + ": " + e.getMessage(), !isAuth(e), e);
        }
    }

    @Override
    public String check() throws NotifyException {
        try (Transport t = session.getTransport("smtp")) {
            t.connect();
            return "SMTP " + host + ":" + port + " accepts a connection; mail goes to " + to.length + " recipient(s)";
        } catch (MessagingException e) {
            throw new NotifyException("SMTP " + host + ":" + port + " refused: " + e.getMessage(), !isAuth(e), e);
        }
    }

    private static boolean isAuth(MessagingException e) {
        return e instanceof jakarta.mail.AuthenticationFailedException;
    }
}
