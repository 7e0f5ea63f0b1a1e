package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Opportunity statuses follow the kind of their stage.
const (
	OppOpen = "open"
	OppWon  = "won"
	OppLost = "lost"
)

// StageRef names a stage in API answers.
type StageRef struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Kind string `json:"kind"`
}

// Opportunity is a possible deal with a customer (商机).
type Opportunity struct {
	ID             int64      `json:"id"`
	Customer       Ref        `json:"customer"`
	Name           string     `json:"name"`
	Amount         int64      `json:"amount"`
	Stage          StageRef   `json:"stage"`
	Probability    int        `json:"probability"`
	Status         string     `json:"status"`
	ExpectedClose  string     `json:"expected_close"`
	Owner          Ref        `json:"owner"`
	Source         string     `json:"source"`
	Notes          string     `json:"notes"`
	LostReason     string     `json:"lost_reason"`
	ContactIDs     []int64    `json:"contact_ids"`
	StageEnteredAt time.Time  `json:"stage_entered_at"`
	CreatedAt      time.Time  `json:"created_at"`
	ClosedAt       *time.Time `json:"closed_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	Version        int        `json:"version"`
	stageZH        string
	stageEN        string
	// stageProbability is the stage's default win probability.
	stageProbability int
}

// Localize sets the stage name in lang.
func (o *Opportunity) Localize(lang string) {
	o.Stage.Name = o.stageZH
	if lang == "en" {
		o.Stage.Name = o.stageEN
	}
}

// OpportunityInput creates or edits an opportunity. CreatedAt, ClosedAt
// and LostReason on create are for moving history in (admins only).
type OpportunityInput struct {
	CustomerID    *int64     `json:"customer_id"`
	Name          *string    `json:"name"`
	Amount        *int64     `json:"amount"`
	StageID       *int64     `json:"stage_id"`
	Probability   *int       `json:"probability"`
	ExpectedClose *string    `json:"expected_close"`
	OwnerID       *int64     `json:"owner_id"`
	Source        *string    `json:"source"`
	Notes         *string    `json:"notes"`
	ContactIDs    *[]int64   `json:"contact_ids"`
	CreatedAt     *time.Time `json:"created_at"`
	ClosedAt      *time.Time `json:"closed_at"`
	LostReason    *string    `json:"lost_reason"`
	Version       *int       `json:"version"`
	// StageProbability on an edit sets the probability back to its
	// stage's default (the form's blank field); ignored when Probability
	// is given.
	StageProbability bool `json:"-"`
}

func (s *Store) validateOpportunity(in *OpportunityInput, creating bool) fieldErrors {
	fe := fieldErrors{}
	if in.Name != nil {
		*in.Name = strings.TrimSpace(*in.Name)
	}
	if (creating || in.Name != nil) && deref(in.Name) == "" {
		fe.add("name", "err.required")
	} else if utf8.RuneCountInString(deref(in.Name)) > 200 {
		fe.add("name", "err.too_long", "Max", 200)
	}
	if creating && in.CustomerID == nil {
		fe.add("customer_id", "err.required")
	}
	if in.Amount != nil && *in.Amount < 0 {
		fe.add("amount", "err.amount")
	}
	if in.Probability != nil && (*in.Probability < 0 || *in.Probability > 100) {
		fe.add("probability", "err.probability")
	}
	if d := strings.TrimSpace(deref(in.ExpectedClose)); d != "" {
		if _, err := time.ParseInLocation("2006-01-02", d, s.Location); err != nil {
			fe.add("expected_close", "err.date")
		}
	}
	if utf8.RuneCountInString(deref(in.Notes)) > 5000 {
		fe.add("notes", "err.too_long", "Max", 5000)
	}
	now := s.now()
	if in.CreatedAt != nil && in.CreatedAt.After(now.Add(futureSlack)) {
		fe.add("created_at", "err.date_future")
	}
	if in.ClosedAt != nil && in.ClosedAt.After(now.Add(futureSlack)) {
		fe.add("closed_at", "err.date_future")
	}
	return fe
}

// oppVisibility restricts alias o to opportunities u may see: as for
// customers, by owner (admins all, managers their team, sales their own).
func oppVisibility(v *Visibility) string {
	if v.All {
		return "1"
	}
	return "o.owner_id IN (" + idList(v.OwnerIDs) + ")"
}

const oppCols = `o.id, o.customer_id, c.name, o.name, o.amount, o.stage_id, st.name_zh, st.name_en, st.kind, o.probability, o.status,
	o.expected_close, o.owner_id, COALESCE(u.name, ''), o.source, o.notes, o.lost_reason, o.stage_entered_at, o.created_at,
	o.closed_at, o.updated_at, o.version, st.probability`

const oppJoins = ` FROM opportunities o JOIN customers c ON c.id = o.customer_id JOIN stages st ON st.id = o.stage_id
	LEFT JOIN users u ON u.id = o.owner_id`

func scanOpp(row interface{ Scan(...any) error }) (*Opportunity, error) {
	var o Opportunity
	var entered, created, updated int64
	var closed sql.NullInt64
	err := row.Scan(&o.ID, &o.Customer.ID, &o.Customer.Name, &o.Name, &o.Amount, &o.Stage.ID, &o.stageZH, &o.stageEN, &o.Stage.Kind,
		&o.Probability, &o.Status, &o.ExpectedClose, &o.Owner.ID, &o.Owner.Name, &o.Source, &o.Notes, &o.LostReason,
		&entered, &created, &closed, &updated, &o.Version, &o.stageProbability)
	if err != nil {
		return nil, err
	}
	o.StageEnteredAt, o.CreatedAt, o.UpdatedAt = time.Unix(entered, 0).UTC(), time.Unix(created, 0).UTC(), time.Unix(updated, 0).UTC()
	o.ClosedAt = nullTime(closed)
	o.ContactIDs = []int64{}
	o.Localize("zh-CN")
	return &o, nil
}

// Opportunity loads one opportunity u may see.
func (s *Store) Opportunity(ctx context.Context, u *User, id int64) (*Opportunity, error) {
	v, err := s.VisibilityFor(ctx, u)
	if err != nil {
		return nil, err
	}
	return s.oppVisible(ctx, s.r, v, id)
}

func (s *Store) oppVisible(ctx context.Context, q querier, v *Visibility, id int64) (*Opportunity, error) {
	o, err := scanOpp(q.QueryRowContext(ctx, `SELECT `+oppCols+oppJoins+` WHERE o.id = ? AND o.deleted_at IS NULL AND `+oppVisibility(v), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: opportunity %d: %w", id, err)
	}
	if o.ContactIDs, err = queryInt64s(ctx, q, `SELECT contact_id FROM opportunity_contacts WHERE opportunity_id = ? ORDER BY 1`, id); err != nil {
		return nil, err
	}
	if o.ContactIDs == nil {
		o.ContactIDs = []int64{}
	}
	return o, nil
}

// CreateOpportunity adds an opportunity to a customer the actor may see
// and work on. Stage defaults to the first open stage, probability to the
// stage's, owner to the customer's owner. An admin may back-date it
// (created_at) and create it already won or lost (closed_at, lost_reason)
// to move history in; everyone else creates it now.
func (s *Store) CreateOpportunity(ctx context.Context, actor *User, in OpportunityInput) (*Opportunity, error) {
	fe := s.validateOpportunity(&in, true)
	if (in.CreatedAt != nil || in.ClosedAt != nil) && !actor.IsAdmin() {
		return nil, ErrForbidden
	}
	v, err := s.VisibilityFor(ctx, actor)
	if err != nil {
		return nil, err
	}
	var id int64
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if err := fe.err(); err != nil {
			return err
		}
		cust, err := s.customerVisible(ctx, tx, v, *in.CustomerID)
		if err != nil {
			if IsCode(err, CodeNotFound) {
				return &Error{Code: CodeInvalid, Msg: M("err.invalid"), Fields: map[string]Msg{"customer_id": M("err.customer_unknown")}}
			}
			return err
		}
		st, err := s.stageForNew(ctx, tx, in.StageID)
		if err != nil {
			return err
		}
		owner, err := s.oppOwner(ctx, tx, actor, cust, in.OwnerID)
		if err != nil {
			return err
		}
		now := s.now()
		created := now
		if in.CreatedAt != nil {
			created = in.CreatedAt.UTC()
		}
		if err := s.checkExpectedClose(in.ExpectedClose, created); err != nil {
			return err
		}
		closedAt, status, err := closeFields(st, in, created, now)
		if err != nil {
			return err
		}
		prob := st.Probability
		if in.Probability != nil {
			prob = *in.Probability
		}
		entered := created.Unix()
		if closedAt != nil {
			entered = *closedAt
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO opportunities (customer_id, name, amount, stage_id, probability, status, expected_close,
			owner_id, source, notes, lost_reason, stage_entered_at, created_by, created_at, closed_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			cust.ID, *in.Name, deref(in.Amount), st.ID, prob, status, strings.TrimSpace(deref(in.ExpectedClose)), owner,
			strings.TrimSpace(deref(in.Source)), deref(in.Notes), strings.TrimSpace(deref(in.LostReason)), entered, actor.ID,
			created.Unix(), closedAt, now.Unix())
		if err != nil {
			return fmt.Errorf("store: insert opportunity: %w", err)
		}
		id, _ = res.LastInsertId()
		if err := setOppContacts(ctx, tx, id, cust.ID, in.ContactIDs); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO stage_changes (opportunity_id, from_stage_id, to_stage_id, by_id, at) VALUES (?, NULL, ?, ?, ?)`,
			id, st.ID, actor.ID, created.Unix()); err != nil {
			return err
		}
		if err := addEvent(ctx, tx, cust.ID, "opportunity_created", actor.ID, []Change{{Field: *in.Name, New: st.NameZH + "|" + st.NameEN}}, "", now.Unix()); err != nil {
			return err
		}
		if err := auditCreate(ctx, tx, now.Unix(), "opportunity", id, *in.Name); err != nil {
			return err
		}
		if status == OppWon {
			return markCustomerWon(ctx, tx, cust.ID, actor.ID, now.Unix())
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.oppVisible(ctx, s.r, &Visibility{All: true}, id)
}

