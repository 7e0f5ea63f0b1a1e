package store

import (
	"bytes"
	"strings"
	"text/template"
	"text/template/parse"
)

// TemplateData fills the placeholders of greeting and campaign templates:
// {{.ContactName}}, {{.CustomerName}}, {{.CompanyName}} (our company) and
// {{.OwnerName}} (the salesperson who owns the customer).
type TemplateData struct {
	ContactName  string
	CustomerName string
	CompanyName  string
	OwnerName    string
}

// Placeholders lists the names a template may use, for the forms' hints.
var Placeholders = []string{"ContactName", "CustomerName", "CompanyName", "OwnerName"}

// checkTemplate parses a subject or body and refuses it on field when it
// does not parse or uses a placeholder other than Placeholders, naming it.
func checkTemplate(fe fieldErrors, field, text string) {
	if strings.TrimSpace(text) == "" {
		fe.add(field, "err.required")
		return
	}
	t, err := template.New(field).Option("missingkey=error").Parse(text)
	if err != nil {
		fe.add(field, "mail.err.template_syntax")
		return
	}
	if bad := unknownField(t.Tree.Root); bad != "" {
		fe.add(field, "mail.err.placeholder", "Name", "{{"+bad+"}}", "Allowed", placeholderList())
	}
}

func placeholderList() string {
	out := make([]string, len(Placeholders))
	for i, p := range Placeholders {
		out[i] = "{{." + p + "}}"
	}
	return strings.Join(out, " ")
}

// unknownField returns the first action in the tree that is not a plain
// allowed placeholder ("" when all are fine).
func unknownField(n parse.Node) string {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return ""
		}
		for _, c := range n.Nodes {
			if bad := unknownField(c); bad != "" {
				return bad
			}
		}
	case *parse.ActionNode:
		if len(n.Pipe.Cmds) == 1 && len(n.Pipe.Cmds[0].Args) == 1 && len(n.Pipe.Decl) == 0 {
			if f, ok := n.Pipe.Cmds[0].Args[0].(*parse.FieldNode); ok && len(f.Ident) == 1 && isPlaceholder(f.Ident[0]) {
				return ""
			}
		}
		return strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(n.String(), "{{"), "}}"))
	case *parse.TextNode:
		return ""
	default:
		return strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(n.String(), "{{"), "}}"))
	}
	return ""
}

func isPlaceholder(name string) bool {
	for _, p := range Placeholders {
		if p == name {
			return true
		}
	}
	return false
}

// fillTemplate renders a template already checked by checkTemplate.
func fillTemplate(text string, d TemplateData) string {
	t, err := template.New("").Parse(text)
	if err != nil {
		return text
	}
	var b bytes.Buffer
	if err := t.Execute(&b, d); err != nil {
		return text
	}
	return b.String()
}
