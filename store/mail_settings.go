package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/tidecrm/tide/i18n"
	"github.com/tidecrm/tide/mail"
)

// Settings keys of the admin email page; each overrides the smtp.* config
// key of the same name once saved.
const (
	settingSMTPHost     = "smtp_host"
	settingSMTPPort     = "smtp_port"
	settingSMTPTLS      = "smtp_tls"
	settingSMTPUsername = "smtp_username"
	settingSMTPPassword = "smtp_password"
	settingSMTPFrom     = "smtp_from"
)

// smtpKeys are the settings the admin email page saves.
var smtpKeys = []string{settingSMTPHost, settingSMTPPort, settingSMTPTLS, settingSMTPUsername, settingSMTPPassword, settingSMTPFrom}

// SMTPSettings are the settings in force: the admin page's where saved,
// the config's elsewhere.
func (s *Store) SMTPSettings(ctx context.Context) (mail.Settings, error) {
	st := s.Mail.SMTP
	rows, err := s.r.QueryContext(ctx, `SELECT key, value FROM settings WHERE key LIKE 'smtp\_%' ESCAPE '\'`)
	if err != nil {
		return st, fmt.Errorf("store: smtp settings: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return st, err
		}
		switch k {
		case settingSMTPHost:
			st.Host = v
		case settingSMTPPort:
			st.Port, _ = strconv.Atoi(v)
		case settingSMTPTLS:
			st.TLS = v
		case settingSMTPUsername:
			st.Username = v
		case settingSMTPPassword:
			st.Password = v
		case settingSMTPFrom:
			st.From = v
		}
	}
	return st, rows.Err()
}

// SMTPInput is the admin email form. A nil Password keeps the stored one:
// the page never shows it back, so a blank field means "unchanged".
type SMTPInput struct {
	Host     string  `json:"host"`
	Port     string  `json:"port"`
	TLS      string  `json:"tls"`
	Username string  `json:"username"`
	Password *string `json:"password"`
	From     string  `json:"from"`
}

// SaveSMTPSettings stores the admin's SMTP settings (admin only).
func (s *Store) SaveSMTPSettings(ctx context.Context, actor *User, in SMTPInput) error {
	if !actor.IsAdmin() {
		return ErrForbidden
	}
	fe := fieldErrors{}
	in.Host, in.From, in.Username = strings.TrimSpace(in.Host), strings.TrimSpace(in.From), strings.TrimSpace(in.Username)
	if in.Host == "" || strings.ContainsAny(in.Host, " /:") {
		fe.add("host", "mail.err.host")
	}
	port, err := strconv.Atoi(strings.TrimSpace(in.Port))
	if err != nil || port < 1 || port > 65535 {
		fe.add("port", "mail.err.port")
	}
	if in.TLS != mail.TLSNone && in.TLS != mail.TLSStartTLS && in.TLS != mail.TLSImplicit {
		fe.add("tls", "mail.err.tls")
	}
	if !ValidEmail(in.From) {
		fe.add("from", "err.email")
	}
	if err := fe.err(); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		vals := map[string]string{settingSMTPHost: in.Host, settingSMTPPort: strconv.Itoa(port), settingSMTPTLS: in.TLS,
			settingSMTPUsername: in.Username, settingSMTPFrom: in.From}
		if in.Password != nil && *in.Password != "" {
			vals[settingSMTPPassword] = *in.Password
		}
		if in.Username == "" {
			vals[settingSMTPPassword] = ""
		}
		before, err := settingsSnapshot(ctx, tx, smtpKeys...)
		if err != nil {
			return err
		}
		for k, v := range vals {
			if err := putSetting(ctx, tx, k, v); err != nil {
				return fmt.Errorf("store: save %s: %w", k, err)
			}
		}
		after, err := settingsSnapshot(ctx, tx, smtpKeys...)
		if err != nil {
			return err
		}
		// The password is a secret: a change is logged by name only.
		return auditChanges(ctx, tx, s.now().Unix(), AuditEntry{Action: AuditUpdate, Entity: "mail_settings", ActorID: actor.ID}, before, after, settingSMTPPassword)
	})
}

// SendTestEmail sends a test message to the address right now, outside the
// outbox, and answers with the SMTP server's own words when it fails
// (connection refused, authentication failed …) on the "to" field.
func (s *Store) SendTestEmail(ctx context.Context, actor *User, to string) error {
	if !actor.IsAdmin() {
		return ErrForbidden
	}
	to = NormalizeEmail(to)
	if !ValidEmail(to) {
		return &Error{Code: CodeInvalid, Msg: M("err.invalid"), Fields: map[string]Msg{"to": M("err.email")}}
	}
	st, err := s.SMTPSettings(ctx)
	if err != nil {
		return err
	}
	if !st.Configured() {
		return &Error{Code: CodeInvalid, Msg: M("mail.err.not_configured"), Fields: map[string]Msg{"to": M("mail.err.not_configured")}}
	}
	l := i18n.For(actor.Language)
	if actor.Language == "" {
		l = i18n.For(companyLanguage(ctx, s.r))
	}
	text, html := mail.Render(mail.Body{Lang: l.Lang, Heading: l.T("mail.test_subject"), Paragraphs: []string{l.T("mail.test_body", "Host", st.Host)}})
	err = mail.Send(ctx, st, mail.Message{To: to, Subject: l.T("mail.test_subject"), Text: text, HTML: html, Date: s.now()})
	if err != nil {
		m := M("mail.err.test_failed", "Error", err.Error())
		return &Error{Code: CodeInvalid, Msg: m, Fields: map[string]Msg{"to": m}}
	}
	return nil
}