// checkExpectedClose refuses an expected close date before the day the
// opportunity was created (company calendar).
func (s *Store) checkExpectedClose(d *string, created time.Time) error {
	day := strings.TrimSpace(deref(d))
	if day == "" {
		return nil
	}
	if day < created.In(s.Location).Format("2006-01-02") {
		return &Error{Code: CodeInvalid, Msg: M("err.invalid"), Fields: map[string]Msg{"expected_close": M("err.close_before_created")}}
	}
	return nil
}

// stageForNew returns the requested stage, or the first open one.
func (s *Store) stageForNew(ctx context.Context, tx *sql.Tx, id *int64) (*Stage, error) {
	if id != nil {
		return stageByID(ctx, tx, *id)
	}
	var first int64
	if err := tx.QueryRowContext(ctx, `SELECT id FROM stages WHERE kind = 'open' ORDER BY position, id LIMIT 1`).Scan(&first); err != nil {
		return nil, fmt.Errorf("store: first stage: %w", err)
	}
	return stageByID(ctx, tx, first)
}

// oppOwner picks the owner: the one asked for (managers/admins), else the
// customer's owner, else the actor.
func (s *Store) oppOwner(ctx context.Context, tx *sql.Tx, actor *User, cust *Customer, asked *int64) (int64, error) {
	if asked != nil && *asked != actor.ID {
		if !actor.IsManager() {
			return 0, ErrForbidden
		}
		if err := checkAssignee(ctx, tx, actor, *asked); err != nil {
			return 0, err
		}
		return *asked, nil
	}
	if asked == nil && cust.Owner != nil {
		return cust.Owner.ID, nil
	}
	return actor.ID, nil
}

