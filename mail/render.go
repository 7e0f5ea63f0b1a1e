package mail

import (
	"html"
	"strings"
)

// Body is the parts of a simple email: a heading, paragraphs, an optional
// button-like link and a small footer. Render turns it into plain text and
// a minimal inline-styled HTML version (mail clients ignore style sheets).
type Body struct {
	Lang       string
	Heading    string
	Paragraphs []string
	LinkURL    string
	LinkLabel  string
	Footer     []string
}

// Render returns the text and HTML forms of b.
func Render(b Body) (text, htmlBody string) {
	var t strings.Builder
	if b.Heading != "" {
		t.WriteString(b.Heading + "\n\n")
	}
	for _, p := range b.Paragraphs {
		t.WriteString(p + "\n\n")
	}
	if b.LinkURL != "" {
		t.WriteString(b.LinkLabel + ": " + b.LinkURL + "\n\n")
	}
	if len(b.Footer) > 0 {
		t.WriteString("--\n" + strings.Join(b.Footer, "\n") + "\n")
	}

	var h strings.Builder
	h.WriteString(`<!doctype html><html lang="` + html.EscapeString(b.Lang) + `"><head><meta charset="utf-8"></head>`)
	h.WriteString(`<body style="margin:0;padding:24px;background:#f5f5f5;font-family:-apple-system,'PingFang SC','Microsoft YaHei','Noto Sans CJK SC','Helvetica Neue',Arial,sans-serif;font-size:14px;line-height:1.57;color:#1f1f1f">`)
	h.WriteString(`<div style="max-width:560px;margin:0 auto;background:#fff;border-radius:8px;padding:24px">`)
	if b.Heading != "" {
		h.WriteString(`<h1 style="font-size:18px;margin:0 0 16px">` + html.EscapeString(b.Heading) + `</h1>`)
	}
	for _, p := range b.Paragraphs {
		h.WriteString(`<p style="margin:0 0 12px;white-space:pre-line">` + html.EscapeString(p) + `</p>`)
	}
	if b.LinkURL != "" {
		h.WriteString(`<p style="margin:16px 0"><a href="` + html.EscapeString(b.LinkURL) + `" style="display:inline-block;background:#1668dc;color:#fff;text-decoration:none;padding:8px 16px;border-radius:6px">` +
			html.EscapeString(b.LinkLabel) + `</a></p>`)
	}
	if len(b.Footer) > 0 {
		h.WriteString(`<p style="margin:24px 0 0;color:#8c8c8c;font-size:12px">`)
		for i, f := range b.Footer {
			if i > 0 {
				h.WriteString(`<br>`)
			}
			h.WriteString(linkify(f))
		}
		h.WriteString(`</p>`)
	}
	h.WriteString(`</div></body></html>`)
	return t.String(), h.String()
}

// linkify escapes s and turns a trailing URL into a link.
func linkify(s string) string {
	i := strings.LastIndex(s, "http")
	if j := strings.LastIndex(s, "%%TIDE_"); j > i {
		i = j // a link the outbox fills in when it sends
	}
	if i < 0 || strings.ContainsAny(s[i:], " \t") {
		return html.EscapeString(s)
	}
	u := s[i:]
	return html.EscapeString(s[:i]) + `<a href="` + html.EscapeString(u) + `" style="color:#8c8c8c">` + html.EscapeString(u) + `</a>`
}
