// Package mailtest is a real SMTP server for tests: it listens on
// 127.0.0.1, accepts mail with github.com/emersion/go-smtp and keeps every
// message it accepted, so tests check what Tide really put on the wire.
// It can refuse on purpose: temporary failures (4xx) for the next few
// messages, or a permanent 5xx for one recipient (a bounce at SMTP time).
package mailtest

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Server is one running test SMTP server.
type Server struct {
	srv *smtp.Server
	ln  net.Listener

	mu       sync.Mutex
	messages []*Message
	failNext int
	rejected map[string]bool
	user     string
	password string
}

// Message is one accepted message.
type Message struct {
	From string
	To   []string
	Raw  []byte
}

// Start runs a server until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("mailtest: listen: %v", err)
	}
	s := &Server{ln: ln, rejected: map[string]bool{}}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{s: s}, nil }))
	s.srv.Domain = "mailtest.local"
	s.srv.AllowInsecureAuth = true
	s.srv.ReadTimeout = 10 * time.Second
	s.srv.WriteTimeout = 10 * time.Second
	s.srv.ErrorLog = discard{}
	go func() { _ = s.srv.Serve(ln) }()
	t.Cleanup(func() { _ = s.srv.Close() })
	return s
}

type discard struct{}

func (discard) Printf(string, ...any) {}
func (discard) Println(...any)        {}

// Host is the address the server listens on.
func (s *Server) Host() string { return "127.0.0.1" }

// Port is the port the server listens on.
func (s *Server) Port() int { return s.ln.Addr().(*net.TCPAddr).Port }

// FailNext makes the next n messages fail with a temporary 451 at DATA.
func (s *Server) FailNext(n int) {
	s.mu.Lock()
	s.failNext = n
	s.mu.Unlock()
}

// Reject makes RCPT TO addr fail permanently with 550 (mailbox unknown).
func (s *Server) Reject(addr string) {
	s.mu.Lock()
	s.rejected[strings.ToLower(addr)] = true
	s.mu.Unlock()
}

// RequireAuth makes AUTH PLAIN accept only these credentials; a wrong
// password is answered 535, as a real server does.
func (s *Server) RequireAuth(user, password string) {
	s.mu.Lock()
	s.user, s.password = user, password
	s.mu.Unlock()
}

// Messages returns the messages accepted so far.
func (s *Server) Messages() []*Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*Message(nil), s.messages...)
}

// To returns the accepted messages addressed to addr.
func (s *Server) To(addr string) []*Message {
	var out []*Message
	for _, m := range s.Messages() {
		for _, r := range m.To {
			if strings.EqualFold(r, addr) {
				out = append(out, m)
			}
		}
	}
	return out
}

type session struct {
	s    *Server
	from string
	to   []string
}

// AuthMechanisms offers PLAIN (the server allows it without TLS: tests
// run on 127.0.0.1).
func (x *session) AuthMechanisms() []string { return []string{sasl.Plain} }

// Auth checks PLAIN credentials against RequireAuth's.
func (x *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, password string) error {
		x.s.mu.Lock()
		defer x.s.mu.Unlock()
		if user != x.s.user || password != x.s.password {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "authentication failed: bad username or password"}
		}
		return nil
	}), nil
}

func (x *session) Reset()        { x.from, x.to = "", nil }
func (x *session) Logout() error { return nil }

func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	x.from = from
	return nil
}

func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.s.mu.Lock()
	bad := x.s.rejected[strings.ToLower(to)]
	x.s.mu.Unlock()
	if bad {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "mailbox " + to + " does not exist"}
	}
	x.to = append(x.to, to)
	return nil
}

func (x *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	if x.s.failNext > 0 {
		x.s.failNext--
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	x.s.messages = append(x.s.messages, &Message{From: x.from, To: append([]string(nil), x.to...), Raw: raw})
	return nil
}

// Header returns a decoded header of the message.
func (m *Message) Header(name string) string {
	msg, err := mail.ReadMessage(bytes.NewReader(m.Raw))
	if err != nil {
		return ""
	}
	v := msg.Header.Get(name)
	if d, err := new(mime.WordDecoder).DecodeHeader(v); err == nil {
		return d
	}
	return v
}

// Subject is the decoded subject.
func (m *Message) Subject() string { return m.Header("Subject") }

// Text is the decoded text/plain part.
func (m *Message) Text() string { return m.part("text/plain") }

// HTML is the decoded text/html part.
func (m *Message) HTML() string { return m.part("text/html") }

// part finds the first part of the given type, walking nested multiparts.
func (m *Message) part(want string) string {
	msg, err := mail.ReadMessage(bytes.NewReader(m.Raw))
	if err != nil {
		return ""
	}
	return findPart(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body, want)
}

func findPart(ctype, cte string, body io.Reader, want string) string {
	mt, params, err := mime.ParseMediaType(ctype)
	if err != nil {
		return ""
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err != nil {
				return ""
			}
			if s := findPart(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p, want); s != "" {
				return s
			}
		}
	}
	if mt != want {
		return ""
	}
	return decode(cte, body)
}

func decode(cte string, r io.Reader) string {
	var b []byte
	switch strings.ToLower(cte) {
	case "quoted-printable":
		b, _ = io.ReadAll(quotedprintable.NewReader(r))
	case "base64":
		raw, _ := io.ReadAll(r)
		b, _ = decodeBase64(raw)
	default:
		b, _ = io.ReadAll(r)
	}
	return string(b)
}

func decodeBase64(raw []byte) ([]byte, error) {
	clean := strings.NewReplacer("\r", "", "\n", "").Replace(string(raw))
	return base64.StdEncoding.DecodeString(clean)
}

// ClosedPort returns a local port nothing listens on, for "connection
// refused" tests.
func ClosedPort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()
	return port
}

// PortString is Port as a string, for forms.
func (s *Server) PortString() string { return strconv.Itoa(s.Port()) }