// closeFields checks what a won or lost stage needs and returns closed_at
// and the status. Won needs an amount; lost needs a reason.
func closeFields(st *Stage, in OpportunityInput, created, now time.Time) (*int64, string, error) {
	if st.Kind == StageOpen {
		return nil, OppOpen, nil
	}
	fe := fieldErrors{}
	closed := now
	if in.ClosedAt != nil {
		closed = in.ClosedAt.UTC()
	}
	if closed.Before(created) {
		fe.add("closed_at", "err.closed_before_created")
	}
	if st.Kind == StageWon && deref(in.Amount) <= 0 {
		fe.add("amount", "err.won_needs_amount")
	}
	if st.Kind == StageLost && strings.TrimSpace(deref(in.LostReason)) == "" {
		fe.add("lost_reason", "err.lost_needs_reason")
	}
	if err := fe.err(); err != nil {
		return nil, "", err
	}
	c := closed.Unix()
	return &c, st.Kind, nil
}

func setOppContacts(ctx context.Context, tx *sql.Tx, oppID, customerID int64, ids *[]int64) error {
	if ids == nil {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM opportunity_contacts WHERE opportunity_id = ?`, oppID); err != nil {
		return err
	}
	for _, cid := range *ids {
		res, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO opportunity_contacts (opportunity_id, contact_id)
			SELECT ?, id FROM contacts WHERE id = ? AND customer_id = ?`, oppID, cid, customerID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var dup int
			_ = tx.QueryRowContext(ctx, `SELECT count(*) FROM opportunity_contacts WHERE opportunity_id = ? AND contact_id = ?`, oppID, cid).Scan(&dup)
			if dup == 0 {
				return &Error{Code: CodeInvalid, Msg: M("err.invalid"), Fields: map[string]Msg{"contact_ids": M("err.contact_unknown")}}
			}
		}
	}
	return nil
}

