package store

import "time"

// Recycle rule names, as recorded in pool history and notifications.
const (
	RecycleNoFollowup = "no_followup"
	RecycleNoDeal     = "no_deal"
)

// RecycleFacts are what the recycle rules look at for one owned customer.
type RecycleFacts struct {
	Level          string
	Status         string
	Locked         bool
	OwnedSince     time.Time
	LastFollowupAt *time.Time
}

// RecycleDue says when a customer goes back to its pool and why.
type RecycleDue struct {
	Rule string    `json:"rule"`
	At   time.Time `json:"at"`
}

// days returns the recycle days for a customer level, overrides applied.
func (r PoolRules) days(level string) (noFollowup, noDeal int) {
	noFollowup, noDeal = r.RecycleNoFollowupDays, r.RecycleNoDealDays
	if o, ok := r.LevelOverrides[level]; ok {
		if o.RecycleNoFollowupDays != nil {
			noFollowup = *o.RecycleNoFollowupDays
		}
		if o.RecycleNoDealDays != nil {
			noDeal = *o.RecycleNoDealDays
		}
	}
	return noFollowup, noDeal
}

// NextRecycle returns the earliest rule that will send the customer back
// (no follow-up for N days, counted from the later of the last follow-up
// and the claim/assignment; no won deal M days after the claim/assignment,
// unless it is already a customer), or false when no rule ever will
// (locked, or rules off).
func (r PoolRules) NextRecycle(f RecycleFacts) (RecycleDue, bool) {
	if f.Locked {
		return RecycleDue{}, false
	}
	noFollowup, noDeal := r.days(f.Level)
	var best RecycleDue
	found := false
	consider := func(rule string, at time.Time) {
		if !found || at.Before(best.At) {
			best, found = RecycleDue{Rule: rule, At: at}, true
		}
	}
	if noFollowup > 0 {
		base := f.OwnedSince
		if f.LastFollowupAt != nil && f.LastFollowupAt.After(base) {
			base = *f.LastFollowupAt
		}
		consider(RecycleNoFollowup, base.AddDate(0, 0, noFollowup))
	}
	if noDeal > 0 && f.Status != StatusCustomer {
		consider(RecycleNoDeal, f.OwnedSince.AddDate(0, 0, noDeal))
	}
	return best, found
}

// levelGroups splits the customer levels into groups that share the same
// recycle days, so the recycle job runs one query per group.
func (r PoolRules) levelGroups() [][]string {
	all := append([]string{""}, Levels...)
	byDays := map[[2]int][]string{}
	var order [][2]int
	for _, l := range all {
		a, b := r.days(l)
		k := [2]int{a, b}
		if _, ok := byDays[k]; !ok {
			order = append(order, k)
		}
		byDays[k] = append(byDays[k], l)
	}
	out := make([][]string, 0, len(order))
	for _, k := range order {
		out = append(out, byDays[k])
	}
	return out
}
