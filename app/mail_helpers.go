package app

import "strings"

// BirthdayToday reports whether a contact's birthday (YYYY-MM-DD) falls on
// today in the company time zone, for the 今天生日 badge beside the
// greeting button.
func (h viewHelpers) BirthdayToday(birthday string) bool {
	return len(birthday) == 10 && strings.HasSuffix(birthday, h.now.In(h.zone).Format("-01-02"))
}