// markCustomerWon sets a customer's status to customer (成交客户), which
// exempts it from its pool's no-deal recycle rule.
func markCustomerWon(ctx context.Context, tx *sql.Tx, customerID, actorID, now int64) error {
	var status string
	if err := tx.QueryRowContext(ctx, `SELECT status FROM customers WHERE id = ?`, customerID).Scan(&status); err != nil {
		return err
	}
	if status == StatusCustomer {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE customers SET status = 'customer', updated_at = ?, version = version + 1 WHERE id = ?`, now, customerID); err != nil {
		return err
	}
	return addEvent(ctx, tx, customerID, "updated", actorID, []Change{{Field: "status", Old: status, New: StatusCustomer}}, "", now)
}

// UpdateOpportunity edits an opportunity's details (not its stage: that
// is MoveStage, so every stage change lands in the history). A stale
// version is refused with CodeConflict.
func (s *Store) UpdateOpportunity(ctx context.Context, actor *User, id int64, in OpportunityInput) (*Opportunity, error) {
	fe := s.validateOpportunity(&in, false)
	if in.StageID != nil || in.CustomerID != nil || in.CreatedAt != nil || in.ClosedAt != nil {
		fe.add("stage_id", "err.use_stage_endpoint")
	}
	v, err := s.VisibilityFor(ctx, actor)
	if err != nil {
		return nil, err
	}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		cur, err := s.oppVisible(ctx, tx, v, id)
		if err != nil {
			return err
		}
		if err := fe.err(); err != nil {
			return err
		}
		if in.Version == nil {
			return &Error{Code: CodeInvalid, Msg: M("err.invalid"), Fields: map[string]Msg{"version": M("err.version_required")}}
		}
		if *in.Version != cur.Version {
			return &Error{Code: CodeConflict, Msg: M("err.opp_stale"), Extra: map[string]any{"current": cur}}
		}
		if err := s.checkExpectedClose(in.ExpectedClose, cur.CreatedAt); err != nil {
			return err
		}
		if in.OwnerID != nil && *in.OwnerID != cur.Owner.ID {
			if !actor.IsManager() {
				return ErrForbidden
			}
			if err := checkAssignee(ctx, tx, actor, *in.OwnerID); err != nil {
				return err
			}
		}
		sets, args := []string{}, []any{}
		add := func(col string, ok bool, v any) {
			if ok {
				sets, args = append(sets, col+" = ?"), append(args, v)
			}
		}
		add("name", in.Name != nil, deref(in.Name))
		add("amount", in.Amount != nil, deref(in.Amount))
		if in.Probability == nil && in.StageProbability {
			in.Probability = &cur.stageProbability
		}
		add("probability", in.Probability != nil, deref(in.Probability))
		add("expected_close", in.ExpectedClose != nil, strings.TrimSpace(deref(in.ExpectedClose)))
		add("owner_id", in.OwnerID != nil, deref(in.OwnerID))
		add("source", in.Source != nil, strings.TrimSpace(deref(in.Source)))
		add("notes", in.Notes != nil, deref(in.Notes))
		add("lost_reason", in.LostReason != nil && cur.Status == OppLost, strings.TrimSpace(deref(in.LostReason)))
		sets = append(sets, "updated_at = ?", "version = version + 1")
		args = append(args, s.now().Unix(), id, cur.Version)
		before, err := snapshot(ctx, tx, "opportunities", id)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE opportunities SET `+strings.Join(sets, ", ")+` WHERE id = ? AND version = ?`, args...)
		if err != nil {
			return fmt.Errorf("store: update opportunity %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return &Error{Code: CodeConflict, Msg: M("err.opp_stale")}
		}
		if err := auditUpdate(ctx, tx, s.now().Unix(), "opportunity", "opportunities", id, before); err != nil {
			return err
		}
		return setOppContacts(ctx, tx, id, cur.Customer.ID, in.ContactIDs)
	})
	if err != nil {
		return nil, err
	}
	return s.oppVisible(ctx, s.r, v, id)
}

// DeleteOpportunity soft-deletes an opportunity (owner, manager, admin).
func (s *Store) DeleteOpportunity(ctx context.Context, actor *User, id int64) error {
	v, err := s.VisibilityFor(ctx, actor)
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		cur, err := s.oppVisible(ctx, tx, v, id)
		if err != nil {
			return err
		}
		now := s.now().Unix()
		if _, err := tx.ExecContext(ctx, `UPDATE opportunities SET deleted_at = ?, updated_at = ? WHERE id = ?`, now, now, id); err != nil {
			return err
		}
		if err := addEvent(ctx, tx, cur.Customer.ID, "opportunity_deleted", actor.ID, []Change{{Field: cur.Name}}, "", now); err != nil {
			return err
		}
		return auditDelete(ctx, tx, now, "opportunity", id, cur.Name)
	})
}
