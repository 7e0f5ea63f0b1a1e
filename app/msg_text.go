package app

import (
	"fmt"

	"github.com/tidecrm/tide/i18n"
	"github.com/tidecrm/tide/store"
)

// tr translates m into l's language; arguments that are messages
// themselves (a role, a follow-up kind, a job's summary) are translated
// first.
func tr(l *i18n.Localizer, m store.Msg) string {
	if len(m.Args) == 0 {
		return l.T(m.Key)
	}
	args := make(map[string]any, len(m.Args))
	for k, v := range m.Args {
		if inner, ok := v.(store.Msg); ok {
			v = tr(l, inner)
		}
		args[k] = v
	}
	return l.T(m.Key, args)
}

// detailText shows a stored detail (a job run's result, an audit row's
// detail): a message written by the code is translated; plain text — older
// rows, values users typed — is shown as it is.
func detailText(l *i18n.Localizer, text string) string {
	if m, ok := store.DecodeMsg(text); ok {
		return tr(l, m)
	}
	return text
}

// failureReason is a failed run's reason alone, for pages that already say
// the run failed (the backups page); other details as detailText.
func failureReason(l *i18n.Localizer, text string) string {
	m, ok := store.DecodeMsg(text)
	if !ok {
		return text
	}
	if reason, has := m.Args["Err"]; has && (m.Key == "jobrun.failed" || m.Key == "jobrun.failed_after") {
		if inner, isMsg := reason.(store.Msg); isMsg {
			return tr(l, inner)
		}
		return fmt.Sprint(reason)
	}
	return tr(l, m)
}

// translateAudit turns the rows' stored details into l's language, for the
// API and the export (the page does the same with the detail template func).
func translateAudit(l *i18n.Localizer, rows []*store.AuditRow) {
	for _, r := range rows {
		r.Detail = detailText(l, r.Detail)
	}
}

// auditField names a changed field in l's language: the audit catalogue's
// label for the entity's field or any entity's, else the customer form's
// (customers) or the account form's (users, departments) label; a field
// with none (a settings key) shows its column name.
func auditField(l *i18n.Localizer, entity, field string) string {
	keys := []string{"audit.field." + entity + "." + field, "audit.field." + field}
	switch entity {
	case "customer":
		keys = append(keys, "cust.f."+field)
	case "user", "department":
		keys = append(keys, "field."+field)
	}
	for _, k := range keys {
		if i18n.Has(l.Lang, k) {
			return l.T(k)
		}
	}
	return field
}
