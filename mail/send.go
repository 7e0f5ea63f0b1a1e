// Package mail puts Tide's outgoing email on the wire with
// github.com/wneessen/go-mail (a maintained, dependency-light client that
// reports SMTP replies as typed errors, so a bounce at RCPT time can be told
// from a server that is merely busy). It knows nothing of the outbox: the
// store decides what to send and when; this package only sends one message
// with bounded timeouts and classifies the failure.
package mail

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// TLS modes an SMTP server may be reached with.
const (
	TLSNone     = "none"
	TLSStartTLS = "starttls"
	TLSImplicit = "tls"
)

// Timeout bounds one SMTP conversation (dial, commands and data), so a
// server that hangs costs the sender job at most this long per message.
var Timeout = 20 * time.Second

// Settings say how to reach the SMTP server.
type Settings struct {
	Host     string
	Port     int
	TLS      string
	Username string
	Password string
	From     string
}

// Configured reports whether enough is set to try sending.
func (s Settings) Configured() bool { return s.Host != "" && s.Port > 0 && s.From != "" }

// Message is one email to one recipient.
type Message struct {
	To        string
	Subject   string
	Text      string
	HTML      string
	MessageID string            // without angle brackets; stable per outbox row
	Headers   map[string]string // extra headers (List-Unsubscribe …)
	Date      time.Time
}

// Send delivers m through the server in st. The error, when not nil, is
// a *Failure saying whether a retry can help.
func Send(ctx context.Context, st Settings, m Message) error {
	msg, err := build(st, m)
	if err != nil {
		return &Failure{Permanent: true, Text: err.Error()}
	}
	c, err := client(st)
	if err != nil {
		return &Failure{Text: err.Error()}
	}
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return classify(err)
	}
	return nil
}

func build(st Settings, m Message) (*gomail.Msg, error) {
	msg := gomail.NewMsg(gomail.WithCharset(gomail.CharsetUTF8))
	if err := msg.From(st.From); err != nil {
		return nil, fmt.Errorf("from address %q: %w", st.From, err)
	}
	if err := msg.To(m.To); err != nil {
		return nil, fmt.Errorf("recipient address %q: %w", m.To, err)
	}
	msg.Subject(m.Subject)
	if m.MessageID != "" {
		msg.SetMessageIDWithValue(m.MessageID)
	}
	if m.Date.IsZero() {
		msg.SetDate()
	} else {
		msg.SetDateWithValue(m.Date)
	}
	for k, v := range m.Headers {
		msg.SetGenHeader(gomail.Header(k), v)
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}

func client(st Settings) (*gomail.Client, error) {
	opts := []gomail.Option{gomail.WithPort(st.Port), gomail.WithTimeout(Timeout), gomail.WithHELO("tide.local")}
	switch st.TLS {
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL())
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if st.Username != "" {
		// Over TLS the strongest mechanism the server offers is chosen;
		// without TLS go-mail offers only challenge-response mechanisms, so
		// PLAIN is named — and go-mail still refuses to send it in clear
		// text to anything but localhost.
		auth := gomail.SMTPAuthAutoDiscover
		if st.TLS == TLSNone {
			auth = gomail.SMTPAuthPlain
		}
		opts = append(opts, gomail.WithSMTPAuth(auth), gomail.WithUsername(st.Username), gomail.WithPassword(st.Password))
	}
	return gomail.NewClient(st.Host, opts...)
}

// Failure is why a message was not sent. Permanent failures (the server
// refused the recipient or the message with a 5xx reply) are not retried;
// everything else (refused connection, timeout, 4xx, failed login) is.
type Failure struct {
	Permanent bool
	Code      int
	Text      string
}

func (f *Failure) Error() string { return f.Text }

// IsPermanent reports whether err is a permanent failure.
func IsPermanent(err error) bool {
	var f *Failure
	return errors.As(err, &f) && f.Permanent
}

// classify turns go-mail's error into a Failure carrying the server's own
// words, which the admin and the sender see.
func classify(err error) error {
	f := &Failure{Text: clean(err.Error())}
	var se *gomail.SendError
	if errors.As(err, &se) {
		f.Code = se.ErrorCode()
		switch se.Reason {
		case gomail.ErrSMTPRcptTo, gomail.ErrSMTPMailFrom, gomail.ErrSMTPData, gomail.ErrSMTPDataClose:
			f.Permanent = !se.IsTemp()
		}
	}
	return f
}

// clean drops go-mail's wrapping noise ("send failed: ", the message id)
// so the reply reads like the server's: "550 5.1.1 mailbox … does not exist".
func clean(s string) string {
	for _, p := range []string{"send failed: ", "dial failed: "} {
		s = strings.Replace(s, p, "", 1)
	}
	if i := strings.Index(s, ", affected message ID"); i > 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}
