package app

import (
	"strings"
	"time"

	"github.com/tidecrm/tide/i18n"
	"github.com/tidecrm/tide/store"
)

// timelineEntry is one line of the customer page's timeline, already in
// the user's language: a summary, one line per changed field, and for a
// follow-up its text and next date. Everything is plain text; the
// template escapes it.
type timelineEntry struct {
	Class   string // followup, change or move: the marker's colour
	At      time.Time
	Text    string
	Lines   []string
	Content string
	Next    *time.Time
}

// timeline turns the store's timeline into entries. Each kind has a
// catalogue message tl.<kind> that may use Actor, Pool, From, To, Name,
// Kind and Contact; an unknown kind falls back to tl.other.
func (h viewHelpers) timeline(items []*store.TimelineItem) []timelineEntry {
	out := make([]timelineEntry, 0, len(items))
	for _, it := range items {
		out = append(out, h.timelineEntry(it))
	}
	return out
}

// timelineEntry turns one timeline item into its entry.
func (h viewHelpers) timelineEntry(it *store.TimelineItem) timelineEntry {
	e := timelineEntry{Class: "change", At: it.At}
	actor := h.l.T("tl.system")
	if it.Actor != nil {
		actor = it.Actor.Name
	}
	args := []any{"Actor", actor, "Name", it.Note, "Kind", it.Kind, "Pool", "", "From", "", "To", "", "Contact", ""}
	set := func(k string, v string) {
		for i := 0; i+1 < len(args); i += 2 {
			if args[i] == k {
				args[i+1] = v
			}
		}
	}
	key := "tl." + it.Kind
	switch {
	case it.Followup != nil:
		e.Class, e.Content, e.Next = "followup", it.Followup.Content, it.Followup.NextAt
		set("Kind", h.Kind(it.Followup.Kind))
		if it.Followup.ContactName != "" {
			key = "tl.followup_with"
			set("Contact", it.Followup.ContactName)
		}
	case it.Move != nil:
		e.Class = "move"
		if it.Move.Pool != nil {
			set("Pool", it.Move.Pool.Name)
		}
		if it.Move.FromUser != nil {
			set("From", it.Move.FromUser.Name)
		}
		if it.Move.ToUser != nil {
			set("To", it.Move.ToUser.Name)
		}
		if it.Move.Reason != "" {
			reason := it.Move.Reason
			if it.Move.Note != "" {
				reason += " — " + it.Move.Note
			}
			e.Lines = append(e.Lines, h.l.T("tl.reason", "Reason", reason))
		}
	case it.Kind == "transferred" && len(it.Changes) > 0:
		set("From", it.Changes[0].Old)
		set("To", it.Changes[0].New)
	case it.Kind == "updated":
		e.Lines = h.changeLines(actor, it.Changes)
	case strings.HasPrefix(it.Kind, "opportunity_") && len(it.Changes) > 0:
		// Stage labels are stored as "中文名|English name".
		e.Class = "opportunity"
		ch := it.Changes[0]
		set("Name", ch.Field)
		set("From", stageSplit(ch.Old, h.l.Lang))
		set("To", stageSplit(ch.New, h.l.Lang))
		if it.Note != "" {
			e.Lines = append(e.Lines, h.l.T("tl.reason", "Reason", it.Note))
		}
	}
	if !i18n.Has(h.l.Lang, key) {
		key = "tl.other"
	}
	if it.Kind == "updated" && len(e.Lines) > 0 {
		e.Text, e.Lines = e.Lines[0], e.Lines[1:]
	} else {
		e.Text = h.l.T(key, args...)
	}
	return e
}

// changeLines says, per changed field, who changed what: 张三 把 级别 从「B」改为「A」.
func (h viewHelpers) changeLines(actor string, changes []store.Change) []string {
	lines := make([]string, 0, len(changes))
	for _, ch := range changes {
		field, old, new := h.Field(ch.Field), h.Value(ch.Field, ch.Old), h.Value(ch.Field, ch.New)
		switch {
		case ch.Old == "":
			lines = append(lines, h.l.T("tl.change_set", "Actor", actor, "Field", field, "New", new))
		case ch.New == "":
			lines = append(lines, h.l.T("tl.change_clear", "Actor", actor, "Field", field, "Old", old))
		default:
			lines = append(lines, h.l.T("tl.change", "Actor", actor, "Field", field, "Old", old, "New", new))
		}
	}
	return lines
}

// staleChange is one field another user changed, for the box above a
// form whose save came too late.
type staleChange struct{ Field, Old, New string }

// staleChanges labels the changes of a 409 for the form's box.
func (h viewHelpers) staleChanges(changes []store.Change) []staleChange {
	out := make([]staleChange, 0, len(changes))
	for _, ch := range changes {
		out = append(out, staleChange{Field: h.Field(ch.Field), Old: h.Value(ch.Field, ch.Old), New: h.Value(ch.Field, ch.New)})
	}
	return out
}
